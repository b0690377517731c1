import { APIConnectionError, type APIError, APITimeoutError, isAPIError } from '../errors/errors.js';
import { redact } from '../errors/redact.js';
import { handshakeError, headerValue } from './handshake-error.js';
import {
  type CorkableTransport,
  type HandshakeResponse,
  type WebSocketConstructor,
  type WebSocketData,
  type WebSocketEvents,
  type WebSocketLike,
  WebSocketState,
} from './websocket-like.js';

/** Default bound on the body of a refused handshake read for its error. */
export const DEFAULT_MAX_ERROR_BODY_BYTES = 16 * 1024;

const decoder = new TextDecoder();

export interface OpenWebSocketOptions<W extends WebSocketLike> {
  url: string;
  /** The WebSocket class to use (the `ws` package's default export). */
  WebSocket: WebSocketConstructor<W>;
  /** Sent with the upgrade request, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Readonly<Record<string, string>>;
  /** Aborting rejects with the signal's reason and destroys the socket. */
  signal?: AbortSignal;
  /** Names the service in error messages: `xAI STT`. */
  label: string;
  /**
   * Decides, for each text message before the socket is ready, whether it is: `true` ready
   * (`transcript.created`), `false` not yet (ignored), or an `APIError` that refuses the session.
   * It may send on `socket` (a `session.update` answering `conversation.created`). Throwing rejects
   * the open with that error. Without it the socket is ready once open.
   */
  isReady?: (message: string, socket: W) => boolean | APIError;
  /** Bound on the whole opening (handshake and ready message): then `APITimeoutError`. */
  timeoutMs?: number;
  /** Most of a refused handshake's body read for its error. Default 16 KiB. */
  maxErrorBodyBytes?: number;
}

export interface OpenedWebSocket<W extends WebSocketLike> {
  socket: W;
  /** The upgrade response's `x-request-id`, if the server sent one. */
  requestId: string | null;
  /**
   * The TCP/TLS socket under the WebSocket, from the upgrade response, when it can be corked
   * (to send several frames in one write); undefined otherwise (e.g. a fake WebSocket).
   */
  transport: CorkableTransport | undefined;
}

/**
 * Opens a WebSocket with the given class and resolves once it is ready, or rejects with a typed
 * error: `APIStatusError` for a refused handshake (status, `x-request-id`, `retry-after`, the
 * server's error text, see `handshakeError`), `APIConnectionError` when the socket fails or closes
 * first, `APITimeoutError` after `timeoutMs`, the signal's reason when aborted, or the `APIError`
 * that `isReady` returned. On failure every listener is removed and the socket destroyed.
 *
 * On success the helper's listeners are removed except a no-op `error` listener (an error then
 * cannot crash the process before yours is attached; `close` follows every error). Pass `adopt`
 * to attach your listeners synchronously at the moment the socket is ready: messages the server
 * sends right behind the ready message may otherwise be emitted before an `await` returns.
 */
