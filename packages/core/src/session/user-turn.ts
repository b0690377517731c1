import type { SpeechEvent } from '../stt/types.js';
import type { UserTranscriptEvent } from './events.js';
import type { UserTurnInfo } from './speech-handle.js';

export interface UserTurnCallbacks {
  /** The user started (true) or stopped (false) speaking. */
  userState(speaking: boolean): void;
  transcript(event: UserTranscriptEvent): void;
  /** The current stretch of user speech has lasted `minInterruptionSpeechMs` (once per stretch). */
  sustainedSpeech(): void;
  /** The user finished a turn: final transcript, not speaking, silent for `endOfTurnDelayMs`. */
  endOfTurn(turn: UserTurnInfo): void;
}

export interface UserTurnDetectorOptions {
  endOfTurnDelayMs: number;
  minInterruptionSpeechMs: number;
  /**
   * Without a VAD or STT speech events, speech is inferred from transcripts: an interim starts
   * it, a final ends it.
   */
  speechFromTranscripts: boolean;
  callbacks: UserTurnCallbacks;
}

/**
 * Cascaded turn taking. Fed with speech start/end (from a VAD or the STT, on the audio clock),
 * transcripts and the audio clock itself, it tracks whether the user is speaking, reports speech
 * long enough to interrupt the agent, and ends the user's turn once a final transcript is in, no
 * speech or interim transcript is pending, and the user has been silent for `endOfTurnDelayMs`
 * since their speech ended.
 *
 * Times on the audio clock are ms of user audio since the first frame; they are turned into
 * wall-clock times (for latency metrics) assuming the audio was pushed as it was captured.
 */
export class UserTurnDetector {
  readonly #options: UserTurnDetectorOptions;
  #clockMs = 0;
  #speaking = false;
  /** Loud audio since the current stretch of speech started. */
  #voicedMs = 0;
  #sustained = false;
  #endOfSpeechAt: number | null = null;
  #interimPending = false;
  #locked: string[] = [];
  #parts: string[] = [];
  #language: string | undefined;
  #sttLatencyMs: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #commitToken = 0;
  #closed = false;

  constructor(options: UserTurnDetectorOptions) {
    this.#options = options;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /**
   * A frame was pushed: the audio clock moved to `clockMs`, and `voicedMs` of the frame were loud.
   * Only loud audio counts towards `minInterruptionSpeechMs`: a detector reports the end of speech
   * only after a stretch of silence, which must not make a short sound look long.
   */
  advance(clockMs: number, voicedMs: number): void {
    this.#clockMs = Math.max(this.#clockMs, clockMs);
    if (this.#speaking) this.#voicedMs += voicedMs;
    this.#checkSustained();
  }

  speechStarted(atMs: number): void {
    if (this.#closed || this.#speaking) return;
    this.#speaking = true;
    // Detectors report speech once it has lasted a while: that stretch, up to now, was speech.
    this.#voicedMs = Math.max(0, this.#clockMs - atMs);
    this.#sustained = false;
    this.#cancelCommit();
    this.#options.callbacks.userState(true);
    this.#checkSustained();
  }

  speechEnded(atMs: number): void {
    if (this.#closed || !this.#speaking) return;
    this.#speaking = false;
    this.#endOfSpeechAt = this.#wallTime(atMs);
    this.#options.callbacks.userState(false);
    this.#maybeEndTurn();
  }

  transcript(event: SpeechEvent): void {
    if (this.#closed) return;
    const cb = this.#options.callbacks;
    if (event.type === 'final') {
      this.#interimPending = false;
      const text = (event.utteranceText ?? [...this.#locked, event.text].join(' ')).trim();
      this.#locked = [];
      if (text !== '') {
        this.#parts.push(text);
        if (event.language !== undefined) this.#language = event.language;
        cb.transcript({ text, final: true, ...(event.language ? { language: event.language } : {}) });
      }
      if (this.#options.speechFromTranscripts) this.speechEnded(event.endMs);
      if (this.#endOfSpeechAt === null && text !== '') this.#endOfSpeechAt = this.#wallTime(event.endMs);
      this.#maybeEndTurn();
      return;
    }
    if (event.text.trim() === '') return;
    if (this.#options.speechFromTranscripts) this.speechStarted(event.startMs);
    this.#interimPending = true;
    this.#cancelCommit();
    if (event.type === 'locked') this.#locked.push(event.text.trim());
    const text = event.type === 'locked' ? this.#locked.join(' ') : [...this.#locked, event.text].join(' ');
    cb.transcript({ text: text.trim(), final: false });
  }

  /** The STT's latency for the latest final transcript (its metrics follow the transcript). */
  sttLatency(ms: number | null): void {
    if (ms !== null) this.#sttLatencyMs = ms;
  }

  close(): void {
    this.#closed = true;
    this.#cancelCommit();
  }

  #checkSustained(): void {
    if (!this.#speaking || this.#sustained) return;
    if (this.#voicedMs < this.#options.minInterruptionSpeechMs) return;
    this.#sustained = true;
    this.#options.callbacks.sustainedSpeech();
  }

  #maybeEndTurn(): void {
    if (this.#speaking || this.#interimPending || this.#parts.length === 0) return;
    this.#cancelCommit();
    const token = this.#commitToken;
    // The delay is silence after the end of speech: the time the STT took to finalise already
    // counts (waiting the whole delay after the final transcript added it to every reply).
    const silentMs = this.#endOfSpeechAt === null ? 0 : Math.max(0, performance.now() - this.#endOfSpeechAt);
    const delay = this.#options.endOfTurnDelayMs - silentMs;
    // Even with no delay, commit after the current event: the STT reports its metrics right after
    // the final transcript, and the turn should carry them.
    if (delay <= 0) queueMicrotask(() => this.#commit(token));
    else this.#timer = setTimeout(() => this.#commit(token), delay);
  }

  #commit(token: number): void {
    this.#timer = undefined;
    if (token !== this.#commitToken || this.#closed) return;
    if (this.#speaking || this.#interimPending || this.#parts.length === 0) return;
    const turn: UserTurnInfo = {
      text: this.#parts.join(' '),
      endOfSpeechAt: this.#endOfSpeechAt,
      sttLatencyMs: this.#sttLatencyMs,
      ...(this.#language !== undefined ? { language: this.#language } : {}),
    };
    this.#parts = [];
    this.#sttLatencyMs = null;
    this.#endOfSpeechAt = null;
    this.#language = undefined;
    this.#options.callbacks.endOfTurn(turn);
  }

  #cancelCommit(): void {
    this.#commitToken++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Wall-clock time of a moment on the audio clock. */
  #wallTime(atMs: number): number {
    return performance.now() - Math.max(0, this.#clockMs - atMs);
  }
}
