import type { IncomingMessage } from 'node:http';
import { APIConnectionError, APIStatusError, parseRetryAfterMs, redact } from '@x/core';
import WebSocket from 'ws';
import { type ClientEvent, parseServerEvent, type ServerEvent } from './protocol.js';

/** Most of a refused handshake's body read for its error message. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** How long a clean close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Keep-alive ping period while the socket waits between utterances. */
const PING_INTERVAL_MS = 20_000;

export interface TTSSocketHandlers {
  /** A parsed server event. */
  event(event: ServerEvent): void;
  /** A binary message (tolerated as raw audio bytes). */
  binary(bytes: Uint8Array): void;
  /** A text frame that is not JSON. */
  malformed(text: string): void;
  /** The socket closed without `close()` being called. */
  dropped(error: APIConnectionError): void;
}

export interface OpenTTSSocketParams {
  url: string;
  apiKey: string;
  signal: AbortSignal;
  handlers: TTSSocketHandlers;
}

/** One open `…/tts` WebSocket. */
export class TTSSocket {
  readonly openedAt = performance.now();
  readonly url: string;
  readonly requestId: string | null;
  readonly #ws: WebSocket;
  readonly #ping: NodeJS.Timeout;
  #closing: Promise<void> | undefined;

  private constructor(ws: WebSocket, url: string, requestId: string | null, handlers: TTSSocketHandlers) {
    this.#ws = ws;
    this.url = url;
    this.requestId = requestId;
    ws.on('message', (data, isBinary) => {
      const buffer = toBuffer(data);
      if (isBinary) {
        handlers.binary(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
        return;
      }
      const text = buffer.toString('utf8');
      let event: ServerEvent;
      try {
        event = parseServerEvent(text);
      } catch {
        handlers.malformed(text);
        return;
      }
      handlers.event(event);
    });
    ws.on('error', () => {
      // 'close' follows and reports the drop.
    });
    ws.on('close', (code, reason) => {
      clearInterval(this.#ping);
      if (this.#closing) return;
      const why = reason.length > 0 ? `: ${redact(reason.toString())}` : '';
      handlers.dropped(new APIConnectionError(`xAI TTS connection closed unexpectedly (code ${code}${why})`));
    });
    this.#ping = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, PING_INTERVAL_MS);
    this.#ping.unref();
  }

  /** Opens the socket; rejects with `APIStatusError` for a refused handshake, else `APIConnectionError`. */
  static open(params: OpenTTSSocketParams): Promise<TTSSocket> {
    const { url, apiKey, signal, handlers } = params;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let settled = false;
      let requestId: string | null = null;
      const ws = new WebSocket(url, {
        headers: { Authorization: `Bearer ${apiKey}` },
        perMessageDeflate: false,
      });
      const settle = (error: unknown, socket?: TTSSocket) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('error', onError);
        ws.off('close', onClose);
        ws.off('upgrade', onUpgrade);
        ws.off('unexpected-response', onUnexpectedResponse);
        if (socket) {
          resolve(socket);
          return;
        }
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      };
      const onAbort = () => settle(signal.reason);
      const onOpen = () => settle(null, new TTSSocket(ws, url, requestId, handlers));
      const onError = (error: Error) =>
        settle(
          new APIConnectionError(`xAI TTS connection failed: ${redact(error.message)}`, { cause: error }),
        );
      const onClose = (code: number) =>
        settle(new APIConnectionError(`xAI TTS connection closed during the handshake (code ${code})`));
      const onUpgrade = (res: IncomingMessage) => {
        requestId = headerValue(res.headers['x-request-id']);
      };
      const onUnexpectedResponse = (_req: unknown, res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        const finish = () => settle(handshakeError(res, Buffer.concat(chunks).toString('utf8')));
        res.once('end', finish);
        res.once('error', finish);
        res.once('close', finish);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('close', onClose);
      ws.on('upgrade', onUpgrade);
      ws.on('unexpected-response', onUnexpectedResponse);
    });
  }

  get open(): boolean {
    return !this.#closing && this.#ws.readyState === WebSocket.OPEN;
  }

  get ageMs(): number {
    return performance.now() - this.openedAt;
  }

  /** Sends one event; throws `APIConnectionError` when the socket is no longer open. */
  send(event: ClientEvent): void {
    if (!this.open) throw new APIConnectionError('xAI TTS connection is not open');
    this.#ws.send(JSON.stringify(event));
  }

  /** Closes cleanly (close frame), destroying the socket if the peer does not answer in time. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      clearInterval(this.#ping);
      const ws = this.#ws;
      if (ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
      else ws.terminate();
    });
    return this.#closing;
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function headerValue(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** A refused handshake as a typed error: 400/401/403 are fatal, 408/429/5xx retryable. */
function handshakeError(res: IncomingMessage, body: string): APIStatusError {
  const status = res.statusCode ?? 0;
  let parsed: unknown = body;
  let message = '';
  try {
    parsed = JSON.parse(body);
    const b = parsed as { error?: unknown; message?: unknown };
    if (typeof b.error === 'string') message = b.error;
    else if (typeof (b.error as { message?: unknown } | undefined)?.message === 'string') {
      message = (b.error as { message: string }).message;
    } else if (typeof b.message === 'string') message = b.message;
  } catch {
    message = body.slice(0, 200);
  }
  return new APIStatusError(
    `xAI TTS handshake refused with HTTP ${status}${message ? `: ${redact(message)}` : ''}`,
    {
      status,
      requestId: headerValue(res.headers['x-request-id']),
      retryAfterMs: parseRetryAfterMs(
        headerValue(res.headers['retry-after']),
        headerValue(res.headers['retry-after-ms']),
      ),
      body: typeof parsed === 'string' ? redact(parsed) : parsed,
    },
  );
}
