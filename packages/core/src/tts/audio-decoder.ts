import { type AudioFrame, AudioFramer, alawDecode, mulawDecode, StreamingResampler } from '@x/audio';
import type { TTSAudioEncoding } from './types.js';

export interface TTSAudioDecoderOptions {
  encoding: TTSAudioEncoding;
  /** Rate of the provider's audio. */
  sampleRate: number;
  /** Rate the output wants; frames are resampled to it when it differs. */
  outputRate?: number | undefined;
  frameDurationMs?: number;
}

/**
 * Turns one utterance's audio bytes, as they arrive, into PCM16 mono frames: G.711 is decoded,
 * PCM is framed without copying the whole stream on each write (an odd trailing byte waits for the
 * next delta), and the result is resampled when the output wants another rate.
 */
export class TTSAudioDecoder {
  readonly #encoding: TTSAudioEncoding;
  readonly #framer: AudioFramer;
  readonly #resampler: StreamingResampler | undefined;
  readonly #outputRate: number;

  constructor(options: TTSAudioDecoderOptions) {
    this.#encoding = options.encoding;
    this.#framer = new AudioFramer({
      sampleRate: options.sampleRate,
      channels: 1,
      frameDurationMs: options.frameDurationMs ?? 20,
    });
    const outputRate = options.outputRate ?? options.sampleRate;
    this.#outputRate = outputRate;
    this.#resampler =
      outputRate === options.sampleRate
        ? undefined
        : new StreamingResampler({ inputRate: options.sampleRate, outputRate, channels: 1 });
  }

  /** Frames completed by `bytes`. */
  write(bytes: Uint8Array): AudioFrame[] {
    return this.#resample(this.#framer.write(this.#toPcmBytes(bytes)));
  }

  /** The last partial frame and the resampler's tail. */
  flush(): AudioFrame[] {
    const frames = this.#resample(this.#framer.flush());
    const tail = this.#resampler?.flush();
    if (tail && tail.length > 0) {
      frames.push({ data: tail, sampleRate: this.#outputRate, channels: 1, samplesPerChannel: tail.length });
    }
    return frames;
  }

  #toPcmBytes(bytes: Uint8Array): Uint8Array {
    if (this.#encoding === 'pcm_s16le') return bytes;
    const pcm = this.#encoding === 'mulaw' ? mulawDecode(bytes) : alawDecode(bytes);
    return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  }

  #resample(frames: AudioFrame[]): AudioFrame[] {
    const resampler = this.#resampler;
    if (!resampler) return frames;
    const out: AudioFrame[] = [];
    for (const frame of frames) {
      const data = resampler.process(frame.data);
      if (data.length > 0) {
        out.push({ data, sampleRate: this.#outputRate, channels: 1, samplesPerChannel: data.length });
      }
    }
    return out;
  }
}
