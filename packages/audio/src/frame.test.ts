import { describe, expect, it } from 'vitest';
import {
  AudioFormatError,
  concatFrames,
  createAudioFrame,
  frameDurationMs,
  frameFromBytes,
  frameToBytes,
  isAudioFormatError,
  samplesForDuration,
  silence,
} from './index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AudioFormatError) return error.code;
    throw error;
  }
  return undefined;
}

describe('AudioFrame', () => {
  it('createAudioFrame derives samplesPerChannel and validates', () => {
    const f = createAudioFrame(new Int16Array(960), 48000, 2);
    expect(f.samplesPerChannel).toBe(480);
    expect(frameDurationMs(f)).toBe(10);
    expect(Object.isFrozen(f)).toBe(true);
    expect(codeOf(() => createAudioFrame(new Int16Array(3), 16000, 2))).toBe('partial_sample_frame');
    expect(codeOf(() => createAudioFrame(new Int16Array(2), 0))).toBe('invalid_sample_rate');
    expect(codeOf(() => createAudioFrame(new Int16Array(2), 16000, 1.5))).toBe('invalid_channels');
    expect(codeOf(() => createAudioFrame([1, 2] as unknown as Int16Array, 16000))).toBe('invalid_option');
  });

  it('frameFromBytes reads s16le without copying when aligned', () => {
    const bytes = new Uint8Array([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]);
    const f = frameFromBytes(bytes, 16000);
    expect(Array.from(f.data)).toEqual([1, -1, -32768, 32767]);
    expect(f.data.buffer).toBe(bytes.buffer);
    bytes[0] = 2;
    expect(f.data[0]).toBe(2); // shared memory
  });

  it('frameFromBytes copies only when the bytes start at an odd offset (Node Buffer pool slices)', () => {
    const backing = new Uint8Array(9);
    backing.set([0x34, 0x12, 0xcc, 0xed, 0x00, 0x80, 0xff, 0x7f], 1);
    const unaligned = backing.subarray(1);
    expect(unaligned.byteOffset % 2).toBe(1);
    const f = frameFromBytes(unaligned, 8000, 2);
    expect(Array.from(f.data)).toEqual([0x1234, -4660, -32768, 32767]);
    expect(f.samplesPerChannel).toBe(2);
    expect(f.data.buffer).not.toBe(backing.buffer);
    const fromBuffer = frameFromBytes(Buffer.from([1, 0, 2, 0]), 8000);
    expect(Array.from(fromBuffer.data)).toEqual([1, 2]);
  });

  it('frameFromBytes rejects odd byte counts and partial sample frames, naming the problem', () => {
    try {
      frameFromBytes(new Uint8Array(5), 16000);
      throw new Error('no error');
    } catch (error) {
      expect(isAudioFormatError(error)).toBe(true);
      expect((error as AudioFormatError).code).toBe('odd_byte_length');
      expect((error as Error).message).toMatch(/5 bytes \(odd\)/);
    }
    expect(codeOf(() => frameFromBytes(new Uint8Array(6), 16000, 2))).toBe('partial_sample_frame');
  });

  it('frameToBytes is a view of the samples', () => {
    const data = new Int16Array([1, -2, 300]);
    const bytes = frameToBytes(createAudioFrame(data, 24000));
    expect(Array.from(bytes)).toEqual([1, 0, 0xfe, 0xff, 0x2c, 0x01]);
    expect(bytes.buffer).toBe(data.buffer);
    const sub = data.subarray(1);
    const subBytes = frameToBytes(createAudioFrame(sub, 24000));
    expect(subBytes.byteOffset).toBe(2);
    expect(subBytes.length).toBe(4);
  });

  it('concatFrames joins frames of the same format and rejects mixed formats', () => {
    const a = createAudioFrame(new Int16Array([1, 2]), 16000, 2);
    const b = createAudioFrame(new Int16Array([3, 4, 5, 6]), 16000, 2);
    const joined = concatFrames([a, b]);
    expect(Array.from(joined.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(joined.samplesPerChannel).toBe(3);
    expect(codeOf(() => concatFrames([a, createAudioFrame(new Int16Array(2), 8000, 2)]))).toBe(
      'format_mismatch',
    );
    expect(codeOf(() => concatFrames([]))).toBe('invalid_option');
  });

  it('silence has the right length and is all zeros', () => {
    const s = silence(20, 22050, 2);
    expect(s.samplesPerChannel).toBe(441);
    expect(s.data.length).toBe(882);
    expect(s.data.every((v) => v === 0)).toBe(true);
    expect(samplesForDuration(10, 44100)).toBe(441);
    expect(silence(0, 8000).samplesPerChannel).toBe(0);
    expect(codeOf(() => silence(-1, 8000))).toBe('invalid_option');
  });
});
