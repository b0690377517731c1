/**
 * xAI Voice Agent (realtime) wire protocol: the shapes of client and server events, and a parser
 * that validates the server events this client uses. Nothing else lives here, so a protocol change
 * touches one file. Reference: docs.x.ai voice agent guide; fields marked [observed] in
 * shared/xai-protocol.md are tolerated when missing.
 */

// ------------------------------------------------------------------ shared shapes

export type WireAudioFormat =
  | { type: 'audio/pcm'; rate: number }
  | { type: 'audio/pcmu' }
  | { type: 'audio/pcma' };

export interface WireTurnDetection {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
}

export type WireTool =
  | { type: 'function'; name: string; description: string; parameters: object }
  | { type: 'web_search' }
  | { type: 'x_search'; allowed_x_handles?: string[] }
  | { type: 'file_search'; vector_store_ids: string[]; max_num_results: number };

export interface WireSession {
  instructions?: string;
  voice?: string;
  turn_detection?: WireTurnDetection | null;
  audio?: { input: { format: WireAudioFormat }; output: { format: WireAudioFormat } };
  tools?: WireTool[];
}

export type WireItem =
  | { type: 'message'; role: 'user'; content: Array<{ type: 'input_text'; text: string }> }
  | { type: 'message'; role: 'assistant'; content: Array<{ type: 'output_text'; text: string }> }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string };

// ------------------------------------------------------------------ client → server

export type ClientEvent =
  | { type: 'session.update'; session: WireSession }
  | { type: 'input_audio_buffer.append'; audio: string }
  | { type: 'input_audio_buffer.commit' }
  | { type: 'input_audio_buffer.clear' }
  | { type: 'conversation.item.create'; previous_item_id?: string; item: WireItem }
  | { type: 'response.create'; response?: { modalities?: string[]; instructions?: string } }
  | { type: 'response.cancel' };

// ------------------------------------------------------------------ server → client

export interface ServerItem {
  id?: string;
  type: string;
  role?: string;
  status?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  content?: Array<{ type?: string; transcript?: string | null; text?: string }>;
}

export interface ServerUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

export interface ServerErrorBody {
  type?: string;
  code?: string | null;
  message: string;
  param?: string | null;
  event_id?: string | null;
}

export type ServerEvent =
  | { type: 'conversation.created'; conversation?: { id?: string } }
  | { type: 'session.created'; session?: object }
  | { type: 'session.updated'; session?: object }
  | { type: 'input_audio_buffer.speech_started'; item_id?: string; audio_start_ms?: number }
  | { type: 'input_audio_buffer.speech_stopped'; item_id?: string; audio_end_ms?: number }
  | { type: 'input_audio_buffer.committed'; item_id: string; previous_item_id?: string | null }
  | { type: 'input_audio_buffer.cleared' }
  | { type: 'conversation.item.added'; item: ServerItem; previous_item_id?: string | null }
  | { type: 'conversation.item.created'; item: ServerItem; previous_item_id?: string | null }
  | { type: 'conversation.item.input_audio_transcription.completed'; item_id: string; transcript: string }
  | { type: 'response.created'; response: { id: string; status?: string } }
  | {
      type: 'response.done';
      response: { id: string; status?: string; output?: ServerItem[]; usage?: ServerUsage | null };
    }
  | { type: 'response.output_item.added'; response_id?: string; item: ServerItem }
  | { type: 'response.output_item.done'; response_id?: string; item: ServerItem }
  | { type: 'response.content_part.added'; response_id?: string; item_id?: string }
  | { type: 'response.content_part.done'; response_id?: string; item_id?: string }
  | { type: 'response.output_audio.delta'; response_id?: string; item_id?: string; delta: string }
  | { type: 'response.output_audio.done'; response_id?: string; item_id?: string }
  | { type: 'response.output_audio_transcript.delta'; response_id?: string; item_id?: string; delta: string }
  | {
      type: 'response.output_audio_transcript.done';
      response_id?: string;
      item_id?: string;
      transcript?: string;
    }
  | { type: 'response.output_text.delta'; response_id?: string; item_id?: string; delta: string }
  | { type: 'response.output_text.done'; response_id?: string; item_id?: string; text?: string }
  | { type: 'response.function_call_arguments.delta'; response_id?: string; call_id?: string; delta: string }
  | {
      type: 'response.function_call_arguments.done';
      response_id?: string;
      item_id?: string;
      call_id: string;
      name: string;
      arguments: string;
    }
  | { type: 'ping'; timestamp?: number }
  | { type: 'error'; error: ServerErrorBody };

export type ServerEventType = ServerEvent['type'];

/** Error codes that only say a cancel or create raced the server; not errors for the user. */
export const BENIGN_ERROR_CODES: ReadonlySet<string> = new Set([
  'response_cancel_not_active',
  'conversation_already_has_active_response',
]);

// ------------------------------------------------------------------ parser

type Check = (value: unknown, path: string) => string | undefined;

