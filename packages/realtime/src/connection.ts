import {
  APIConnectionError,
  APIError,
  closeDetail,
  closeWebSocket,
  keepAlive,
  openWebSocket,
  redact,
  socketMessageText,
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
  /** Bound on the whole opening: upgrade, `conversation.created`, `session.updated`. */
  handshakeTimeoutMs: number;
  signal: AbortSignal;
  /** The `session.update` sent once the server announced the conversation. */
  sessionUpdate: ClientEvent;
  handlers: ConnectionHandlers;
}

/** How long a clean close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Keep-alive ping period (a session can be quiet: text only, or no microphone for a while). */
const PING_INTERVAL_MS = 20_000;
/** Names the service in errors. */
const LABEL = 'xAI realtime';

/**
 * One WebSocket to the realtime endpoint. `open` resolves once the handshake is done: socket open,
 * `conversation.created` received, `session.update` sent, `session.updated` received. Handshake
 * errors (typed `APIStatusError` for a refused upgrade), the timeout, aborts and cleanup are
 * `openWebSocket`'s (`@x/core`).
 */
export class RealtimeConnection {
  readonly #ws: WebSocket;
  #closing = false;

  /** Attaches the listeners at once: events can follow `session.updated` in the same tick. */
  private constructor(ws: WebSocket, handlers: ConnectionHandlers) {
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary || this.#closing) return; // the protocol is JSON text only
      handlers.onMessage(parseServerEvent(socketMessageText(data)));
    });
    ws.on('error', () => {
      // 'close' follows and reports the drop.
    });
    ws.on('close', (code, reason) => {
      if (this.#closing) return;
      this.#closing = true;
      handlers.onLost(
        new APIConnectionError(`${LABEL} connection closed unexpectedly (${closeDetail(code, reason)})`),
      );
    });
    keepAlive(ws, PING_INTERVAL_MS);
  }

  static open(options: OpenConnectionOptions): Promise<RealtimeConnection> {
    let sentUpdate = false;
    return openWebSocket({
      url: options.url,
      WebSocket,
      headers: { Authorization: `Bearer ${options.apiKey}` },
      signal: options.signal,
      label: LABEL,
      timeoutMs: options.handshakeTimeoutMs,
      isReady: (message, socket) => {
        const parsed = parseServerEvent(message);
        // Anything malformed or unknown before `session.updated` is not the handshake's business.
        if (parsed.kind !== 'event') return false;
        const { event } = parsed;
        if ((event.type === 'conversation.created' || event.type === 'session.created') && !sentUpdate) {
          sentUpdate = true;
          socket.send(serializeClientEvent(options.sessionUpdate));
          return false;
        }
        if (event.type === 'session.updated') return sentUpdate;
        if (event.type === 'error') {
          // The server refused the connection or the session configuration: trying again won't help.
          const { message: text, code } = event.error;
          return new APIError(`${LABEL} handshake failed: ${redact(text)}${code ? ` (${code})` : ''}`, {
            retryable: false,
            body: event.error,
          });
        }
        return false;
      },
      adopt: ({ socket }) => new RealtimeConnection(socket, options.handlers),
    });
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN && !this.#closing;
  }

  /** Bytes queued in the socket (back-pressure indicator). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(event: ClientEvent): boolean {
    return this.sendText(serializeClientEvent(event));
  }

  /** Sends an event already serialised (e.g. by `serializeAudioAppend`). */
  sendText(json: string): boolean {
    if (!this.open) return false;
    this.#ws.send(json);
    return true;
  }

  /** Closes cleanly (bounded wait for the close handshake); never reports the connection lost. */
  close(): Promise<void> {
    this.#closing = true;
    return closeWebSocket(this.#ws, { reason: 'client closed', graceMs: CLOSE_GRACE_MS });
  }
}
