import type { SimConnection } from '../server/types.js';

/** `wss /v1/realtime?model=…` — owned by the SIM-REALTIME helper. */
export function handleRealtimeConnection(connection: SimConnection): void {
  connection.sendJson({
    type: 'error',
    error: { type: 'server_error', code: 'not_implemented', message: 'realtime is not implemented yet' },
  });
  connection.close(1011, 'not implemented');
}
