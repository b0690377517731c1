import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createAudioFrame, encodeWav } from '@x/audio';
import { MemoryAudioOutput, type PlayoutClock, systemClock } from '@x/core';

export interface CallRecorderOptions {
  /** Rate of the recording (agent audio at other rates is resampled to it). */
  sampleRate: number;
  /** Playout clock (default: the wall clock), so barge-in cuts audio where a listener would. */
  clock?: PlayoutClock;
}

/**
 * The agent's side of a call, as a speaker would have played it: an `AudioOutput` that plays in
 * real time (so an interruption keeps only what was heard) and remembers when each utterance
 * started, so `recording()` lays the utterances on the call's timeline with the silences between.
 */
export class CallRecorder extends MemoryAudioOutput {
  readonly #t0: number;
  readonly #starts: number[] = [];

  constructor(options: CallRecorderOptions) {
    const clock = options.clock ?? systemClock;
    super({ sampleRate: options.sampleRate, realtime: clock, resamplerQuality: 'high' });
    this.#t0 = clock.now();
    this.on('segment_started', (index) => {
      this.#starts[index] = clock.now() - this.#t0;
    });
  }

  /** When the first utterance starting at or after `at` (the clock's time) started, or null. */
  firstStartAfter(at: number): number | null {
    for (const start of this.#starts) {
      if (start !== undefined && start + this.#t0 >= at) return start + this.#t0;
    }
    return null;
  }

  /** The call's agent audio: each utterance's played part at its start time, silence between. */
  recording(): Int16Array {
    const rate = this.sampleRate!;
    const parts: Array<{ at: number; samples: Int16Array }> = [];
    let end = 0;
    this.segments.forEach((segment, i) => {
      const played = Math.round((segment.playedMs * rate) / 1000);
      const samples = new Int16Array(played);
      let filled = 0;
      for (const frame of segment.frames) {
        if (filled >= played) break;
        const take = Math.min(frame.data.length, played - filled);
        samples.set(frame.data.subarray(0, take), filled);
        filled += take;
      }
      const at = Math.max(end, Math.round(((this.#starts[i] ?? 0) * rate) / 1000));
      parts.push({ at, samples: samples.subarray(0, filled) });
      end = at + filled;
    });
    const tail = Math.round(rate * 0.2);
    const out = new Int16Array(end + (parts.length > 0 ? tail : 0));
    for (const part of parts) out.set(part.samples, part.at);
    return out;
  }

  /** Writes `recording()` as a 16-bit mono WAV (creating the directory); returns its duration in ms. */
  async writeWav(path: string): Promise<number> {
    const samples = this.recording();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, encodeWav(createAudioFrame(samples, this.sampleRate!)));
    return (samples.length * 1000) / this.sampleRate!;
  }
}
