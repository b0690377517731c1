/**
 * The part of `ws` the benchmark uses, typed here because bench has no `@types/ws` (the runtime
 * package comes with the peers). Structural only; the real types live in @types/ws.
 */
declare module 'ws' {
  import { EventEmitter } from 'node:events';
  import type { ClientRequestArgs } from 'node:http';

  namespace WebSocket {
    interface ClientOptions {
      headers?: Record<string, string>;
      handshakeTimeout?: number;
      perMessageDeflate?: boolean;
      [option: string]: unknown;
    }
    type RawData = Buffer | ArrayBuffer | Buffer[];
  }

  class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    constructor(
      address: string | URL | null,
      protocols?: string | string[] | WebSocket.ClientOptions | ClientRequestArgs,
      options?: WebSocket.ClientOptions | ClientRequestArgs,
    );
    readonly readyState: 0 | 1 | 2 | 3;
    readonly bufferedAmount: number;
    readonly url: string;
    send(data: string | ArrayBufferView | ArrayBuffer, cb?: (error?: Error) => void): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
  }

  class WebSocketServer extends EventEmitter {
    constructor(options: { port?: number; host?: string; noServer?: boolean });
    address(): { port: number; address: string; family: string } | string;
    readonly clients: Set<WebSocket>;
    close(cb?: (error?: Error) => void): void;
  }

  const createWebSocketStream: (...args: unknown[]) => unknown;
  const Receiver: unknown;
  const Sender: unknown;

  export { createWebSocketStream, Receiver, Sender, WebSocket, WebSocketServer };
  export default WebSocket;
}
