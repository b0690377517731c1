import type { ServerContext, WsEndpoint } from '../server/context.js';

/** `wss /v1/stt` (placeholder until the endpoint lands). */
export function createSttEndpoint(_context: ServerContext): WsEndpoint {
  return {
    handle(connection) {
      connection.sendJson({ type: 'error', message: 'stt is not implemented yet' });
      connection.close(1011, 'not implemented');
    },
  };
}
