import type { ServerVadConfig } from './protocol.js';

/** Frame length of the simulator's server VAD; event times are exact to one frame. */
export const VAD_FRAME_MS = 20;

/**
 * Maps xAI's `threshold` (0.1–0.9, higher = less sensitive) to a frame RMS level in dBFS:
 * `dBFS = -60 + 40 × threshold` (0.1 → -56 dBFS, 0.5 → -40 dBFS, 0.85 → -26 dBFS, 0.9 → -24 dBFS).
 */
export function thresholdToDbfs(threshold: number): number {
  return -60 + 40 * threshold;
}

export interface ServerVadListener {
  /**
   * Speech began in the frame starting at `startSample`; `prefix` holds up to `prefix_padding_ms`
   * of audio before that frame (the audio xAI says is kept in front of the speech).
   */
  speechStarted(startSample: number, prefix: Int16Array): void;
  /** Audio of the current speech segment (speech frames and the silence that follows them). */
  speechAudio(samples: Int16Array): void;
  /** `silence_duration_ms` of silence followed the last voiced frame, which ended at `endSample`. */
  speechStopped(endSample: number): void;
}

/**
 * Energy VAD that runs on audio time (sample counts), not wall time, so its events are
 * deterministic: 20 ms frames, a frame is voiced when its RMS reaches the threshold, speech starts
 * at the first voiced frame, and stops once `silence_duration_ms` of unvoiced audio has followed.
 * Sample positions count from the first sample this detector saw.
 */
export class ServerVad {
  private readonly frameSamples: number;
  private readonly frame: Int16Array;
  private fill = 0;
  private sumSquares = 0;
  private readonly thresholdSquared: number;
  private readonly silenceLimit: number;
  private readonly ring: Int16Array;
  private ringWrite = 0;
  private ringFill = 0;
  private processed = 0;
  private speakingNow = false;
  private silentRun = 0;
  private lastVoicedEnd = 0;

  constructor(
    readonly sampleRate: number,
    readonly config: ServerVadConfig,
    private readonly listener: ServerVadListener,
  ) {
    this.frameSamples = Math.round((sampleRate * VAD_FRAME_MS) / 1000);
    this.frame = new Int16Array(this.frameSamples);
    const level = 10 ** (thresholdToDbfs(config.threshold) / 20) * 32768;
    this.thresholdSquared = level * level;
    this.silenceLimit = Math.round((config.silence_duration_ms * sampleRate) / 1000);
    this.ring = new Int16Array(Math.round((config.prefix_padding_ms * sampleRate) / 1000));
  }

  get speaking(): boolean {
    return this.speakingNow;
  }

  /** Samples fed so far (including a partial frame not yet judged). */
  get position(): number {
    return this.processed + this.fill;
  }

  push(samples: Int16Array): void {
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(this.frameSamples - this.fill, samples.length - i);
      let sum = this.sumSquares;
      for (let k = 0; k < take; k++) {
        const s = samples[i + k] ?? 0;
        this.frame[this.fill + k] = s;
        sum += s * s;
      }
      this.sumSquares = sum;
      this.fill += take;
      i += take;
      if (this.fill === this.frameSamples) this.endFrame();
    }
  }

  /** Ends the current speech segment without an event (a manual commit or clear); keeps the clock. */
  interrupt(): void {
    this.speakingNow = false;
    this.silentRun = 0;
    this.ringFill = 0;
    this.ringWrite = 0;
  }

  private endFrame(): void {
    const n = this.fill;
    const voiced = this.sumSquares / n >= this.thresholdSquared;
    const frameStart = this.processed;
    this.processed += n;
    this.fill = 0;
    this.sumSquares = 0;
    if (!this.speakingNow) {
      if (voiced) {
        this.speakingNow = true;
        this.silentRun = 0;
        this.lastVoicedEnd = this.processed;
        const prefix = this.takeRing();
        this.listener.speechStarted(frameStart, prefix);
        this.listener.speechAudio(this.frame.slice());
      } else {
        this.pushRing(this.frame);
      }
      return;
    }
    this.listener.speechAudio(this.frame.slice());
    if (voiced) {
      this.silentRun = 0;
      this.lastVoicedEnd = this.processed;
      return;
    }
    this.silentRun += n;
    if (this.silentRun >= this.silenceLimit) {
      this.speakingNow = false;
      this.silentRun = 0;
      this.listener.speechStopped(this.lastVoicedEnd);
    }
  }

  private pushRing(samples: Int16Array): void {
    const cap = this.ring.length;
    if (cap === 0) return;
    let src = samples;
    if (src.length > cap) src = src.subarray(src.length - cap);
    const first = Math.min(src.length, cap - this.ringWrite);
    this.ring.set(src.subarray(0, first), this.ringWrite);
    if (first < src.length) this.ring.set(src.subarray(first), 0);
    this.ringWrite = (this.ringWrite + src.length) % cap;
    this.ringFill = Math.min(cap, this.ringFill + src.length);
  }

  private takeRing(): Int16Array {
    const cap = this.ring.length;
    const out = new Int16Array(this.ringFill);
    if (this.ringFill > 0) {
      const start = (this.ringWrite - this.ringFill + cap) % cap;
      const first = Math.min(this.ringFill, cap - start);
      out.set(this.ring.subarray(start, start + first), 0);
      if (first < this.ringFill) out.set(this.ring.subarray(0, this.ringFill - first), first);
    }
    this.ringFill = 0;
    this.ringWrite = 0;
    return out;
  }
}
