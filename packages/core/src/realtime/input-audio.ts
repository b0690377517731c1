import { type AudioFrame, type ResamplerQuality, remix, StreamingResampler } from '@x/audio';

const EMPTY = new Int16Array(0);

/**
 * Converts user audio of any rate and channel count to mono PCM16 at one target rate. The format
 * is read from each frame (never guessed from buffer lengths); channels are mixed with `remix`, and
 * the rate is changed by one stateful `StreamingResampler` per input rate, so chunk edges do not
 * click. A frame at a new rate drains the previous resampler first, keeping the stream in order.
 */
export class RealtimeInputConverter {
  readonly targetRate: number;
  readonly #quality: ResamplerQuality | undefined;
  #resampler: StreamingResampler | undefined;

  constructor(targetRate: number, quality?: ResamplerQuality) {
    this.targetRate = targetRate;
    this.#quality = quality;
  }

  /** Mono samples at `targetRate` for `frame` (possibly several chunks, possibly empty ones). */
  convert(frame: AudioFrame): Int16Array[] {
    if (!Number.isFinite(frame.sampleRate) || frame.sampleRate <= 0 || frame.channels < 1) {
      throw new RangeError(
        `audio frame has an invalid format (${frame.sampleRate} Hz × ${frame.channels} channels)`,
      );
    }
    const mono = frame.channels === 1 ? frame.data : remix(frame, 1).data;
    const out: Int16Array[] = [];
    if (frame.sampleRate === this.targetRate) {
      if (this.#resampler) {
        const tail = this.flush();
        if (tail.length > 0) out.push(tail);
      }
      out.push(mono);
      return out;
    }
    if (this.#resampler && this.#resampler.inputRate !== frame.sampleRate) {
      const tail = this.flush();
      if (tail.length > 0) out.push(tail);
    }
    if (!this.#resampler) {
      this.#resampler = new StreamingResampler({
        inputRate: frame.sampleRate,
        outputRate: this.targetRate,
        channels: 1,
        ...(this.#quality ? { quality: this.#quality } : {}),
      });
    }
    out.push(this.#resampler.process(mono));
    return out;
  }

  /** Drains the resampler's delayed tail; the next frame starts a fresh stream. */
  flush(): Int16Array {
    const resampler = this.#resampler;
    if (!resampler) return EMPTY;
    this.#resampler = undefined;
    return resampler.flush();
  }

  /** Drops buffered input without emitting it. */
  reset(): void {
    this.#resampler = undefined;
  }
}

/**
 * Groups a stream of sample chunks into batches of a fixed size (the last one may be shorter on
 * `flush`), so the provider sends one message per 20–100 ms instead of one per tiny frame.
 */
export class RealtimeSampleBatcher {
  readonly samplesPerBatch: number;
  #buffer: Int16Array;
  #filled = 0;

  constructor(samplesPerBatch: number) {
    if (!Number.isInteger(samplesPerBatch) || samplesPerBatch <= 0) {
      throw new RangeError(`samplesPerBatch must be a positive integer, got ${samplesPerBatch}`);
    }
    this.samplesPerBatch = samplesPerBatch;
    this.#buffer = new Int16Array(samplesPerBatch);
  }

  /** Samples waiting for a full batch. */
  get pending(): number {
    return this.#filled;
  }

  /** Complete batches, in order. */
  push(samples: Int16Array): Int16Array[] {
    const out: Int16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.samplesPerBatch - this.#filled, samples.length - offset);
      this.#buffer.set(samples.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.samplesPerBatch) {
        out.push(this.#buffer);
        this.#buffer = new Int16Array(this.samplesPerBatch);
        this.#filled = 0;
      }
    }
    return out;
  }

  /** The partial batch, if any. */
  flush(): Int16Array | undefined {
    if (this.#filled === 0) return undefined;
    const out = this.#buffer.slice(0, this.#filled);
    this.#filled = 0;
    return out;
  }

  reset(): void {
    this.#filled = 0;
  }
}
