import { EventEmitter } from 'node:events';
import type { HandshakeResponse, WebSocketClientOptions, WebSocketLike } from './websocket-like.js';
import { WebSocketState } from './websocket-like.js';

/** A handshake response for tests: emit `data` / `end` yourself. */
export class FakeHandshakeResponse extends EventEmitter implements HandshakeResponse {
  destroyed = false;
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    super();
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      queueMicrotask(() => this.emit('close'));
    }
    return this;
  }
}

/**
 * A WebSocket class for tests of `openWebSocket` without a network: each instance records what was
 * sent and how it was ended; the test drives the server side with `emit`.
 */
export class FakeWebSocket extends EventEmitter implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  /** Makes the next constructor call throw this. */
  static throwOnConstruct: Error | null = null;

  readyState: number = WebSocketState.CONNECTING;
  readonly sent: Array<string | Uint8Array> = [];
  terminated = false;
  /** Ping frames sent. */
  pings = 0;
  closeFrame: { code: number | undefined; reason: string | undefined } | null = null;

  constructor(
    readonly url: string,
    readonly options: WebSocketClientOptions,
  ) {
    super();
    const error = FakeWebSocket.throwOnConstruct;
    FakeWebSocket.throwOnConstruct = null;
    if (error) throw error;
    FakeWebSocket.instances.push(this);
  }

  static last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no FakeWebSocket was constructed');
    return socket;
  }

  /** The server accepts the upgrade (on `transport`, the connection the response came on). */
  accept(headers: Record<string, string> = {}, transport?: unknown): void {
    this.emit('upgrade', { statusCode: 101, headers, socket: transport });
    this.readyState = WebSocketState.OPEN;
    this.emit('open');
  }

  /** The server sends a text message. */
  serverText(text: string): void {
    this.emit('message', Buffer.from(text), false);
  }

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  ping(): void {
    this.pings++;
  }

  close(code?: number, reason?: string): void {
    this.closeFrame = { code, reason };
    this.readyState = WebSocketState.CLOSING;
  }

  /** Like `ws`: the socket is destroyed; `close` (1006) follows on the next tick. */
  terminate(): void {
    if (this.readyState === WebSocketState.CLOSED) return;
    this.terminated = true;
    const wasConnecting = this.readyState === WebSocketState.CONNECTING;
    this.readyState = WebSocketState.CLOSING;
    process.nextTick(() => {
      if (wasConnecting)
        this.emit('error', new Error('WebSocket was closed before the connection was established'));
      this.readyState = WebSocketState.CLOSED;
      this.emit('close', 1006, Buffer.alloc(0));
    });
  }

  /** The peer answers a close frame. */
  peerClosed(code = 1000): void {
    this.readyState = WebSocketState.CLOSED;
    this.emit('close', code, Buffer.alloc(0));
  }
}
