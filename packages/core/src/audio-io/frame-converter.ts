import { type AudioFrame, type ResamplerQuality, StreamingResampler } from '@x/audio';

/** Milliseconds of audio in `frame`. */
export function durationOfMs(frame: AudioFrame): number {
  return frame.sampleRate > 0 ? (frame.samplesPerChannel * 1000) / frame.sampleRate : 0;
}

/** A frame object over `data` (no copy). */
export function makeFrame(data: Int16Array, sampleRate: number, channels = 1): AudioFrame {
  return { data, sampleRate, channels, samplesPerChannel: Math.floor(data.length / channels) };
}

/**
 * Brings frames to one sample rate with a stateful resampler per input format, so chunk edges do not
 * click. Without a target rate it passes frames through. `flush()` drains the resampler's tail at
 * the end of a segment; `reset()` drops it (interruption).
 */
export class FrameRateConverter {
  readonly targetRate: number | undefined;
  readonly #quality: ResamplerQuality | undefined;
  #resampler: StreamingResampler | undefined;

  constructor(targetRate: number | undefined, quality?: ResamplerQuality) {
    this.targetRate = targetRate;
    this.#quality = quality;
  }

  /** The frame at the target rate (possibly empty while the resampler fills), or as given. */
  convert(frame: AudioFrame): AudioFrame[] {
    if (this.targetRate === undefined || frame.sampleRate === this.targetRate) {
      return [...this.flush(), frame];
    }
    const out: AudioFrame[] = [];
    const current = this.#resampler;
    if (current && (current.inputRate !== frame.sampleRate || current.channels !== frame.channels)) {
      out.push(...this.flush());
    }
    if (!this.#resampler) {
      this.#resampler = new StreamingResampler({
        inputRate: frame.sampleRate,
        outputRate: this.targetRate,
        channels: frame.channels,
        ...(this.#quality ? { quality: this.#quality } : {}),
      });
    }
    const samples = this.#resampler.process(frame.data);
    if (samples.length > 0) out.push(makeFrame(samples, this.targetRate, frame.channels));
    return out;
  }

  /** The resampler's remaining output, if any; the next frame starts a fresh stream. */
  flush(): AudioFrame[] {
    const resampler = this.#resampler;
    if (!resampler) return [];
    this.#resampler = undefined;
    const tail = resampler.flush();
    return tail.length > 0 ? [makeFrame(tail, resampler.outputRate, resampler.channels)] : [];
  }

  /** Drops any buffered input. */
  reset(): void {
    this.#resampler = undefined;
  }
}
