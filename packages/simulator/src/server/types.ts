/**
 * Types shared by the simulator's endpoints. The router (server/) authenticates, applies handshake
 * faults and logs; each endpoint handler gets a `SimConnection` whose `sendJson` applies the
 * per-connection faults (delay, drop, malformed, unknown events, stall, huge), so handlers never
 * deal with faults themselves.
 */
export type Endpoint = 'chat' | 'stt' | 'tts' | 'realtime';

export type Fault =
  | { kind: 'handshake'; status: 400 | 401 | 403 | 429 | 500 | 503; retryAfterS?: number }
  | { kind: 'drop'; afterMessages?: number; afterMs?: number }
  | { kind: 'malformed'; afterMessages?: number }
  | { kind: 'unknown_event'; afterMessages?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'stall'; ms: number; afterMessages?: number }
  | { kind: 'huge'; bytes: number; afterMessages?: number };

export interface ConnectionRecord {
  id: string;
  endpoint: Exclude<Endpoint, 'chat'>;
  url: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  accepted: boolean;
  /** Parsed JSON text frames from the client, in order (unparseable ones as `{ raw }`). */
  clientEvents: unknown[];
  /** Binary bytes, or decoded base64 audio bytes for realtime, received from the client. */
  audioBytesReceived: number;
  openedAt: number;
  closedAt?: number;
}

export interface SimConnection {
  readonly id: string;
  readonly query: URLSearchParams;
  readonly record: ConnectionRecord;
  /** Sends one JSON event; per-connection faults apply here, in order of sending. */
  sendJson(event: Record<string, unknown>): void;
  sendBinary(bytes: Uint8Array): void;
  /** Closes the socket cleanly (close frame). */
  close(code?: number, reason?: string): void;
  onText(handler: (text: string) => void): void;
  onBinary(handler: (bytes: Uint8Array) => void): void;
  onClose(handler: () => void): void;
  /** Whether the socket is still open. */
  readonly open: boolean;
}

/** An endpoint's WebSocket handler: called once per accepted connection. */
export type ConnectionHandler = (connection: SimConnection) => void;
