import { AudioFormatError } from '../errors.js';
import { type AudioFrame, createAudioFrame } from '../frame.js';
import { assertChannels, assertSampleRate } from '../rates.js';
import {
  MAX_PHASES,
  type PolyphaseFilter,
  polyphaseFilter,
  RESAMPLER_QUALITIES,
  type ResamplerQuality,
} from './filter.js';
import { polyphaseKernel } from './kernel.js';
import { roundInt16 } from '../round.js';

export interface StreamingResamplerOptions {
  inputRate: number;
  outputRate: number;
  /** Interleaved channels in and out (default 1). */
  channels?: number;
  /** Filter preset (default 'high'). */
  quality?: ResamplerQuality;
}

const FLOAT_SCALE = 32768;
/** Input frames appended per kernel pass, so the history stays small and cache-resident. */
const BLOCK_FRAMES = 4096;
const EMPTY_INT16 = new Int16Array(0);

/**
 * Stateful rational (L/M) polyphase windowed-sinc resampler for interleaved PCM.
 *
 * Output sample n is the band-limited input evaluated at time n / outputRate: the output is
 * aligned with the input (no leading delay to trim), and `inputSamples × outputRate / inputRate`
 * samples (rounded up) come out in total once `flush()` is called. To do that it needs
 * `K` input samples of look-ahead, so `process()` holds back the newest `latencySamples` output
 * samples (per channel) until more input or `flush()` arrives. Feeding a signal in chunks of any
 * size (including 0 and 1) produces bit-identical output to feeding it at once.
 */
