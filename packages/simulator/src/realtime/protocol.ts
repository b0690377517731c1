/**
 * Wire shapes of xAI's Voice Agent (realtime) protocol as the simulator speaks it, and the constants
 * the endpoint validates against. Nothing else lives here, so a protocol change touches one file.
 * Reference: shared/xai-protocol.md §1.
 */

export const KNOWN_MODELS = [
  'grok-voice-fast-1.0',
  'grok-voice-think-fast-1.0',
  'grok-voice-latest',
] as const;
/** Model used when the `model` query parameter is missing. */
export const DEFAULT_MODEL = 'grok-voice-fast-1.0';
/** Besides the known ids, any id with this prefix is accepted (ids move over time). */
export const MODEL_PREFIX = 'grok-voice-';

export const VOICES = ['Ara', 'Rex', 'Sal', 'Eve', 'Leo'] as const;
export type Voice = (typeof VOICES)[number];

export const PCM_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
export const DEFAULT_PCM_RATE = 24000;
export const G711_RATE = 8000;

export type AudioFormat =
  | { type: 'audio/pcm'; rate: number }
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' };

export interface ServerVadConfig {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
}

export type SessionTool =
  | { type: 'function'; name: string; description?: string; parameters?: Record<string, unknown> }
  | { type: 'web_search' }
  | { type: 'x_search'; allowed_x_handles?: string[] }
  | { type: 'file_search'; vector_store_ids: string[]; max_num_results?: number };

export type FunctionSessionTool = Extract<SessionTool, { type: 'function' }>;

/** The effective session, as echoed in `session.updated`. */
export interface SessionConfig {
  instructions: string;
  voice: Voice;
  turn_detection: ServerVadConfig | null;
  audio: { input: { format: AudioFormat }; output: { format: AudioFormat } };
  tools: SessionTool[];
}

/**
 * Defaults of a fresh session. The VAD numbers are the ones in xAI's own `session.update` example
 * (0.85 / 333 / 500); xAI does not document its defaults [unconfirmed].
 */
export const DEFAULT_SERVER_VAD: ServerVadConfig = {
  type: 'server_vad',
  threshold: 0.85,
  prefix_padding_ms: 333,
  silence_duration_ms: 500,
};

export function defaultSessionConfig(): SessionConfig {
  return {
    instructions: '',
    voice: 'Ara',
    turn_detection: { ...DEFAULT_SERVER_VAD },
    audio: {
      input: { format: { type: 'audio/pcm', rate: DEFAULT_PCM_RATE } },
      output: { format: { type: 'audio/pcm', rate: DEFAULT_PCM_RATE } },
    },
    tools: [],
  };
}

/** Client event types the endpoint understands. */
export const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'response.create',
  'response.cancel',
] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/** A client event after JSON parsing; its fields are checked by the handler of its type. */
export interface ClientEvent {
  type: string;
  event_id?: unknown;
  [field: string]: unknown;
}

/** A conversation item as the server reports it. */
export type RealtimeItem =
  | {
      id: string;
      object: 'realtime.item';
      type: 'message';
      status: 'completed' | 'in_progress' | 'incomplete';
      role: 'user' | 'assistant' | 'system';
      content: Array<Record<string, unknown>>;
    }
  | {
      id: string;
      object: 'realtime.item';
      type: 'function_call';
      status: 'completed' | 'in_progress' | 'incomplete';
      name: string;
      call_id: string;
      arguments: string;
    }
  | {
      id: string;
      object: 'realtime.item';
      type: 'function_call_output';
      status: 'completed';
      call_id: string;
      output: string;
    };

export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'incomplete';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** Body of an `error` event (xAI/OpenAI shape). */
export interface ErrorBody {
  type: 'invalid_request_error' | 'server_error';
  code: string;
  message: string;
  param: string | null;
  event_id: string | null;
}

/** A server event before `event_id` is stamped on it. */
export type ServerEvent = { type: string } & Record<string, unknown>;

/** Error codes the endpoint sends (the first two are the ones xAI is seen to send). */
export const ERROR_CODES = {
  cancelNotActive: 'response_cancel_not_active',
  alreadyActive: 'conversation_already_has_active_response',
  commitEmpty: 'input_audio_buffer_commit_empty',
  invalidJson: 'invalid_json',
  invalidValue: 'invalid_value',
  invalidType: 'invalid_type',
  missing: 'missing_required_parameter',
  unknownParameter: 'unknown_parameter',
  modelNotFound: 'model_not_found',
} as const;

/** Thrown by validators; turned into an `error` event by the session. */
export class ClientEventError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param: string | null,
  ) {
    super(message);
    this.name = 'ClientEventError';
  }
}
