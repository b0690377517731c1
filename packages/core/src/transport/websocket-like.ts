/**
 * The least a WebSocket client class must offer for `openWebSocket` and `closeWebSocket`: the
 * shape of the `ws` package's `WebSocket` (Node's EventEmitter events, `terminate`, the
 * `upgrade` / `unexpected-response` handshake events). `@x/core` does not depend on `ws`: a
 * provider package passes its own `WebSocket` class, and tests pass a fake.
 */

/** `readyState` values (the WebSocket standard's). */
export const WebSocketState = Object.freeze({ CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const);

/** HTTP headers as Node gives them (lower-case names), or a fetch `Headers`. */
export type HeaderBag =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/** A stream socket that can hold writes back and send them in one go (`net.Socket` in Node). */
export interface CorkableTransport {
  cork(): void;
  uncork(): void;
}

/** The HTTP response of a handshake (`http.IncomingMessage` in Node). */
export interface HandshakeResponse {
  readonly statusCode?: number | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The connection it came on; after a 101 it carries the WebSocket (`IncomingMessage.socket`). */
  readonly socket?: unknown;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  once(event: 'end' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'end' | 'close', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): unknown;
}

/** A message's payload as `ws` delivers it: one buffer, an ArrayBuffer, or fragments. */
export type WebSocketData = Uint8Array | ArrayBuffer | readonly Uint8Array[];

// A type alias (not an interface) so it can index listener types by event name.
export type WebSocketEvents = {
  open: () => void;
  message: (data: WebSocketData, isBinary: boolean) => void;
  close: (code: number, reason: Uint8Array) => void;
  error: (error: Error) => void;
  /** The server accepted the upgrade (101); its headers carry `x-request-id`. */
  upgrade: (response: HandshakeResponse) => void;
  /** The server answered the upgrade with another status (401, 429, 503…). */
  'unexpected-response': (request: unknown, response: HandshakeResponse) => void;
};

export interface WebSocketLike {
  readonly readyState: number;
  on<E extends keyof WebSocketEvents>(event: E, listener: WebSocketEvents[E]): unknown;
  once<E extends keyof WebSocketEvents>(event: E, listener: WebSocketEvents[E]): unknown;
  off<E extends keyof WebSocketEvents>(event: E, listener: WebSocketEvents[E]): unknown;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Destroys the socket at once (no close handshake). */
  terminate(): void;
}

/** What `openWebSocket` passes to the class: `ws`'s `ClientOptions` subset. */
export interface WebSocketClientOptions {
  headers: Record<string, string>;
  perMessageDeflate: boolean;
}

/** A WebSocket class: `new WebSocket(url, options)` (the `ws` package's default export). */
export type WebSocketConstructor<W extends WebSocketLike> = new (
  url: string,
  options: WebSocketClientOptions,
) => W;
