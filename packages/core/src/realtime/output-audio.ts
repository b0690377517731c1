import { type AudioFrame, type ResamplerQuality, StreamingResampler } from '@x/audio';

/**
 * Brings agent audio (mono PCM16 at the session's output rate) to the rate an `AudioOutput`
 * prefers, with one stateful resampler per reply so chunk edges do not click. Passes frames
 * through when the output takes any rate or already matches.
 */
export class RealtimeOutputConverter {
  readonly inputRate: number;
  readonly #targetRate: number | undefined;
  readonly #quality: ResamplerQuality | undefined;
  #resampler: StreamingResampler | undefined;

  constructor(inputRate: number, targetRate: number | undefined, quality?: ResamplerQuality) {
    this.inputRate = inputRate;
    this.#targetRate = targetRate;
    this.#quality = quality;
  }

  get targetRate(): number {
    return this.#targetRate ?? this.inputRate;
  }

  convert(samples: Int16Array): AudioFrame | undefined {
    const target = this.targetRate;
    if (target === this.inputRate) return frame(samples, target);
    this.#resampler ??= new StreamingResampler({
      inputRate: this.inputRate,
      outputRate: target,
      channels: 1,
      ...(this.#quality ? { quality: this.#quality } : {}),
    });
    return frame(this.#resampler.process(samples), target);
  }

  /** The resampler's tail at the end of a reply. */
  flush(): AudioFrame | undefined {
    const resampler = this.#resampler;
    this.#resampler = undefined;
    return resampler ? frame(resampler.flush(), this.targetRate) : undefined;
  }

  reset(): void {
    this.#resampler = undefined;
  }
}

function frame(data: Int16Array, sampleRate: number): AudioFrame | undefined {
  return data.length > 0 ? { data, sampleRate, channels: 1, samplesPerChannel: data.length } : undefined;
}
