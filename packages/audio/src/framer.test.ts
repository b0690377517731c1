import { describe, expect, it } from 'vitest';
import { AudioFormatError, type AudioFrame, AudioFramer } from './index.js';
import { prng, randomChunks } from './test-signals.js';

function randomBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

function bytesOf(frames: readonly AudioFrame[]): number[] {
  const out: number[] = [];
  for (const f of frames) {
    const view = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    out.push(...view);
  }
  return out;
}

describe('AudioFramer', () => {
  it('cuts 20 ms frames and keeps the rest pending', () => {
    const framer = new AudioFramer({ sampleRate: 16000 });
    expect(framer.samplesPerFrame).toBe(320);
    expect(framer.frameBytes).toBe(640);
    const frames = framer.write(new Uint8Array(1500));
    expect(frames.map((f) => f.samplesPerChannel)).toEqual([320, 320]);
    expect(frames[0]!.sampleRate).toBe(16000);
    expect(framer.pendingBytes).toBe(220);
  });

  for (const channels of [1, 2]) {
    it(`random chunking incl. odd sizes gives the same frames as one write (${channels} ch)`, () => {
      const total = 48000 * 2 * channels + 3; // odd: ends with half a sample
      const input = randomBytes(total, 77 + channels);
      const oneShot = new AudioFramer({ sampleRate: 48000, channels, frameDurationMs: 10 });
      const expected = [...oneShot.write(input), ...oneShot.flush()];
      for (const seed of [1, 2, 3]) {
        const framer = new AudioFramer({ sampleRate: 48000, channels, frameDurationMs: 10 });
        const frames: AudioFrame[] = [];
        let at = 0;
        const sizes = randomChunks(total, seed, 3000);
        expect(sizes.some((s) => s % 2 === 1)).toBe(true);
        for (const size of sizes) {
          // Copy into a scratch buffer that is overwritten afterwards: frames must own their bytes.
          const chunk = new Uint8Array(size);
          chunk.set(input.subarray(at, at + size));
          frames.push(...framer.write(chunk));
          chunk.fill(0xee);
          at += size;
        }
        const pendingBeforeFlush = framer.pendingBytes;
        expect(pendingBeforeFlush).toBe(total % framer.frameBytes);
        frames.push(...framer.flush());
        expect(frames.length).toBe(expected.length);
        expect(frames.map((f) => f.samplesPerChannel)).toEqual(expected.map((f) => f.samplesPerChannel));
        for (let i = 0; i < frames.length; i++) expect(frames[i]!.data).toEqual(expected[i]!.data);
        // No bytes lost: every whole sample written comes out, in order.
        const whole = total - (total % (2 * channels));
        expect(bytesOf(frames)).toEqual(Array.from(input.subarray(0, whole)));
        expect(framer.discardedBytes).toBe(total - whole);
        expect(framer.pendingBytes).toBe(0);
      }
    });
  }

  it('keeps an odd trailing byte for the next write', () => {
    const framer = new AudioFramer({ sampleRate: 8000, samplesPerFrame: 2 });
    expect(framer.write(new Uint8Array([1, 0, 2]))).toEqual([]);
    expect(framer.pendingBytes).toBe(3);
    const frames = framer.write(new Uint8Array([0, 3, 0, 4]));
    expect(frames.length).toBe(1);
    expect(Array.from(frames[0]!.data)).toEqual([1, 2]);
    expect(framer.pendingBytes).toBe(3);
    const tail = framer.flush();
    expect(Array.from(tail[0]!.data)).toEqual([3]);
    expect(framer.discardedBytes).toBe(1);
    expect(framer.flush()).toEqual([]);
  });

  it('reads unaligned input (odd byteOffset) correctly', () => {
    const backing = new Uint8Array(11);
    backing.set([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f, 0x05, 0x00], 1);
    const framer = new AudioFramer({ sampleRate: 8000, samplesPerFrame: 2 });
    const frames = framer.write(backing.subarray(1, 11));
    expect(frames.map((f) => Array.from(f.data))).toEqual([
      [1, -1],
      [-32768, 32767],
    ]);
    expect(framer.pendingBytes).toBe(2);
  });

  it('copies each byte at most once: a frame completed from pending bytes reuses that buffer', () => {
    const framer = new AudioFramer({ sampleRate: 8000, samplesPerFrame: 4 });
    framer.write(new Uint8Array([1, 0, 2]));
    const [first] = framer.write(new Uint8Array([0, 3, 0, 4, 0, 5, 0]));
    expect(Array.from(first!.data)).toEqual([1, 2, 3, 4]);
    // The pending buffer became the frame (full-size, exact), and a fresh buffer took its place.
    expect(first!.data.byteLength).toBe(first!.data.buffer.byteLength);
    const [second] = framer.write(new Uint8Array([6, 0, 7, 0, 8, 0]));
    expect(Array.from(second!.data)).toEqual([5, 6, 7, 8]);
    expect(Array.from(first!.data)).toEqual([1, 2, 3, 4]);
  });

  it('validates its options', () => {
    expect(() => new AudioFramer({ sampleRate: 22050, frameDurationMs: 25 })).toThrowError(
      /whole number of samples/,
    );
    expect(() => new AudioFramer({ sampleRate: 16000, samplesPerFrame: 0 })).toThrowError(AudioFormatError);
    expect(() => new AudioFramer({ sampleRate: 16000, channels: 0 })).toThrowError(/channels/);
    expect(new AudioFramer({ sampleRate: 22050, frameDurationMs: 20 }).samplesPerFrame).toBe(441);
  });
});
