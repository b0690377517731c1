import { copyS16leInto, HOST_IS_LITTLE_ENDIAN } from './endian.js';
import { AudioFormatError } from './errors.js';
import { type AudioFrame, createAudioFrame } from './frame.js';
import { assertChannels, assertSampleRate } from './rates.js';

export interface AudioFramerOptions {
  sampleRate: number;
  /** Interleaved channels in the byte stream (default 1). */
  channels?: number;
  /** Frame length in ms (default 20). Must be a whole number of samples at `sampleRate`. */
  frameDurationMs?: number;
  /** Frame length in samples per channel; overrides `frameDurationMs`. */
  samplesPerFrame?: number;
}

/**
 * Cuts a stream of s16le byte chunks of any size (odd sizes included) into fixed-length frames.
 *
 * Each incoming byte is copied once: straight into the frame it belongs to. Bytes that do not yet
 * fill a frame wait in a fixed-size pending buffer; when that buffer fills it becomes the frame
 * itself (no second copy) and a fresh one takes its place. Emitted frames own their memory, so the
 * caller may reuse its chunk buffers. An odd trailing byte is kept for the next write.
 */
export class AudioFramer {
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerFrame: number;
  readonly frameBytes: number;

  #pending: Uint8Array;
  #pendingLength = 0;
  #discardedBytes = 0;

  constructor(options: AudioFramerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AudioFormatError('invalid_option', 'AudioFramer needs an options object');
    }
    const { sampleRate, channels = 1, frameDurationMs = 20, samplesPerFrame } = options;
    assertSampleRate(sampleRate);
    assertChannels(channels);
    let perFrame: number;
    if (samplesPerFrame !== undefined) {
      if (!Number.isInteger(samplesPerFrame) || samplesPerFrame < 1) {
        throw new AudioFormatError(
          'invalid_option',
          `samplesPerFrame must be a whole number ≥ 1; received ${String(samplesPerFrame)}`,
        );
      }
      perFrame = samplesPerFrame;
    } else {
      const exact = (frameDurationMs * sampleRate) / 1000;
      if (
        !Number.isFinite(frameDurationMs) ||
        frameDurationMs <= 0 ||
        Math.abs(exact - Math.round(exact)) > 1e-9
      ) {
        throw new AudioFormatError(
          'invalid_option',
          `frameDurationMs must be > 0 and a whole number of samples at ${sampleRate} Hz; received ${String(frameDurationMs)} (${exact} samples). Pass samplesPerFrame instead.`,
        );
      }
      perFrame = Math.round(exact);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.samplesPerFrame = perFrame;
    this.frameBytes = perFrame * channels * 2;
    this.#pending = new Uint8Array(this.frameBytes);
  }

  /** Bytes buffered for the next frame (including an odd trailing byte). */
  get pendingBytes(): number {
    return this.#pendingLength;
  }

  /** Bytes of incomplete samples dropped by `flush()` so far (a stream with an odd byte count). */
  get discardedBytes(): number {
    return this.#discardedBytes;
  }

  /** Adds bytes; returns every frame completed by them (possibly none). */
  write(bytes: Uint8Array): AudioFrame[] {
    if (!(bytes instanceof Uint8Array)) {
      throw new AudioFormatError('invalid_option', 'AudioFramer.write takes a Uint8Array or Buffer');
    }
    const frames: AudioFrame[] = [];
    const frameBytes = this.frameBytes;
    let offset = 0;
    const length = bytes.length;
    if (this.#pendingLength > 0) {
      const take = Math.min(frameBytes - this.#pendingLength, length);
      this.#pending.set(bytes.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength === frameBytes) {
        frames.push(this.#frameFromPending(frameBytes));
        this.#pending = new Uint8Array(frameBytes);
        this.#pendingLength = 0;
      }
    }
    while (length - offset >= frameBytes) {
      const data = new Int16Array(frameBytes >> 1);
      copyS16leInto(bytes.subarray(offset, offset + frameBytes), data);
      frames.push(createAudioFrame(data, this.sampleRate, this.channels));
      offset += frameBytes;
    }
    if (offset < length) {
      this.#pending.set(bytes.subarray(offset), this.#pendingLength);
      this.#pendingLength += length - offset;
    }
    return frames;
  }

  /**
   * Emits what is buffered as one shorter frame of whole sample frames (none if empty) and clears
   * the buffer. Bytes of an incomplete sample at the very end of the stream cannot be represented
   * and are dropped (counted in `discardedBytes`).
   */
  flush(): AudioFrame[] {
    const whole = this.#pendingLength - (this.#pendingLength % (2 * this.channels));
    this.#discardedBytes += this.#pendingLength - whole;
    const frames = whole > 0 ? [this.#frameFromPending(whole)] : [];
    this.#pending = new Uint8Array(this.frameBytes);
    this.#pendingLength = 0;
    return frames;
  }

  /** Drops everything buffered. */
  reset(): void {
    this.#pendingLength = 0;
  }

  /** The first `byteLength` pending bytes as a frame, without copying when possible. */
  #frameFromPending(byteLength: number): AudioFrame {
    const pending = this.#pending;
    let data: Int16Array;
    if (HOST_IS_LITTLE_ENDIAN) {
      data = new Int16Array(pending.buffer, pending.byteOffset, byteLength >> 1);
    } else {
      data = new Int16Array(byteLength >> 1);
      copyS16leInto(pending.subarray(0, byteLength), data);
    }
    return createAudioFrame(data, this.sampleRate, this.channels);
  }
}
