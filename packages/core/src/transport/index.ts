export * from './websocket-like.js';
export { keepAlive, type PingableWebSocket } from './keep-alive.js';
export { handshakeError, headerValue, type HandshakeErrorParams } from './handshake-error.js';
export {
  closeWebSocket,
  closeDetail,
  DEFAULT_MAX_ERROR_BODY_BYTES,
  socketMessageBytes,
  socketMessageText,
  openWebSocket,
  type CloseWebSocketOptions,
  type OpenedWebSocket,
  type OpenWebSocketOptions,
} from './open-websocket.js';
