import type { ServerContext, WsEndpoint } from '../server/context.js';

/** `wss /v1/tts` (placeholder until the endpoint lands). */
export function createTtsEndpoint(_context: ServerContext): WsEndpoint {
  return {
    handle(connection) {
      connection.sendJson({ type: 'error', message: 'tts is not implemented yet' });
      connection.close(1011, 'not implemented');
    },
  };
}
