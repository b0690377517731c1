import { type WebSocketLike, WebSocketState } from './websocket-like.js';

/** A socket that can send a WebSocket ping frame (the `ws` package's `WebSocket`). */
export interface PingableWebSocket extends WebSocketLike {
  ping(): void;
}

/**
 * Sends a ping frame every `intervalMs` while `socket` is open, so that proxies and load balancers
 * do not drop a connection that is quiet for a while. Stops by itself when the socket closes; the
 * returned function stops it sooner (idempotent). The timer never keeps the process alive.
 */
export function keepAlive(socket: PingableWebSocket, intervalMs: number): () => void {
  const timer = setInterval(() => {
    if (socket.readyState === WebSocketState.OPEN) socket.ping();
  }, intervalMs);
  timer.unref?.();
  const stop = () => {
    clearInterval(timer);
    socket.off('close', stop);
  };
  socket.on('close', stop);
  return stop;
}