export class StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly channels: number;
  readonly quality: ResamplerQuality;
  /** Output samples per channel that `process()` holds back until more input arrives (the delay). */
  readonly latencySamples: number;

  readonly #filter: PolyphaseFilter | undefined;
  /** Per-channel input history in int16 units; index 0 is absolute input index `#bufferStart`. */
  #history: Float64Array[] = [];
  #historyLength = 0;
  #bufferStart = 0;
  /** Absolute input index ⌊nM/L⌋ and phase nM mod L of the next output sample n. */
  #nextInput = 0;
  #phase = 0;
  #inputCount = 0;
  #outputCount = 0;
  #scratch = new Float64Array(0);

  constructor(options: StreamingResamplerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AudioFormatError('invalid_option', 'StreamingResampler needs an options object');
    }
    const { inputRate, outputRate, channels = 1, quality = 'high' } = options;
    assertSampleRate(inputRate, 'inputRate');
    assertSampleRate(outputRate, 'outputRate');
    assertChannels(channels);
    if (!RESAMPLER_QUALITIES.includes(quality)) {
      throw new AudioFormatError(
        'invalid_option',
        `quality must be one of ${RESAMPLER_QUALITIES.map((q) => `'${q}'`).join(', ')}; received ${String(quality)}`,
      );
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.channels = channels;
    this.quality = quality;
    if (inputRate === outputRate) {
      this.#filter = undefined;
      this.latencySamples = 0;
    } else {
      const filter = polyphaseFilter(inputRate, outputRate, quality);
      if (filter.L > MAX_PHASES) {
        throw new AudioFormatError(
          'unsupported_rate_pair',
          `cannot resample ${inputRate} → ${outputRate} Hz: the ratio ${filter.L}/${filter.M} needs more than ${MAX_PHASES} filter phases`,
        );
      }
      this.#filter = filter;
      this.latencySamples = Math.ceil((filter.K * filter.L) / filter.M);
    }
    this.reset();
  }

  /** `latencySamples` in milliseconds. */
  get latencyMs(): number {
    return (this.latencySamples * 1000) / this.outputRate;
  }

  /** Resamples interleaved PCM16. May return fewer samples than the ratio implies (see latencySamples). */
  process(samples: Int16Array): Int16Array {
    this.#checkLength(samples.length);
    if (this.#filter === undefined) {
      this.#inputCount += samples.length / this.channels;
      return samples.slice();
    }
    const out = new Int16Array(this.#outputsAfter(samples.length / this.channels) * this.channels);
    this.#feed(samples, 1, out);
    return out;
  }

  /** Like `process` for a frame; checks its rate and channel count. May return an empty frame. */
  processFrame(frame: AudioFrame): AudioFrame {
    if (frame.sampleRate !== this.inputRate || frame.channels !== this.channels) {
      throw new AudioFormatError(
        'format_mismatch',
        `this resampler takes ${this.inputRate} Hz × ${this.channels} ch frames; received ${frame.sampleRate} Hz × ${frame.channels} ch`,
      );
    }
    return createAudioFrame(this.process(frame.data), this.outputRate, this.channels);
  }

  /** Float variant of `process` for samples in [-1, 1] (no int16 rounding or clipping on output). */
  processFloat32(samples: Float32Array): Float32Array {
    this.#checkLength(samples.length);
    if (this.#filter === undefined) {
      this.#inputCount += samples.length / this.channels;
      return samples.slice();
    }
    const out = new Float32Array(this.#outputsAfter(samples.length / this.channels) * this.channels);
    this.#feed(samples, FLOAT_SCALE, out);
    return out;
  }

  /** Emits the held-back tail (input padded with silence) and resets, ready for a new stream. */
  flush(): Int16Array {
    if (this.#filter === undefined) {
      this.reset();
      return EMPTY_INT16;
    }
    const out = new Int16Array(this.#remainingOutputs() * this.channels);
    this.#drain(out);
    this.reset();
    return out;
  }

  /** Float variant of `flush`. */
  flushFloat32(): Float32Array {
    if (this.#filter === undefined) {
      this.reset();
      return new Float32Array(0);
    }
    const out = new Float32Array(this.#remainingOutputs() * this.channels);
    this.#drain(out);
    this.reset();
    return out;
  }

  /** Forgets all buffered input, as if newly constructed. */
  reset(): void {
    const filter = this.#filter;
    this.#inputCount = 0;
    this.#outputCount = 0;
    this.#nextInput = 0;
    this.#phase = 0;
    if (filter === undefined) return;
    // Output 0 needs input indices 1−K … K; indices below 0 are silence.
    const lead = filter.K - 1;
    this.#bufferStart = -lead;
    this.#historyLength = lead;
    if (this.#history.length === this.channels) {
      for (const h of this.#history) h.fill(0, 0, lead);
    } else {
      const capacity = filter.taps + BLOCK_FRAMES + 64;
      this.#history = [];
      for (let c = 0; c < this.channels; c++) this.#history.push(new Float64Array(capacity));
    }
  }

  #checkLength(length: number): void {
    if (length % this.channels !== 0) {
      throw new AudioFormatError(
        'partial_sample_frame',
        `received ${length} samples, which is not a whole number of ${this.channels}-channel sample frames`,
      );
    }
  }

  #ensureCapacity(extra: number): void {
    const needed = this.#historyLength + extra;
    const current = this.#history[0]!.length;
    if (needed <= current) return;
    const capacity = Math.max(needed, current * 2);
    for (let c = 0; c < this.channels; c++) {
      const grown = new Float64Array(capacity);
      grown.set(this.#history[c]!.subarray(0, this.#historyLength));
      this.#history[c] = grown;
    }
  }

  /** How many outputs `#run` could produce if `extraFrames` more input frames were appended. */
  #outputsAfter(extraFrames: number): number {
    const { L, M, K } = this.#filter!;
    const lastIndex = this.#bufferStart + this.#historyLength - 1 + extraFrames;
    const span = lastIndex - K - this.#nextInput; // largest ⌊(phase + jM)/L⌋ allowed
    if (span < 0) return 0;
    return Math.ceil(((span + 1) * L - this.#phase) / M);
  }

  /** Outputs still owed for the input seen so far (⌈inputCount·L/M⌉ minus those emitted). */
  #remainingOutputs(): number {
    const { L, M } = this.#filter!;
    return Math.max(0, Math.ceil((this.#inputCount * L) / M) - this.#outputCount);
  }

  /** Appends input block by block (keeping the history small) and writes every ready output. */
  #feed(samples: Int16Array | Float32Array, scale: number, out: Int16Array | Float32Array): void {
    const channels = this.channels;
    const frames = samples.length / channels;
    let written = 0;
    for (let f = 0; f < frames; f += BLOCK_FRAMES) {
      const n = Math.min(BLOCK_FRAMES, frames - f);
      this.#append(samples, f, n, scale);
      const count = this.#run(Number.POSITIVE_INFINITY);
      this.#write(out, written, count);
      written += count;
    }
  }

  #append(samples: Int16Array | Float32Array, fromFrame: number, frames: number, scale: number): void {
    const channels = this.channels;
    this.#ensureCapacity(frames);
    const start = this.#historyLength;
    for (let c = 0; c < channels; c++) {
      const h = this.#history[c]!;
      if (scale === 1 && channels === 1) {
        h.set(samples.subarray(fromFrame, fromFrame + frames), start);
      } else {
        for (let i = 0, s = fromFrame * channels + c; i < frames; i++, s += channels)
          h[start + i] = samples[s]! * scale;
      }
    }
    this.#historyLength += frames;
    this.#inputCount += frames;
  }

  /** Computes every output whose input window is available (at most `limit`); returns the count. */
  #run(limit: number): number {
    const filter = this.#filter!;
    const { L, M, K } = filter;
    let count = this.#outputsAfter(0);
    if (count > limit) count = limit;
    if (count <= 0) return 0;
    const channels = this.channels;
    if (this.#scratch.length < count * channels) this.#scratch = new Float64Array(count * channels);
    const base0 = this.#nextInput + 1 - K - this.#bufferStart;
    for (let c = 0; c < channels; c++) {
      const out = channels === 1 ? this.#scratch : this.#scratch.subarray(c * count, (c + 1) * count);
      polyphaseKernel(this.#history[c]!, filter, this.#phase, base0, count, out);
    }
    const total = this.#phase + count * M;
    this.#phase = total % L;
    this.#nextInput += (total - this.#phase) / L;
    this.#outputCount += count;
    // Drop input no later output needs.
    const keepFrom = this.#nextInput + 1 - K - this.#bufferStart;
    if (keepFrom > 0) {
      const keep = this.#historyLength - keepFrom;
      for (let c = 0; c < channels; c++) this.#history[c]!.copyWithin(0, keepFrom, this.#historyLength);
      this.#historyLength = keep;
      this.#bufferStart += keepFrom;
    }
    return count;
  }

  /** Pads with silence and writes the remaining outputs (up to ⌈inputCount·L/M⌉) into `out`. */
  #drain(out: Int16Array | Float32Array): void {
    const { L, M, K } = this.#filter!;
    const remaining = this.#remainingOutputs();
    if (remaining <= 0) return;
    const lastNeeded = this.#nextInput + Math.floor((this.#phase + (remaining - 1) * M) / L) + K;
    const zeros = lastNeeded - (this.#bufferStart + this.#historyLength - 1);
    if (zeros > 0) {
      this.#ensureCapacity(zeros);
      for (let c = 0; c < this.channels; c++) {
        this.#history[c]!.fill(0, this.#historyLength, this.#historyLength + zeros);
      }
      this.#historyLength += zeros;
    }
    const count = this.#run(remaining);
    this.#write(out, 0, count);
  }

  /** Interleaves `count` planar scratch outputs into `out` at sample frame `at`. */
  #write(out: Int16Array | Float32Array, at: number, count: number): void {
    const channels = this.channels;
    const scratch = this.#scratch;
    if (out instanceof Int16Array) {
      for (let c = 0; c < channels; c++) {
        const offset = c * count;
        for (let i = 0, o = at * channels + c; i < count; i++, o += channels) {
          const v = scratch[offset + i]!;
          out[o] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : roundInt16(v);
        }
      }
      return;
    }
    const inv = 1 / FLOAT_SCALE;
    for (let c = 0; c < channels; c++) {
      const offset = c * count;
      for (let i = 0, o = at * channels + c; i < count; i++, o += channels)
        out[o] = scratch[offset + i]! * inv;
    }
  }
}
