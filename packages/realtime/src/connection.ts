import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  parseRetryAfterMs,
  redact,
} from '@x/core';
import WebSocket from 'ws';
import {
  type ClientEvent,
  type ParsedServerEvent,
  parseServerEvent,
  serializeClientEvent,
} from './protocol.js';

export interface ConnectionHandlers {
  /** Every server frame after the handshake, parsed, in arrival order. */
  onMessage(parsed: ParsedServerEvent): void;
  /** The socket closed without `close()` being called. */
  onLost(error: APIConnectionError): void;
}

export interface OpenConnectionOptions {
  url: string;
  apiKey: string;
  handshakeTimeoutMs: number;
  signal: AbortSignal;
  /** The `session.update` sent once the server announced the conversation. */
  sessionUpdate: ClientEvent;
  handlers: ConnectionHandlers;
}

const MAX_ERROR_BODY_BYTES = 16 * 1024;
const CLOSE_WAIT_MS = 1000;

/**
 * One WebSocket to the realtime endpoint. `openConnection` resolves once the handshake is done:
 * socket open, `conversation.created` received, `session.update` sent, `session.updated` received.
 */
export class RealtimeConnection {
  readonly #ws: WebSocket;
  #closing = false;
  #handlers: ConnectionHandlers | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN && !this.#closing;
  }

  /** Bytes queued in the socket (back-pressure indicator). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(event: ClientEvent): boolean {
    if (!this.open) return false;
    this.#ws.send(serializeClientEvent(event));
    return true;
  }

  /** Closes cleanly (bounded wait for the close handshake); never reports the connection lost. */
  close(): Promise<void> {
    this.#closing = true;
    const ws = this.#ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
      }, CLOSE_WAIT_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client closed');
    });
  }

  static open(options: OpenConnectionOptions): Promise<RealtimeConnection> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const ws = new WebSocket(options.url, {
        headers: { Authorization: `Bearer ${options.apiKey}` },
        perMessageDeflate: false,
        handshakeTimeout: options.handshakeTimeoutMs,
      });
      const connection = new RealtimeConnection(ws);
      let settled = false;
      let sentUpdate = false;

      const finish = (error: unknown | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) {
          connection.#handlers = options.handlers;
          resolve(connection);
          return;
        }
        connection.#closing = true;
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
        reject(error);
      };
      const onAbort = () =>
        finish(signal.reason ?? new APIConnectionError('connect aborted', { retryable: false }));
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          finish(
            new APITimeoutError(
              `realtime handshake did not complete within ${options.handshakeTimeoutMs} ms`,
            ),
          ),
        options.handshakeTimeoutMs,
      );

      ws.on('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const status = response.statusCode ?? 0;
        const done = () => {
          const body = Buffer.concat(chunks).toString('utf8');
          finish(statusError(status, body, response.headers));
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      });
      ws.on('error', (error) => {
        finish(new APIConnectionError(`realtime connection failed: ${error.message}`, { cause: error }));
      });
      ws.on('close', (code, reason) => {
        if (!settled) {
          finish(
            new APIConnectionError(
              `realtime socket closed during the handshake (code ${code}${reasonText(reason)})`,
            ),
          );
          return;
        }
        if (connection.#closing) return;
        connection.#closing = true;
        connection.#handlers?.onLost(
          new APIConnectionError(`realtime socket closed unexpectedly (code ${code}${reasonText(reason)})`),
        );
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return; // the protocol is JSON text only
        const parsed = parseServerEvent(data.toString());
        if (settled) {
          if (!connection.#closing) connection.#handlers?.onMessage(parsed);
          return;
        }
        if (parsed.kind !== 'event') return;
        const event = parsed.event;
        if ((event.type === 'conversation.created' || event.type === 'session.created') && !sentUpdate) {
          sentUpdate = true;
          ws.send(serializeClientEvent(options.sessionUpdate));
        } else if (event.type === 'session.updated' && sentUpdate) {
          finish(undefined);
        } else if (event.type === 'error') {
          // The server refused the connection or the session configuration: trying again won't help.
          const { message, code } = event.error;
          finish(
            new APIError(`realtime handshake failed: ${message}${code ? ` (${code})` : ''}`, {
              retryable: false,
              body: event.error,
            }),
          );
        }
      });
    });
  }
}

function reasonText(reason: Buffer): string {
  const text = reason.toString();
  return text ? `: ${text}` : '';
}

/** A refused upgrade as a typed error (401/403/400 are not retried; 429/5xx are). */
function statusError(
  status: number,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): APIStatusError {
  let message = body.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
    const record = parsed as { error?: unknown; message?: unknown; code?: unknown };
    if (typeof record.error === 'string') message = record.error;
    else if (typeof record.error === 'object' && record.error !== null) {
      const inner = (record.error as { message?: unknown }).message;
      if (typeof inner === 'string') message = inner;
    } else if (typeof record.message === 'string') message = record.message;
  } catch {
    // not JSON: keep the text
  }
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return new APIStatusError(
    redact(`realtime handshake refused with HTTP ${status}${message ? `: ${message.slice(0, 300)}` : ''}`),
    {
      status,
      body: parsed ?? body,
      requestId: header('x-request-id') ?? null,
      retryAfterMs: parseRetryAfterMs(header('retry-after'), header('retry-after-ms')),
    },
  );
}
