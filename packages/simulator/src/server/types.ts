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
  /**
   * Parsed JSON text frames from the client, in order (unparseable ones as `{ raw }`). With
   * `logAudioPayloads: false`, realtime `input_audio_buffer.append` events are logged as
   * `{type, audioBytes, ...}` (the decoded byte count instead of the base64 `audio`); with
   * `maxLoggedEvents`, only the most recent events are kept (see `droppedClientEvents`).
   */
  clientEvents: unknown[];
  /** Client events dropped from the start of `clientEvents` to respect `maxLoggedEvents`. */
  droppedClientEvents: number;
  /**
   * Binary bytes, or decoded base64 audio bytes for realtime (`input_audio_buffer.append`),
   * received from the client. Counted by the connection wrapper; handlers need not add to it.
   */
  audioBytesReceived: number;
  openedAt: number;
  closedAt?: number;
  /** How the client authenticated (absent when refused before auth). */
  auth?: 'api_key' | 'client_secret';
  /** Faults applied to this connection (injected and `sim_fault`). */
  faults: Fault[];
  /** HTTP status of a refused handshake. */
  refusedStatus?: number;
  /** Whether the server cut the connection with a `drop` fault. */
  dropped?: boolean;
}

export interface SimConnection {
  readonly id: string;
  readonly endpoint: Exclude<Endpoint, 'chat'>;
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
  /**
   * Runs `fn` after `ms` unless the connection closes first (the timer is cleared on close, so
   * handlers leak nothing). Returns a function that cancels it.
   */
  schedule(fn: () => void, ms: number): () => void;
  /** Forgets messages queued by `sendJson`/`sendBinary` but not yet written (e.g. on barge-in). */
  discardPending(): void;
}

/** An endpoint's WebSocket handler: called once per accepted connection. */
export type ConnectionHandler = (connection: SimConnection) => void;

/** One `POST /v1/chat/completions` request as received. */
export interface ChatRequestRecord {
  id: string;
  /** The parsed JSON body (`undefined` if it was not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON; tests inspect them freely.
  body: any;
  /** Lower-cased request headers; the Authorization value is redacted. */
  headers: Record<string, string | undefined>;
  receivedAt: number;
  /** Response status (200 for streams). */
  status?: number;
  stream: boolean;
  /** True when the client closed the connection before the response was complete. */
  aborted: boolean;
  /** True once the whole response (through `data: [DONE]`) was written. */
  completed: boolean;
  /** True when the server cut the connection with a `drop` fault. */
  dropped?: boolean;
  faults: Fault[];
}

export interface SimulatorLog {
  readonly chatRequests: ChatRequestRecord[];
  readonly connections: ConnectionRecord[];
  /** Forgets everything logged so far. */
  clear(): void;
}

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Accepted API keys; default: any non-empty key that does not start with "invalid". */
  apiKeys?: string[];
  /** Delay before `transcript.created` on `/v1/stt` (default 2 ms). */
  sttReadyDelayMs?: number;
  /** Delay between two SSE chunks of a streamed chat completion (default 0). */
  chatChunkDelayMs?: number;
  /** Split every streamed tool call's arguments over several chunks (default false: whole, like xAI). */
  chatSplitToolArguments?: boolean;
  /** Extra model ids accepted by chat completions besides the built-in Grok ids. */
  chatModels?: string[];
  /**
   * Pacing of TTS audio: a delay in ms between two `audio.delta` messages, or 'realtime' to send
   * each chunk when the previous one would have finished playing. Default 0 (as fast as possible).
   * A connection can override it with the query flag `sim_pacing=<ms>|realtime`.
   */
  ttsChunkDelayMs?: number | 'realtime';
  /** Clock used for client-secret expiry, in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /**
   * Whether `log.connections[*].clientEvents` keeps the base64 `audio` of realtime
   * `input_audio_buffer.append` events (default true). False logs each as `{type, audioBytes, …}`
   * (its other fields, and the decoded byte count instead of the audio), so long or concurrent
   * sessions do not keep every second of audio in memory.
   */
  logAudioPayloads?: boolean;
  /**
   * Most client events kept per connection in `clientEvents` (default: no bound). Beyond it the
   * oldest are dropped and counted in `droppedClientEvents`; `audioBytesReceived` still counts all.
   */
  maxLoggedEvents?: number;
}

export interface Simulator {
  /** `http://HOST:PORT/v1`: the baseURL for the openai SDK. */
  readonly httpUrl: string;
  /** `ws://HOST:PORT/v1`: append `/stt`, `/tts` or `/realtime`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly log: SimulatorLog;
  /** Streams of chat completions currently being written. */
  readonly openChatStreams: number;
  /** Applies `fault` to the next `times` (default 1) connections/requests of `endpoint`. */
  injectFault(endpoint: Endpoint, fault: Fault, options?: { times?: number }): void;
  clearFaults(): void;
  /** Closes every socket (clients are terminated) and the server; leaves nothing running. */
  close(): Promise<void>;
}