export function openWebSocket<W extends WebSocketLike, T>(
  options: OpenWebSocketOptions<W> & { adopt: (opened: OpenedWebSocket<W>) => T },
): Promise<T>;
export function openWebSocket<W extends WebSocketLike>(
  options: OpenWebSocketOptions<W>,
): Promise<OpenedWebSocket<W>>;
export function openWebSocket<W extends WebSocketLike, T>(
  options: OpenWebSocketOptions<W> & { adopt?: (opened: OpenedWebSocket<W>) => T },
): Promise<T | OpenedWebSocket<W>> {
  const { signal, label, isReady, adopt } = options;
  const maxBodyBytes = options.maxErrorBodyBytes ?? DEFAULT_MAX_ERROR_BODY_BYTES;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let socket: W;
    try {
      socket = new options.WebSocket(options.url, {
        headers: { ...options.headers },
        perMessageDeflate: false,
      });
    } catch (error) {
      reject(connectionError(`${label} connection failed`, error));
      return;
    }
    let settled = false;
    let requestId: string | null = null;
    let transport: CorkableTransport | undefined;

    const listeners: { [E in keyof WebSocketEvents]?: WebSocketEvents[E] } = {
      open: () => {
        if (!isReady) succeed();
      },
      upgrade: (response) => {
        requestId = headerValue(response.headers, 'x-request-id');
        transport = corkable(response.socket);
      },
      'unexpected-response': (_request, response) => {
        void readBody(response, maxBodyBytes).then((body) =>
          fail(
            handshakeError({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body,
              service: label,
            }),
          ),
        );
      },
      message: (data, isBinary) => {
        if (isBinary || !isReady || settled) return;
        let verdict: boolean | APIError;
        try {
          verdict = isReady(socketMessageText(data), socket);
        } catch (error) {
          fail(isAPIError(error) ? error : connectionError(`${label} refused the session`, error));
          return;
        }
        if (verdict === true) succeed();
        else if (verdict !== false) fail(verdict);
      },
      error: (error) => fail(connectionError(`${label} connection failed`, error)),
      close: (code, reason) =>
        fail(
          new APIConnectionError(
            `${label} connection closed before it was ready (${closeDetail(code, reason)})`,
          ),
        ),
    };
    const onAbort = () => fail(signal?.reason);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => fail(new APITimeoutError(`${label} connection not ready within ${options.timeoutMs} ms`)),
            options.timeoutMs,
          );

    const detach = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const [event, listener] of Object.entries(listeners)) {
        socket.off(event as keyof WebSocketEvents, listener as never);
      }
      // `ws` emits `error` then `close`: an `error` nobody listens to would throw.
      socket.on('error', ignore);
    };
    function fail(error: unknown): void {
      if (settled) return;
      detach();
      socket.terminate();
      reject(error);
    }
    function succeed(): void {
      if (settled) return;
      detach();
      const opened = { socket, requestId, transport };
      if (!adopt) {
        resolve(opened);
        return;
      }
      try {
        resolve(adopt(opened));
      } catch (error) {
        socket.terminate();
        reject(error);
      }
    }

    signal?.addEventListener('abort', onAbort, { once: true });
    for (const [event, listener] of Object.entries(listeners)) {
      socket.on(event as keyof WebSocketEvents, listener as never);
    }
  });
}

export interface CloseWebSocketOptions {
  /** Close code sent. Default 1000. */
  code?: number;
  reason?: string;
  /** Longest wait for the peer's close frame before the socket is destroyed. Default 1000 ms. */
  graceMs?: number;
}

/**
 * Closes cleanly: sends a close frame and resolves once the socket has closed, destroying it if
 * the peer does not answer within `graceMs` (a socket still connecting is destroyed at once).
 * Never rejects.
 */
export function closeWebSocket(socket: WebSocketLike, options: CloseWebSocketOptions = {}): Promise<void> {
  if (socket.readyState === WebSocketState.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), options.graceMs ?? 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocketState.OPEN) socket.close(options.code ?? 1000, options.reason);
    else if (socket.readyState === WebSocketState.CONNECTING) socket.terminate();
  });
}

/** A message payload as text (UTF-8). */
export function socketMessageText(data: WebSocketData): string {
  if (data instanceof ArrayBuffer) return decoder.decode(new Uint8Array(data));
  if (!Array.isArray(data)) return decoder.decode(data as Uint8Array);
  return decoder.decode(concatBytes(data as readonly Uint8Array[]));
}

/**
 * A message payload as one plain `Uint8Array` view (not a Node `Buffer`, whose `slice` does not
 * copy); no copy unless it came in fragments.
 */
export function socketMessageBytes(data: WebSocketData): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const bytes = Array.isArray(data) ? concatBytes(data as readonly Uint8Array[]) : (data as Uint8Array);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `code 1006: reason` for close errors (the reason redacted). */
export function closeDetail(code: number, reason: Uint8Array | string): string {
  const text = typeof reason === 'string' ? reason : decoder.decode(reason);
  return `code ${code}${text ? `: ${redact(text)}` : ''}`;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Reads at most `maxBytes` of a response body, then stops reading it. Never rejects. */
function readBody(response: HandshakeResponse, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      response.off('data', onData);
      response.off('end', done);
      response.off('close', done);
      response.off('error', done);
      const body = concatBytes(chunks);
      resolve(decoder.decode(body.byteLength > maxBytes ? body.subarray(0, maxBytes) : body));
    };
    const onData = (chunk: Uint8Array) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= maxBytes) {
        done();
        response.destroy();
      }
    };
    response.on('data', onData);
    response.once('end', done);
    response.once('close', done);
    response.once('error', done);
  });
}

function connectionError(prefix: string, cause: unknown): APIConnectionError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new APIConnectionError(`${prefix}: ${redact(message)}`, { cause });
}

function ignore(): void {}

function corkable(value: unknown): CorkableTransport | undefined {
  const candidate = value as Partial<CorkableTransport> | null | undefined;
  return typeof candidate?.cork === 'function' && typeof candidate.uncork === 'function'
    ? (candidate as CorkableTransport)
    : undefined;
}
