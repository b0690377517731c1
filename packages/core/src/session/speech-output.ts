import { type AudioFrame, frameDurationMs } from '@x/audio';
import type { AudioOutput, PlayoutResult } from '../audio-io/audio-output.js';

/**
 * The `AudioOutput` the TTS writes one speech into. It forwards audio to the session's output and
 * keeps the speech in ONE output segment: the TTS ends a segment after every utterance (here: every
 * sentence), so those `flush()` calls are taken as sentence boundaries instead, and the real output
 * is flushed once, by `finish()`, at the end of the speech. It measures each sentence's audio (for
 * what-was-heard estimation) and notes when the first audio reached the output.
 */
export class SpeechOutput implements AudioOutput {
  readonly #target: AudioOutput;
  readonly #onFirstAudio: () => void;
  /** Audio of each finished sentence, in order. */
  readonly #sentenceMs: number[] = [];
  #currentMs = 0;
  #pushedMs = 0;
  /** No more audio is taken (finished or interrupted). */
  #stopped = false;
  #interrupted = false;

  constructor(target: AudioOutput, onFirstAudio: () => void) {
    this.#target = target;
    this.#onFirstAudio = onFirstAudio;
  }

  get sampleRate(): number | undefined {
    return this.#target.sampleRate;
  }

  /** Audio of this speech played so far. */
  get playedMs(): number {
    return this.#pushedMs > 0 ? Math.min(this.#target.playedMs, this.#pushedMs) : 0;
  }

  /** Audio of this speech handed to the output so far. */
  get pushedMs(): number {
    return this.#pushedMs;
  }

  /** Audio per sentence: finished sentences, then the one still arriving (if it has audio). */
  get sentenceAudioMs(): number[] {
    return this.#currentMs > 0 ? [...this.#sentenceMs, this.#currentMs] : [...this.#sentenceMs];
  }

  /** Sentences whose audio is complete. */
  get finishedSentences(): number {
    return this.#sentenceMs.length;
  }

  push(frame: AudioFrame): void {
    if (this.#stopped || frame.samplesPerChannel === 0) return;
    const ms = frameDurationMs(frame);
    if (this.#pushedMs === 0) this.#onFirstAudio();
    this.#pushedMs += ms;
    this.#currentMs += ms;
    this.#target.push(frame);
  }

  /** The TTS finished one utterance (a sentence): recorded, not passed on. */
  flush(): void {
    if (this.#stopped) return;
    this.#sentenceMs.push(this.#currentMs);
    this.#currentMs = 0;
  }

  /** Stops playout now (also while a finished speech is still playing out). */
  interrupt(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#stopped = true;
    if (this.#pushedMs > 0) this.#target.interrupt();
  }

  waitForPlayout(): Promise<PlayoutResult> {
    return this.#target.waitForPlayout();
  }

  /** The speech's audio is complete: lets the output play it out. */
  finish(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#pushedMs > 0) this.#target.flush();
  }
}
