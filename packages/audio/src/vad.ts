import { AudioFormatError } from './errors.js';
import type { AudioFrame } from './frame.js';
import { assertSampleRate } from './rates.js';

export interface VADOptions {
  sampleRate: number;
  /** An analysis frame whose RMS level is at or above this is "loud" (default −40 dBFS). */
  thresholdDbfs?: number;
  /** Loud audio must last this long before speech_start is reported (default 100 ms). */
  minSpeechMs?: number;
  /** Quiet audio must last this long before speech_end is reported (default 300 ms). */
  minSilenceMs?: number;
  /** Analysis frame length (default 10 ms; rounded to whole samples). */
  frameMs?: number;
}

export type VADEvent = { type: 'speech_start' | 'speech_end'; timestampMs: number };

export const VAD_DEFAULTS = Object.freeze({
  thresholdDbfs: -40,
  minSpeechMs: 100,
  minSilenceMs: 300,
  frameMs: 10,
});

function checkFinite(option: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new AudioFormatError(
      'invalid_option',
      `${option} must be a finite number ≥ ${min}; received ${String(value)}`,
    );
  }
}

/**
 * Energy-based voice activity detector.
 *
 * The audio (downmixed to mono) is cut into analysis frames of `frameMs`, counted from the first
 * sample pushed; partial frames are carried across calls, so any chunking gives the same events.
 * A frame is loud when its RMS level ≥ `thresholdDbfs`.
 * - `speech_start` is reported once loud frames have run for ⌈minSpeechMs / frameMs⌉ frames in a
 *   row; its `timestampMs` is the start of the first loud frame of that run (the onset), so the
 *   event arrives about `minSpeechMs` after the time it names. Shorter bursts are ignored.
 * - `speech_end` is reported, while speaking, once quiet frames have run for
 *   ⌈minSilenceMs / frameMs⌉ frames in a row; its `timestampMs` is the start of the first quiet
 *   frame of that run (the end of the last loud frame). Shorter pauses do not end speech.
 * - `flush()` analyses a trailing partial frame and, if speech is still open, ends it at the start
 *   of the current quiet run or, if there is none, at the end of the audio. The clock keeps running.
 * Timestamps are ms since the first sample pushed (after construction or `reset()`).
 */
export class EnergyVAD {
  readonly sampleRate: number;
  readonly thresholdDbfs: number;
  readonly minSpeechMs: number;
  readonly minSilenceMs: number;
  readonly frameMs: number;
  /** Samples per analysis frame. */
  readonly frameSamples: number;

  readonly #minSpeechFrames: number;
  readonly #minSilenceFrames: number;
  /** Mean-square threshold in (int16 units)², compared without a log per frame. */
  readonly #thresholdPower: number;

  #speaking = false;
  #samplesSeen = 0;
  #pendingCount = 0;
  #pendingSumSquares = 0;
  /** Start sample and length (in frames) of the current run of loud (idle) or quiet (speaking) frames. */
  #runStart = 0;
  #runFrames = 0;

