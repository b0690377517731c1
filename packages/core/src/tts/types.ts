import type { AudioOutput } from '../audio-io/audio-output.js';
import type { APIError } from '../errors/errors.js';
import type { TTSMetrics } from '../metrics/types.js';

/**
 * Put in a text stream to end one utterance and start the next: the provider is told the text is
 * complete (xAI: `text.done`), the output segment ends when its audio has arrived, and the text
 * after the marker is a new utterance with its own TTFB and metrics.
 */
export const FLUSH: unique symbol = Symbol.for('@x/core/tts/flush');
export type FlushMarker = typeof FLUSH;

/** What `synthesize` reads: one string, or a stream of text deltas with optional FLUSH markers. */
export type SynthesisInput = string | AsyncIterable<string | FlushMarker> | Iterable<string | FlushMarker>;

export interface SynthesizeOptions {
  /** Voice for this call only (validated like the constructor's). */
  voice?: string;
  /** Aborting stops the call like `interrupt()`, and `synthesize` rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where this call's audio goes instead of `tts.output`. */
  output?: AudioOutput;
}

/** How one utterance (text up to a FLUSH or the end of input) went. */
export interface UtteranceResult {
  /** Characters sent to the provider, speech tags included. */
  characters: number;
  /** Milliseconds of audio delivered to the output. */
  audioDurationMs: number;
  /** First text available to send → first audio received; `null` when no audio came. */
  ttfbMs: number | null;
  /** First text available to send → last audio received (or the end of the utterance). */
  durationMs: number;
  /** Cut short by `interrupt()`, an aborted signal or an error. */
  interrupted: boolean;
}

export interface SynthesisResult {
  utterances: UtteranceResult[];
  characters: number;
  audioDurationMs: number;
  /** TTFB of the first utterance, `null` if no audio came. */
  ttfbMs: number | null;
  /** `interrupt()` stopped the call (its output segment was interrupted). */
  interrupted: boolean;
}

export interface FirstAudioEvent {
  /** First text available to send → first audio byte received. */
  ttfbMs: number;
  /** Index of the utterance within its `synthesize` call. */
  utteranceIndex: number;
}

export type TTSEvents = {
  /** The first audio of an utterance arrived. */
  first_audio: (event: FirstAudioEvent) => void;
  /**
   * A synthesis failed (also reported by the rejected `synthesize` promise), or a background
   * connection failed. Only emitted while a listener is attached.
   */
  error: (error: APIError) => void;
  /** One record per utterance, when it ends (finished, interrupted or failed). */
  metrics: (metrics: TTSMetrics) => void;
  /** A new connection replaced one that dropped. */
  reconnected: () => void;
};

/** Encodings a provider may deliver audio bytes in; outputs always get PCM16 frames. */
export type TTSAudioEncoding = 'pcm_s16le' | 'mulaw' | 'alaw';
