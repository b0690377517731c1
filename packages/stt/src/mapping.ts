import type { SpeechEvent, SpeechWord } from '@x/core';
import type { TranscriptDoneEvent, TranscriptPartialEvent, WireWord } from './protocol.js';

/** Tolerance when comparing word times with the end of what is locked (seconds). */
const EPSILON_S = 0.005;

interface ChannelState {
  /** End (seconds) of the text already delivered in `locked` events of the current utterance. */
  lockedUntilS: number;
  /** Normalised words already locked, for servers that send no word times. */
  lockedWords: string[];
}

function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter((token) => token !== '');
}

/**
 * Maps xAI transcript events to `SpeechEvent`s (connection-relative milliseconds; the base adds
 * the connection's offset):
 * - `transcript.partial` with `is_final: false` → `interim`;
 * - `is_final: true, speech_final: false` → `locked`;
 * - `speech_final: true`, or `transcript.done` → `final`.
 *
 * Locked text is never repeated: whether the server's later events of the same utterance repeat
 * the locked words or not, what was already locked is cut from them (by word time when the server
 * sends words, else by matching the leading words), so appending `locked` and `final` texts gives
 * every word exactly once. State is kept per channel.
 */
export class TranscriptMapper {
  readonly #language: string | null;
  readonly #channels = new Map<number, ChannelState>();

  constructor(language: string | null) {
    this.#language = language;
  }

  /** Returns the event to report, or null when nothing is left to report. */
  map(event: TranscriptPartialEvent | TranscriptDoneEvent): SpeechEvent | null {
    const channel = event.channel_index ?? 0;
    const state = this.#state(channel);
    const type: SpeechEvent['type'] =
      event.type === 'transcript.done'
        ? 'final'
        : !event.is_final
          ? 'interim'
          : event.speech_final
            ? 'final'
            : 'locked';
    const { text, words } = this.#withoutLocked(event, state);
    if (type === 'final') this.#channels.delete(channel);
    if (type === 'locked') {
      const last = words[words.length - 1];
      if (last) state.lockedUntilS = Math.max(state.lockedUntilS, last.end);
      state.lockedWords.push(...tokens(text).map(normalizeWord));
    }
    if (text.trim() === '' && type !== 'final') return null;

    const startS = words[0]?.start ?? ('start' in event ? (event.start ?? 0) : 0);
    const endS =
      words[words.length - 1]?.end ??
      ('start' in event && event.start !== undefined && event.duration !== undefined
        ? event.start + event.duration
        : startS);
    const mappedWords: SpeechWord[] = words.map((word) => ({
      text: word.text,
      startMs: word.start * 1000,
      endMs: word.end * 1000,
      ...(word.confidence === undefined ? {} : { confidence: word.confidence }),
      ...(word.speaker === undefined ? {} : { speaker: word.speaker }),
    }));
    const confidences = words.map((word) => word.confidence).filter((c): c is number => c !== undefined);
    const speaker = words.find((word) => word.speaker !== undefined)?.speaker;
    const language = event.language ?? this.#language ?? undefined;
    return {
      type,
      text: text.trim(),
      startMs: startS * 1000,
      endMs: Math.max(endS, startS) * 1000,
      words: mappedWords,
      ...(language === undefined ? {} : { language }),
      ...(confidences.length === 0
        ? {}
        : { confidence: confidences.reduce((sum, c) => sum + c, 0) / confidences.length }),
      ...(speaker === undefined ? {} : { speaker }),
      ...(event.channel_index === undefined ? {} : { channelIndex: event.channel_index }),
    };
  }

  /** Forgets every utterance in progress (a new connection starts afresh). */
  reset(): void {
    this.#channels.clear();
  }

  #state(channel: number): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { lockedUntilS: Number.NEGATIVE_INFINITY, lockedWords: [] };
      this.#channels.set(channel, state);
    }
    return state;
  }

  #withoutLocked(
    event: TranscriptPartialEvent | TranscriptDoneEvent,
    state: ChannelState,
  ): { text: string; words: WireWord[] } {
    if (state.lockedWords.length === 0) return { text: event.text, words: event.words };
    if (event.words.length > 0 && Number.isFinite(state.lockedUntilS)) {
      const kept = event.words.filter((word) => word.start >= state.lockedUntilS - EPSILON_S);
      if (kept.length === event.words.length) return { text: event.text, words: event.words };
      return { text: kept.map((word) => word.text).join(' '), words: kept };
    }
    // No word times: cut the locked words if the text starts with them.
    const textTokens = tokens(event.text);
    const locked = state.lockedWords;
    const repeats =
      textTokens.length >= locked.length &&
      locked.every((word, index) => normalizeWord(textTokens[index] ?? '') === word);
    if (!repeats) return { text: event.text, words: event.words };
    return { text: textTokens.slice(locked.length).join(' '), words: event.words.slice(locked.length) };
  }
}