const str: Check = (v, p) => (typeof v === 'string' ? undefined : `${p} must be a string`);
const num: Check = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${p} must be a number`;
const any: Check = () => undefined;
const opt =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);
const nullable =
  (check: Check): Check =>
  (v, p) =>
    v === null ? undefined : check(v, p);
const arr =
  (check: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array`;
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
const obj =
  (shape: Record<string, Check> = {}): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${p} must be an object`;
    for (const [key, check] of Object.entries(shape)) {
      const problem = check((v as Record<string, unknown>)[key], `${p}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };

const item = obj({
  id: opt(str),
  type: str,
  role: opt(str),
  call_id: opt(str),
  name: opt(str),
  arguments: opt(str),
  content: opt(arr(obj({ type: opt(str), transcript: opt(nullable(str)), text: opt(str) }))),
});
const usage = opt(nullable(obj({ input_tokens: opt(num), output_tokens: opt(num), total_tokens: opt(num) })));
const ids = { response_id: opt(str), item_id: opt(str) };

/** Field checks of every server event the client understands. */
const SERVER_EVENT_SHAPES: Record<ServerEventType, Record<string, Check>> = {
  'conversation.created': { conversation: opt(obj({ id: opt(str) })) },
  'session.created': { session: opt(obj()) },
  'session.updated': { session: opt(obj()) },
  'input_audio_buffer.speech_started': { item_id: opt(str), audio_start_ms: opt(num) },
  'input_audio_buffer.speech_stopped': { item_id: opt(str), audio_end_ms: opt(num) },
  'input_audio_buffer.committed': { item_id: str, previous_item_id: opt(nullable(str)) },
  'input_audio_buffer.cleared': {},
  'conversation.item.added': { item, previous_item_id: opt(nullable(str)) },
  'conversation.item.created': { item, previous_item_id: opt(nullable(str)) },
  'conversation.item.input_audio_transcription.completed': { item_id: str, transcript: str },
  'response.created': { response: obj({ id: str, status: opt(str) }) },
  'response.done': { response: obj({ id: str, status: opt(str), output: opt(arr(item)), usage }) },
  'response.output_item.added': { response_id: opt(str), item },
  'response.output_item.done': { response_id: opt(str), item },
  'response.content_part.added': ids,
  'response.content_part.done': ids,
  'response.output_audio.delta': { ...ids, delta: str },
  'response.output_audio.done': ids,
  'response.output_audio_transcript.delta': { ...ids, delta: str },
  'response.output_audio_transcript.done': { ...ids, transcript: opt(str) },
  'response.output_text.delta': { ...ids, delta: str },
  'response.output_text.done': { ...ids, text: opt(str) },
  'response.function_call_arguments.delta': { response_id: opt(str), call_id: opt(str), delta: str },
  'response.function_call_arguments.done': { ...ids, call_id: str, name: str, arguments: str },
  ping: { timestamp: opt(any) },
  error: { error: obj({ type: opt(str), code: opt(nullable(str)), message: str }) },
};

/** Older names some servers use for the same events. */
const ALIASES: Record<string, ServerEventType> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
};

export type ParsedServerEvent =
  | { kind: 'event'; event: ServerEvent }
  /** A well-formed event of a type this client does not know: tolerated. */
  | { kind: 'unknown'; type: string; raw: unknown }
  /** Not JSON, not an object with a `type`, or a known type with wrong fields. */
  | { kind: 'invalid'; type: string | undefined; reason: string; raw: unknown };

/** Parses and validates one text frame from the server. Never throws. */
export function parseServerEvent(text: string): ParsedServerEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'invalid', type: undefined, reason: 'not JSON', raw: text.slice(0, 200) };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'invalid', type: undefined, reason: 'not a JSON object', raw };
  }
  const rawType = (raw as { type?: unknown }).type;
  if (typeof rawType !== 'string') return { kind: 'invalid', type: undefined, reason: 'no "type"', raw };
  const type = ALIASES[rawType] ?? rawType;
  const shape = (SERVER_EVENT_SHAPES as Record<string, Record<string, Check> | undefined>)[type];
  if (!shape) return { kind: 'unknown', type: rawType, raw };
  const problem = obj(shape)(raw, type);
  if (problem) return { kind: 'invalid', type: rawType, reason: problem, raw };
  const event = (type === rawType ? raw : { ...(raw as object), type }) as ServerEvent;
  return { kind: 'event', event };
}

/** Serialises one client event. */
export function serializeClientEvent(event: ClientEvent): string {
  return JSON.stringify(event);
}

/**
 * `input_audio_buffer.append` with `base64` audio, serialised as `serializeClientEvent` would:
 * this is most of the traffic (one per batch), and the base64 alphabet needs no JSON escaping, so
 * the payload is placed as it is instead of scanned by `JSON.stringify` (most of the cost of a
 * 40 ms append). `base64` must be base64 (`Buffer#toString('base64')`).
 */
export function serializeAudioAppend(base64: string): string {
  return `{"type":"input_audio_buffer.append","audio":"${base64}"}`;
}
