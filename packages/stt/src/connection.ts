import { alawEncode, createAudioFrame, frameToBytes, mulawEncode } from '@x/audio';
import {
  type CorkableTransport,
  APIConnectionError,
  APIError,
  closeDetail,
  closeWebSocket,
  keepAlive,
  openWebSocket,
  redact,
  type STTConnection,
  type STTConnectionHandlers,
} from '@x/core';
import WebSocket from 'ws';
import { TranscriptMapper } from './mapping.js';
import type { ResolvedXAISTTOptions } from './options.js';
import { AUDIO_DONE, parseServerEvent, type ServerEvent } from './protocol.js';

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
 * Handshake errors, aborts and cleanup are `openWebSocket`'s (`@x/core`).
 */
export function openXAISTTConnection(params: OpenConnectionParams): Promise<XAISTTConnection> {
  return openWebSocket({
    url: params.url,
    WebSocket,
    headers: { Authorization: `Bearer ${params.apiKey}` },
    signal: params.signal,
    label: 'xAI STT',
    isReady: readyVerdict,
    adopt: ({ socket, requestId, transport }) => new XAISTTConnection(socket, params, requestId, transport),
  });
}

/** `transcript.created` means ready; an `error` refuses the session; anything else is waited past. */
function readyVerdict(message: string): boolean | APIError {
  let event: ServerEvent;
  try {
    event = parseServerEvent(message);
  } catch {
    return false; // reported once the connection is up; before that only `transcript.created` matters
  }
  if (event.type === 'transcript.created') return true;
  if (event.type === 'error') {
    return new APIError(`xAI STT refused the session: ${redact(event.message)}`, { retryable: true });
  }
  return false; // anything else before `transcript.created` belongs to no audio of ours
}

/** One ready STT socket. */
export class XAISTTConnection implements STTConnection {
  readonly requestId: string | null;
  readonly #ws: WebSocket;
  readonly #handlers: STTConnectionHandlers;
  readonly #options: ResolvedXAISTTOptions;
  readonly #mapper: TranscriptMapper;
  readonly #stopPing: () => void;
  #closed = false;
  #corked = false;
  #onDone: (() => void) | null = null;
  /** The TCP/TLS socket under the WebSocket (from the upgrade response), to batch writes. */
  readonly #transport: CorkableTransport | undefined;

  constructor(
    ws: WebSocket,
    params: OpenConnectionParams,
    requestId: string | null,
    transport?: CorkableTransport,
  ) {
    this.#ws = ws;
    this.#transport = transport;
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
    this.#stopPing = keepAlive(ws, PING_INTERVAL_MS);
  }

  sendAudio(chunk: Int16Array): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#corkUntilMicrotask();
    this.#ws.send(this.#encode(chunk), { binary: true });
  }

  /**
   * Chunks sent in the same turn of the event loop (audio pushed faster than real time, a replay
   * after a reconnection) leave in one socket write instead of one each: the socket is corked at
   * the first and uncorked once the current code is done (a microtask, so nothing waits longer).
   */
  #corkUntilMicrotask(): void {
    const socket = this.#transport;
    if (this.#corked || socket === undefined) return;
    socket.cork();
    this.#corked = true;
    queueMicrotask(() => {
      this.#corked = false;
      socket.uncork();
    });
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
    this.#stopPing();
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
    this.#stopPing();
    void closeWebSocket(this.#ws, { reason: 'audio done', graceMs: CLOSE_GRACE_MS }).then(resolve);
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
    this.#stopPing();
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
    this.#handlers.closed(
      new APIConnectionError(`xAI STT connection closed by the server (${closeDetail(code, reason)})`),
    );
  }
}
