import { copyS16leInto, HOST_IS_LITTLE_ENDIAN, s16leBytes } from './endian.js';
import { AudioFormatError } from './errors.js';
import { assertChannels, assertSampleRate } from './rates.js';

/**
 * A block of interleaved signed 16-bit PCM. `data.length === samplesPerChannel * channels`;
 * sample `i` of channel `c` is `data[i * channels + c]`.
 */
export interface AudioFrame {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerChannel: number;
}

/** Wraps `data` (not copied) as a frame, checking that it splits evenly into `channels`. */
export function createAudioFrame(data: Int16Array, sampleRate: number, channels = 1): AudioFrame {
  if (!(data instanceof Int16Array)) {
    throw new AudioFormatError('invalid_option', 'data must be an Int16Array of interleaved PCM16 samples');
  }
  assertSampleRate(sampleRate);
  assertChannels(channels);
  if (data.length % channels !== 0) {
    throw new AudioFormatError(
      'partial_sample_frame',
      `data holds ${data.length} samples, which is not a whole number of ${channels}-channel sample frames`,
    );
  }
  return Object.freeze({ data, sampleRate, channels, samplesPerChannel: data.length / channels });
}

/**
 * Reads s16le bytes as a frame. Shares memory with `bytes` when its byteOffset is even (the usual
 * case); copies only when the bytes are unaligned (e.g. a slice of Node's Buffer pool).
 * An odd byte count, or one that is not a whole number of sample frames, throws AudioFormatError —
 * bytes are never silently dropped.
 */
export function frameFromBytes(bytes: Uint8Array, sampleRate: number, channels = 1): AudioFrame {
  if (!(bytes instanceof Uint8Array)) {
    throw new AudioFormatError('invalid_option', 'bytes must be a Uint8Array or Buffer of s16le PCM');
  }
  assertSampleRate(sampleRate);
  assertChannels(channels);
  if (bytes.length % 2 !== 0) {
    throw new AudioFormatError(
      'odd_byte_length',
      `PCM16 needs 2 bytes per sample; received ${bytes.length} bytes (odd). Keep the trailing byte for the next chunk (AudioFramer does this).`,
    );
  }
  if (bytes.length % (2 * channels) !== 0) {
    throw new AudioFormatError(
      'partial_sample_frame',
      `${bytes.length} bytes is not a whole number of ${channels}-channel PCM16 sample frames (${2 * channels} bytes each)`,
    );
  }
  return createAudioFrame(bytesToSamples(bytes), sampleRate, channels);
}

/** s16le samples of `bytes` (even length): a view when aligned on a little-endian host, else a copy. */
export function bytesToSamples(bytes: Uint8Array): Int16Array {
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  }
  const out = new Int16Array(bytes.length >> 1);
  copyS16leInto(bytes, out);
  return out;
}

/** The frame as s16le bytes: a view of `frame.data` (no copy) on little-endian hosts. */
export function frameToBytes(frame: AudioFrame): Uint8Array {
  return s16leBytes(frame.data);
}

export function frameDurationMs(frame: AudioFrame): number {
  return (frame.samplesPerChannel * 1000) / frame.sampleRate;
}

/** Joins frames into one (copied). All must share sample rate and channel count. */
export function concatFrames(frames: readonly AudioFrame[]): AudioFrame {
  const first = frames[0];
  if (first === undefined) {
    throw new AudioFormatError(
      'invalid_option',
      'concatFrames needs at least one frame (to know the format)',
    );
  }
  let total = 0;
  for (const f of frames) {
    if (f.sampleRate !== first.sampleRate || f.channels !== first.channels) {
      throw new AudioFormatError(
        'format_mismatch',
        `concatFrames: every frame must be ${first.sampleRate} Hz × ${first.channels} ch; found ${f.sampleRate} Hz × ${f.channels} ch`,
      );
    }
    total += f.data.length;
  }
  const out = new Int16Array(total);
  let offset = 0;
  for (const f of frames) {
    out.set(f.data, offset);
    offset += f.data.length;
  }
  return createAudioFrame(out, first.sampleRate, first.channels);
}

/** Number of samples per channel in `durationMs` at `sampleRate` (rounded to the nearest sample). */
export function samplesForDuration(durationMs: number, sampleRate: number): number {
  return Math.round((durationMs * sampleRate) / 1000);
}

/** A frame of digital silence lasting `durationMs` (rounded to the nearest sample). */
export function silence(durationMs: number, sampleRate: number, channels = 1): AudioFrame {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new AudioFormatError(
      'invalid_option',
      `durationMs must be a finite number ≥ 0; received ${String(durationMs)}`,
    );
  }
  assertSampleRate(sampleRate);
  assertChannels(channels);
  return createAudioFrame(
    new Int16Array(samplesForDuration(durationMs, sampleRate) * channels),
    sampleRate,
    channels,
  );
}