  constructor(options: VADOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AudioFormatError('invalid_option', 'EnergyVAD needs an options object');
    }
    const {
      sampleRate,
      thresholdDbfs = VAD_DEFAULTS.thresholdDbfs,
      minSpeechMs = VAD_DEFAULTS.minSpeechMs,
      minSilenceMs = VAD_DEFAULTS.minSilenceMs,
      frameMs = VAD_DEFAULTS.frameMs,
    } = options;
    assertSampleRate(sampleRate);
    if (typeof thresholdDbfs !== 'number' || Number.isNaN(thresholdDbfs) || thresholdDbfs > 0) {
      throw new AudioFormatError(
        'invalid_option',
        `thresholdDbfs must be a number ≤ 0; received ${String(thresholdDbfs)}`,
      );
    }
    checkFinite('minSpeechMs', minSpeechMs, 0);
    checkFinite('minSilenceMs', minSilenceMs, 0);
    checkFinite('frameMs', frameMs, 0);
    const frameSamples = Math.round((sampleRate * frameMs) / 1000);
    if (frameSamples < 1) {
      throw new AudioFormatError(
        'invalid_option',
        `frameMs ${frameMs} is shorter than one sample at ${sampleRate} Hz`,
      );
    }
    this.sampleRate = sampleRate;
    this.thresholdDbfs = thresholdDbfs;
    this.minSpeechMs = minSpeechMs;
    this.minSilenceMs = minSilenceMs;
    this.frameMs = frameMs;
    this.frameSamples = frameSamples;
    const actualFrameMs = (frameSamples * 1000) / sampleRate;
    this.#minSpeechFrames = Math.max(1, Math.ceil(minSpeechMs / actualFrameMs - 1e-9));
    this.#minSilenceFrames = Math.max(1, Math.ceil(minSilenceMs / actualFrameMs - 1e-9));
    this.#thresholdPower = 32768 * 32768 * 10 ** (thresholdDbfs / 10);
  }

  /** True between speech_start and speech_end. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Analyses a frame (any channel count, at `sampleRate`); returns the events it completed. */
  process(frame: AudioFrame): VADEvent[] {
    if (frame.sampleRate !== this.sampleRate) {
      throw new AudioFormatError(
        'format_mismatch',
        `EnergyVAD expects ${this.sampleRate} Hz audio; received ${frame.sampleRate} Hz (resample first)`,
      );
    }
    const events: VADEvent[] = [];
    const data = frame.data;
    const channels = frame.channels;
    const n = frame.samplesPerChannel;
    const frameSamples = this.frameSamples;
    let count = this.#pendingCount;
    let sum = this.#pendingSumSquares;
    for (let i = 0; i < n; i++) {
      let v: number;
      if (channels === 1) {
        v = data[i]!;
      } else {
        v = 0;
        for (let c = 0, s = i * channels; c < channels; c++, s++) v += data[s]!;
        v /= channels;
      }
      sum += v * v;
      if (++count === frameSamples) {
        this.#frame(sum / count, count, events);
        count = 0;
        sum = 0;
      }
    }
    this.#pendingCount = count;
    this.#pendingSumSquares = sum;
    return events;
  }

  /** Analyses the trailing partial frame and closes open speech (see class notes). */
  flush(): VADEvent[] {
    const events: VADEvent[] = [];
    if (this.#pendingCount > 0) {
      this.#frame(this.#pendingSumSquares / this.#pendingCount, this.#pendingCount, events);
      this.#pendingCount = 0;
      this.#pendingSumSquares = 0;
    }
    if (this.#speaking) {
      const end = this.#runFrames > 0 ? this.#runStart : this.#samplesSeen;
      events.push({ type: 'speech_end', timestampMs: this.#ms(end) });
      this.#speaking = false;
    }
    this.#runFrames = 0;
    return events;
  }

  /** Forgets all state; the clock restarts at 0. */
  reset(): void {
    this.#speaking = false;
    this.#samplesSeen = 0;
    this.#pendingCount = 0;
    this.#pendingSumSquares = 0;
    this.#runStart = 0;
    this.#runFrames = 0;
  }

  #ms(sample: number): number {
    return (sample * 1000) / this.sampleRate;
  }

  #frame(meanSquare: number, length: number, events: VADEvent[]): void {
    const start = this.#samplesSeen;
    this.#samplesSeen += length;
    const loud = meanSquare >= this.#thresholdPower && meanSquare > 0;
    // While idle the run counts loud frames; while speaking it counts quiet frames.
    if (loud !== this.#speaking) {
      if (this.#runFrames === 0) this.#runStart = start;
      this.#runFrames++;
      const needed = this.#speaking ? this.#minSilenceFrames : this.#minSpeechFrames;
      if (this.#runFrames >= needed) {
        this.#speaking = !this.#speaking;
        events.push({
          type: this.#speaking ? 'speech_start' : 'speech_end',
          timestampMs: this.#ms(this.#runStart),
        });
        this.#runFrames = 0;
      }
    } else {
      this.#runFrames = 0;
    }
  }
}
