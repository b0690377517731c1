import { alawEncode, createAudioFrame, frameToBytes, mulawEncode } from '@x/audio';
import {
  APIConnectionError,
  APIError,
  APIStatusError,
  parseRetryAfterMs,
  redact,
  type STTConnection,
  type STTConnectionHandlers,
} from '@x/core';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { TranscriptMapper } from './mapping.js';
import type { ResolvedXAISTTOptions } from './options.js';
import { AUDIO_DONE, parseServerEvent, type ServerEvent } from './protocol.js';

/** Most of a refused handshake's body read for its error message. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** How long a clean close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Keep-alive ping period. */
const PING_INTERVAL_MS = 20_000;

export interface OpenConnectionParams {
  url: string;
  apiKey: string;
  options: ResolvedXAISTTOptions;
  handlers: STTConnectionHandlers;
  signal: AbortSignal;
}

/**
 * Opens `wss …/stt`, waits for `transcript.created`, and resolves with a connection that sends
 * audio as binary messages (encoded as asked) and reports transcripts through the handlers.
 */
export function openXAISTTConnection(params: OpenConnectionParams): Promise<XAISTTConnection> {
  const { url, apiKey, signal } = params;
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

    const settle = (error: unknown, connection?: XAISTTConnection) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      ws.off('unexpected-response', onUnexpectedResponse);
      ws.off('upgrade', onUpgrade);
      if (connection) {
        resolve(connection);
        return;
      }
      ws.off('error', onError);
      // Keep swallowing late socket errors: the attempt has already failed.
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };

    const onAbort = () => settle(signal.reason);
    const onError = (error: Error) =>
      settle(new APIConnectionError(`xAI STT connection failed: ${redact(error.message)}`, { cause: error }));
    const onClose = (code: number, reason: Buffer) =>
      settle(
        new APIConnectionError(
          `xAI STT connection closed before it was ready (code ${code}${reason.length ? `: ${redact(reason.toString())}` : ''})`,
        ),
      );
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
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      let event: ServerEvent;
      try {
        event = parseServerEvent(data.toString());
      } catch {
        return; // reported once the connection is up; before that only `transcript.created` matters
      }
      if (event.type === 'transcript.created') {
        settle(null, new XAISTTConnection(ws, params, requestId));
      } else if (event.type === 'error') {
        settle(new APIError(`xAI STT refused the session: ${redact(event.message)}`, { retryable: true }));
      }
      // Anything else before `transcript.created` belongs to no audio of ours: ignored.
    };

    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('error', onError);
    ws.on('close', onClose);
    ws.on('upgrade', onUpgrade);
    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('message', onMessage);
  });
}

function headerValue(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** A refused handshake as a typed error: 400/401/403 are fatal, 429 and 5xx retryable. */
function handshakeError(res: IncomingMessage, body: string): APIStatusError {
  const status = res.statusCode ?? 0;
  let parsed: unknown = body;
  let message = '';
  try {
    parsed = JSON.parse(body);
    const b = parsed as { error?: unknown; message?: unknown; code?: unknown };
    if (typeof b.error === 'string') message = b.error;
    else if (typeof (b.error as { message?: unknown } | undefined)?.message === 'string') {
      message = (b.error as { message: string }).message;
    } else if (typeof b.message === 'string') message = b.message;
  } catch {
    message = body.slice(0, 200);
  }
  return new APIStatusError(
    `xAI STT handshake refused with HTTP ${status}${message ? `: ${redact(message)}` : ''}`,
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

/** One ready STT socket. */
export class XAISTTConnection implements STTConnection {
  readonly requestId: string | null;
  readonly #ws: WebSocket;
  readonly #handlers: STTConnectionHandlers;
  readonly #options: ResolvedXAISTTOptions;
  readonly #mapper: TranscriptMapper;
  readonly #ping: NodeJS.Timeout;
  #closed = false;
  #closeTimer: NodeJS.Timeout | undefined;
  #onDone: (() => void) | null = null;

  constructor(ws: WebSocket, params: OpenConnectionParams, requestId: string | null) {
    this.#ws = ws;
    this.#handlers = params.handlers;
    this.#options = params.options;
    this.#mapper = new TranscriptMapper(params.options.language);
    this.requestId = requestId;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#onText(data.toString());
    });
    ws.on('error', () => {
      // 'close' follows and reports the drop.
    });
    ws.on('close', (code, reason) => this.#onClose(code, reason));
    this.#ping = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, PING_INTERVAL_MS);
  }

  sendAudio(chunk: Int16Array): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(this.#encode(chunk), { binary: true });
  }

  finish(timeoutMs: number): Promise<void> {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) {
      this.close();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.#onDone = null;
        this.#closeGracefully(resolve);
      };
      this.#onDone = done;
      timer = setTimeout(done, timeoutMs);
      this.#ws.send(AUDIO_DONE);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ping);
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#ws.terminate();
    const done = this.#onDone;
    this.#onDone = null;
    done?.();
  }

  /** Close frame, then at most CLOSE_GRACE_MS for the server's, then destroy. */
  #closeGracefully(resolve: () => void): void {
    if (this.#closed) {
      resolve();
      return;
    }
    this.#closed = true;
    clearInterval(this.#ping);
    if (this.#ws.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    this.#ws.once('close', () => {
      if (this.#closeTimer) clearTimeout(this.#closeTimer);
      resolve();
    });
    this.#closeTimer = setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS);
    this.#ws.close(1000, 'audio done');
  }

  #encode(chunk: Int16Array): Uint8Array {
    switch (this.#options.encoding) {
      case 'mulaw':
        return mulawEncode(chunk);
      case 'alaw':
        return alawEncode(chunk);
      default:
        return frameToBytes(createAudioFrame(chunk, this.#options.sampleRate, this.#options.channels));
    }
  }

  #onText(text: string): void {
    let event: ServerEvent;
    try {
      event = parseServerEvent(text);
    } catch {
      if (!this.#closed) {
        this.#handlers.warning(
          new APIError(`xAI STT sent a message that is not JSON (${text.length} characters); ignored`, {
            retryable: true,
          }),
        );
      }
      return;
    }
    this.#onEvent(event);
  }

  #onEvent(event: ServerEvent): void {
    if (this.#closed) return;
    switch (event.type) {
      case 'transcript.partial': {
        const mapped = this.#mapper.map(event);
        if (mapped) this.#handlers.transcript(mapped);
        break;
      }
      case 'transcript.done': {
        const mapped = this.#mapper.map(event);
        if (mapped) this.#handlers.transcript(mapped);
        this.#onDone?.();
        break;
      }
      case 'error':
        this.#handlers.warning(new APIError(`xAI STT error: ${redact(event.message)}`, { retryable: true }));
        break;
      default:
        // `transcript.created` again or an event this client does not know: tolerated.
        break;
    }
  }

  #onClose(code: number, reason: Buffer): void {
    clearInterval(this.#ping);
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    const done = this.#onDone;
    this.#onDone = null;
    done?.();
    if (this.#closed) return;
    this.#closed = true;
    if (code === 1000) {
      // The server ended the session normally: the STT connects again when it needs to.
      this.#handlers.closed();
      return;
    }
    const detail = reason.length > 0 ? `: ${redact(reason.toString())}` : '';
    this.#handlers.closed(
      new APIConnectionError(`xAI STT connection closed by the server (code ${code}${detail})`),
    );
  }
}
