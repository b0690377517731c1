import type { APIError } from '../errors/errors.js';
import type { STTMetrics } from '../metrics/types.js';

/** One recognised word. Times are milliseconds on the STT's monotonic audio clock. */
export interface SpeechWord {
  text: string;
  startMs: number;
  endMs: number;
  confidence?: number;
  /** Speaker index when the provider diarizes. */
  speaker?: number;
}

/**
 * A transcript event.
 *
 * - `interim`: a guess at the words of the utterance in progress; later events replace it.
 * - `locked`: a stretch of a long utterance that will not change any more. Its text is NOT repeated
 *   by later events of the same utterance.
 * - `final`: the end of an utterance. `text` carries only what was not already delivered in `locked`
 *   events, so appending every `locked` and `final` text gives the whole transcript exactly once;
 *   `utteranceText` is the whole utterance (locked chunks and this final joined).
 *
 * Times are milliseconds of audio since the first sample pushed into the STT, monotonic across
 * reconnections (each connection's times are offset by the audio already sent before it).
 */
export interface SpeechEvent {
  type: 'interim' | 'locked' | 'final';
  text: string;
  language?: string;
  confidence?: number;
  startMs: number;
  endMs: number;
  words: SpeechWord[];
  speaker?: number;
  channelIndex?: number;
  /** On `final` events: the whole utterance, locked chunks included. */
  utteranceText?: string;
}

/** Audio dropped because it was pushed while disconnected and the buffer bound was exceeded. */
export interface AudioDroppedEvent {
  /** Audio dropped this time. */
  droppedMs: number;
  /** Audio dropped since the STT was created. */
  totalDroppedMs: number;
}

export interface ReconnectedEvent {
  /** Connections made so far, the first included. */
  connection: number;
  /** Audio sent again on the new connection (unfinished utterance and audio pushed meanwhile). */
  replayedMs: number;
}

// A type alias (not an interface) so it satisfies TypedEventEmitter's EventMap constraint.
export type STTEvents = {
  transcript: (event: SpeechEvent) => void;
  /** Only emitted by providers that detect speech themselves. Time on the STT's audio clock. */
  speech_started: (event: { timeMs: number }) => void;
  speech_ended: (event: { timeMs: number }) => void;
  /**
   * `error.retryable === true`: something went wrong that the STT recovers from (a dropped socket,
   * audio dropped from the reconnect buffer); emitted only when someone listens.
   * `error.retryable === false`: the STT has stopped; `pushAudio` then throws the same error and
   * `flush()` rejects with it.
   */
  error: (error: APIError) => void;
  metrics: (metrics: STTMetrics) => void;
  /** The first connection is ready to take audio. */
  connected: () => void;
  /** A later connection is ready after the previous one dropped. */
  reconnected: (event: ReconnectedEvent) => void;
  audio_dropped: (event: AudioDroppedEvent) => void;
};

/** The audio a provider takes: PCM16, interleaved when `channels > 1`. */
export interface STTAudioFormat {
  sampleRate: number;
  channels: number;
}

export interface STTCapabilities {
  /** Emits `interim` events (with the current options). */
  interimResults: boolean;
  /** Emits `locked` events on long speech. */
  lockedResults: boolean;
  /** Emits `speech_started` / `speech_ended`. */
  speechEvents: boolean;
  diarization: boolean;
}

/**
 * What a provider reports on one connection. Times are milliseconds since the first sample sent
 * on THIS connection; the base turns them into the STT's monotonic clock.
 */
export interface STTConnectionHandlers {
  transcript(event: SpeechEvent): void;
  speechStarted(timeMs: number): void;
  speechEnded(timeMs: number): void;
  /** A problem on the connection that does not end it (a malformed message, a server warning). */
  warning(error: APIError): void;
  /**
   * The connection ended without `close()` being called: the base reconnects unless `error` is not
   * retryable. No error means the server ended the session cleanly (nothing to report).
   */
  closed(error?: APIError): void;
}

/** One open, ready provider connection, as returned by `STT.openConnection`. */
export interface STTConnection {
  /** Sends one chunk of audio in the provider's format (`STT.audioFormat`). Must not throw. */
  sendAudio(chunk: Int16Array): void;
  /**
   * End of audio: tell the server, wait (at most `timeoutMs`) for what it still has to say, report
   * it through the handlers, then release everything. Must resolve, never reject.
   */
  finish(timeoutMs: number): Promise<void>;
  /** Releases the connection at once (socket, timers). Idempotent; no handler is called after it. */
  close(): void;
  /** Identifies the connection in metrics (`x-request-id` or similar). */
  readonly requestId?: string | null;
}
