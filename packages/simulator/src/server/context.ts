import type { AuthService } from './auth.js';
import type { FaultRegistry } from './faults.js';
import type { MemoryLog } from './log.js';
import type { ConnectionHandler } from './types.js';

export interface ResolvedOptions {
  port: number;
  host: string;
  apiKeys: string[] | undefined;
  sttReadyDelayMs: number;
  chatChunkDelayMs: number;
  chatSplitToolArguments: boolean;
  chatModels: string[];
  ttsChunkDelayMs: number | 'realtime';
  now: () => number;
  logAudioPayloads: boolean;
  /** `Infinity` when unbounded. */
  maxLoggedEvents: number;
}

/** What endpoint handlers share with the server. */
export interface ServerContext {
  readonly options: ResolvedOptions;
  readonly log: MemoryLog;
  readonly faults: FaultRegistry;
  readonly auth: AuthService;
  /** A short unique id: `${prefix}${counter}`-like, unique per server. */
  nextId(prefix: string): string;
  /** Open SSE streams (incremented/decremented by the chat endpoint). */
  openChatStreams: number;
  /** Registers cleanup to run when the server closes (e.g. to end open SSE streams). */
  onClose(cleanup: () => void): () => void;
}

/** A WebSocket endpoint: optional query validation (refuses the handshake with 400) and a handler. */
export interface WsEndpoint {
  /** Returns an error message when the query is invalid. */
  validate?(query: URLSearchParams): string | undefined;
  handle: ConnectionHandler;
}
