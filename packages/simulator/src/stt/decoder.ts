import { alawDecode, createAudioFrame, downmixToMono, mulawDecode } from '@x/audio';
import type { SttEncoding } from './options.js';

/**
 * Turns the binary frames of an STT stream into PCM16 samples per channel. Bytes that do not make
 * a whole sample frame (an odd byte, a partial multi-channel frame) wait for the next message.
 */
export class AudioDecoder {
  private leftover: Uint8Array = new Uint8Array(0);
  private readonly frameBytes: number;

  constructor(
    private readonly encoding: SttEncoding,
    private readonly channels: number,
    private readonly sampleRate: number,
  ) {
    this.frameBytes = (encoding === 'pcm' ? 2 : 1) * channels;
  }

  /** Interleaved PCM16 of the whole sample frames received so far. */
  private decode(bytes: Uint8Array): Int16Array {
    let data = bytes;
    if (this.leftover.length > 0) {
      data = new Uint8Array(this.leftover.length + bytes.length);
      data.set(this.leftover);
      data.set(bytes, this.leftover.length);
    }
    const usable = data.length - (data.length % this.frameBytes);
    this.leftover = data.slice(usable);
    const whole = data.subarray(0, usable);
    if (this.encoding === 'mulaw') return mulawDecode(whole);
    if (this.encoding === 'alaw') return alawDecode(whole);
    const samples = new Int16Array(usable / 2);
    const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
    return samples;
  }

  /** Mono samples (channels averaged). */
  mono(bytes: Uint8Array): Int16Array {
    const interleaved = this.decode(bytes);
    if (this.channels === 1) return interleaved;
    return downmixToMono(createAudioFrame(interleaved, this.sampleRate, this.channels)).data;
  }

  /** One array of samples per channel. */
  perChannel(bytes: Uint8Array): Int16Array[] {
    const interleaved = this.decode(bytes);
    const n = interleaved.length / this.channels;
    const out: Int16Array[] = [];
    for (let c = 0; c < this.channels; c++) {
      const channel = new Int16Array(n);
      for (let i = 0; i < n; i++) channel[i] = interleaved[i * this.channels + c]!;
      out.push(channel);
    }
    return out;
  }
}
