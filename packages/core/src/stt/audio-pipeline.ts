import {
  AudioFramer,
  type AudioFrame,
  createAudioFrame,
  frameToBytes,
  type ResamplerQuality,
  remix,
  StreamingResampler,
} from '@x/audio';
import { ConfigurationError } from '../errors/errors.js';
import type { STTAudioFormat } from './types.js';

export interface STTAudioPipelineOptions extends STTAudioFormat {
  /** Duration of the chunks handed to the provider. */
  chunkMs: number;
  resamplerQuality?: ResamplerQuality;
}

/**
 * Turns frames of any rate and channel count into fixed-duration chunks in the provider's format.
 * Conversion is explicit, from each frame's own format: `remix` to the provider's channel count,
 * then a `StreamingResampler` kept per input format (recreated, after draining the old one's tail,
 * when the input format changes), then an `AudioFramer` cutting fixed chunks.
 */
export class STTAudioPipeline {
  readonly format: STTAudioFormat;
  readonly chunkMs: number;
  readonly #quality: ResamplerQuality;
  readonly #framer: AudioFramer;
  /** Rate and channel count of the input the current resampler was made for (0 = none yet). */
  #inputRate = 0;
  #inputChannels = 0;
  #resampler: StreamingResampler | null = null;

  constructor(options: STTAudioPipelineOptions) {
    this.format = { sampleRate: options.sampleRate, channels: options.channels };
    this.chunkMs = options.chunkMs;
    this.#quality = options.resamplerQuality ?? 'high';
    this.#framer = new AudioFramer({
      sampleRate: options.sampleRate,
      channels: options.channels,
      samplesPerFrame: Math.max(1, Math.round((options.chunkMs * options.sampleRate) / 1000)),
    });
  }

  /** Audio not yet handed out as a whole chunk, in the provider's format. */
  get pendingSamples(): number {
    return this.#framer.pendingBytes / 2 / this.format.channels;
  }

  /** Converts one frame; returns the whole chunks now ready (possibly none). */
  push(frame: AudioFrame): Int16Array[] {
    validateFrame(frame);
    // The old resampler's tail, when the input format changed.
    let tail: Int16Array[] | null = null;
    if (frame.sampleRate !== this.#inputRate || frame.channels !== this.#inputChannels) {
      // The input format changed: finish the old resampler's tail before starting a new one.
      if (this.#resampler) tail = this.#write(this.#resampler.flush());
      this.#inputRate = frame.sampleRate;
      this.#inputChannels = frame.channels;
      this.#resampler =
        frame.sampleRate === this.format.sampleRate
          ? null
          : new StreamingResampler({
              inputRate: frame.sampleRate,
              outputRate: this.format.sampleRate,
              channels: this.format.channels,
              quality: this.#quality,
            });
    }
    if (frame.samplesPerChannel === 0) return tail ?? [];
    const mixed = frame.channels === this.format.channels ? frame : remix(frame, this.format.channels);
    const samples = this.#resampler ? this.#resampler.process(mixed.data) : mixed.data;
    const written = this.#write(samples);
    if (tail === null || tail.length === 0) return written;
    tail.push(...written);
    return tail;
  }

  /** Cuts provider-format samples (e.g. generated silence) into chunks after what is pending. */
  pushConverted(samples: Int16Array): Int16Array[] {
    return this.#write(samples);
  }

  /** Drains the resampler tail and the partial chunk. The pipeline stays usable. */
  drain(): Int16Array[] {
    const chunks: Int16Array[] = [];
    if (this.#resampler) chunks.push(...this.#write(this.#resampler.flush()));
    for (const frame of this.#framer.flush()) {
      if (frame.data.length > 0) chunks.push(frame.data);
    }
    return chunks;
  }

  /** Forgets pending audio and resampler state. */
  reset(): void {
    this.#framer.reset();
    this.#resampler?.reset();
  }

  #write(samples: Int16Array): Int16Array[] {
    if (samples.length === 0) return [];
    const bytes = frameToBytes(createAudioFrame(samples, this.format.sampleRate, this.format.channels));
    // Frames from the framer own their memory, so chunks can be kept for replay without a copy.
    const frames = this.#framer.write(bytes);
    if (frames.length === 0) return [];
    return frames.map((frame) => frame.data);
  }
}

function validateFrame(frame: AudioFrame): void {
  const { sampleRate, channels, data } = frame;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new ConfigurationError('frame.sampleRate', sampleRate, 'a positive integer (Hz)');
  }
  if (!Number.isInteger(channels) || channels < 1) {
    throw new ConfigurationError('frame.channels', channels, 'a positive integer');
  }
  if (!(data instanceof Int16Array) || data.length % channels !== 0) {
    throw new ConfigurationError(
      'frame.data',
      data instanceof Int16Array ? `${data.length} samples` : typeof data,
      `an Int16Array holding a whole number of ${channels}-channel sample frames`,
    );
  }
}
