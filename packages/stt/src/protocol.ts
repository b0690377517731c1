/**
 * The wire shapes of xAI's streaming speech-to-text (`wss://api.x.ai/v1/stt`), and nothing else.
 * Times on the wire are SECONDS. Parsing is liberal: an unknown event type is kept as `unknown`,
 * missing fields take neutral defaults.
 */

export interface WireWord {
  text: string;
  /** Seconds since the connection's first sample. */
  start: number;
  end: number;
  confidence?: number;
  speaker?: number;
}

/** `transcript.partial`: interim (`is_final` false), locked chunk (`is_final` only) or utterance end (both). */
export interface TranscriptPartialEvent {
  type: 'transcript.partial';
  text: string;
  words: WireWord[];
  is_final: boolean;
  speech_final: boolean;
  /** Seconds. */
  start?: number;
  /** Seconds. */
  duration?: number;
  channel_index?: number;
  language?: string;
}

/** After `audio.done`: the text not already finalised. */
export interface TranscriptDoneEvent {
  type: 'transcript.done';
  text: string;
  words: WireWord[];
  duration?: number;
  channel_index?: number;
  language?: string;
}

export type ServerEvent =
  | { type: 'transcript.created' }
  | TranscriptPartialEvent
  | TranscriptDoneEvent
  | { type: 'error'; message: string }
  | { type: 'unknown'; raw: unknown };

/** The client's only text message: end of audio. */
export const AUDIO_DONE = JSON.stringify({ type: 'audio.done' });

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function words(value: unknown): WireWord[] {
  if (!Array.isArray(value)) return [];
  const out: WireWord[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const w = item as Record<string, unknown>;
    const text = typeof w.text === 'string' ? w.text : typeof w.word === 'string' ? w.word : undefined;
    const start = num(w.start);
    const end = num(w.end);
    if (text === undefined || start === undefined || end === undefined) continue;
    const word: WireWord = { text, start, end };
    const confidence = num(w.confidence);
    if (confidence !== undefined) word.confidence = confidence;
    const speaker = num(w.speaker);
    if (speaker !== undefined) word.speaker = speaker;
    out.push(word);
  }
  return out;
}

/** Parses one text frame; throws SyntaxError on non-JSON (the caller reports it). */
export function parseServerEvent(text: string): ServerEvent {
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null) return { type: 'unknown', raw };
  const e = raw as Record<string, unknown>;
  const common = {
    text: typeof e.text === 'string' ? e.text : '',
    words: words(e.words),
    ...(num(e.channel_index) === undefined ? {} : { channel_index: num(e.channel_index) }),
    ...(typeof e.language === 'string' ? { language: e.language } : {}),
    ...(num(e.duration) === undefined ? {} : { duration: num(e.duration) }),
  };
  switch (e.type) {
    case 'transcript.created':
      return { type: 'transcript.created' };
    case 'transcript.partial':
      return {
        type: 'transcript.partial',
        ...common,
        is_final: e.is_final === true,
        speech_final: e.speech_final === true,
        ...(num(e.start) === undefined ? {} : { start: num(e.start) }),
      };
    case 'transcript.done':
      return { type: 'transcript.done', ...common };
    case 'error': {
      const message =
        typeof e.message === 'string'
          ? e.message
          : typeof e.error === 'string'
            ? e.error
            : typeof (e.error as { message?: unknown } | undefined)?.message === 'string'
              ? String((e.error as { message: string }).message)
              : 'unknown error';
      return { type: 'error', message };
    }
    default:
      return { type: 'unknown', raw };
  }
}
