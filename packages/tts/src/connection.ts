import {
  APIConnectionError,
  closeDetail,
  closeWebSocket,
  keepAlive,
  openWebSocket,
  socketMessageBytes,
  socketMessageText,
} from '@x/core';
import WebSocket from 'ws';
import { type ClientEvent, parseServerEvent, type ServerEvent } from './protocol.js';

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
  readonly #stopPing: () => void;
  #closing: Promise<void> | undefined;

  private constructor(ws: WebSocket, url: string, requestId: string | null, handlers: TTSSocketHandlers) {
    this.#ws = ws;
    this.url = url;
    this.requestId = requestId;
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        handlers.binary(socketMessageBytes(data));
        return;
      }
      const text = socketMessageText(data);
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
      this.#stopPing();
      if (this.#closing) return;
      handlers.dropped(
        new APIConnectionError(`xAI TTS connection closed unexpectedly (${closeDetail(code, reason)})`),
      );
    });
    this.#stopPing = keepAlive(ws, PING_INTERVAL_MS);
  }

  /**
   * Opens the socket; rejects with `APIStatusError` for a refused handshake, else
   * `APIConnectionError` (handshake errors, aborts and cleanup are `openWebSocket`'s, `@x/core`).
   */
  static open(params: OpenTTSSocketParams): Promise<TTSSocket> {
    const { url, apiKey, signal, handlers } = params;
    return openWebSocket({
      url,
      WebSocket,
      headers: { Authorization: `Bearer ${apiKey}` },
      signal,
      label: 'xAI TTS',
      adopt: ({ socket, requestId }) => new TTSSocket(socket, url, requestId, handlers),
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
    if (!this.#closing) {
      this.#stopPing();
      this.#closing = closeWebSocket(this.#ws, { reason: 'done', graceMs: CLOSE_GRACE_MS });
    }
    return this.#closing;
  }
}
