import { createAudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { STTAudioPipeline } from './audio-pipeline.js';
import { tone } from './test-helpers.js';

function total(chunks: Int16Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

describe('STTAudioPipeline', () => {
  it('passes audio already in the provider format through unchanged, in fixed chunks', () => {
    const pipeline = new STTAudioPipeline({ sampleRate: 48_000, channels: 1, chunkMs: 100 });
    // 1920 mono samples: the length LiveKit-style code would mistake for stereo.
    const input = tone(200, 48_000);
    const chunks = [
      ...pipeline.push(createAudioFrame(input.slice(0, 1920), 48_000, 1)),
      ...pipeline.push(createAudioFrame(input.slice(1920), 48_000, 1)),
      ...pipeline.drain(),
    ];
    expect(chunks.map((c) => c.length)).toEqual([4800, 4800]);
    const joined = new Int16Array(total(chunks));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    expect(joined).toEqual(input);
  });

  it('downmixes stereo by the frame’s own channel count (average), never by guessing', () => {
    const pipeline = new STTAudioPipeline({ sampleRate: 16_000, channels: 1, chunkMs: 10 });
    const stereo = new Int16Array(320);
    for (let i = 0; i < 160; i++) {
      stereo[2 * i] = 1000;
      stereo[2 * i + 1] = 3000;
    }
    const chunks = pipeline.push(createAudioFrame(stereo, 16_000, 2));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(160);
    expect(new Set(chunks[0])).toEqual(new Set([2000]));
  });

  it('upmixes mono for a multichannel provider', () => {
    const pipeline = new STTAudioPipeline({ sampleRate: 8000, channels: 2, chunkMs: 10 });
    const mono = new Int16Array(80).fill(1234);
    const [chunk] = pipeline.push(createAudioFrame(mono, 8000, 1));
    expect(chunk!.length).toBe(160);
    expect(new Set(chunk)).toEqual(new Set([1234]));
  });

  it('resamples any rate, keeps duration across a change of input format, and cuts exact chunks', () => {
    const pipeline = new STTAudioPipeline({ sampleRate: 16_000, channels: 1, chunkMs: 100 });
    const chunks: Int16Array[] = [];
    // 500 ms at 44.1 kHz stereo in 7 ms frames, then 500 ms at 8 kHz mono in 13 ms frames.
    const a = tone(500, 44_100, 2);
    for (let i = 0; i < a.length; i += 2 * 309) {
      chunks.push(...pipeline.push(createAudioFrame(a.slice(i, Math.min(a.length, i + 2 * 309)), 44_100, 2)));
    }
    const b = tone(500, 8000, 1);
    for (let i = 0; i < b.length; i += 104) {
      chunks.push(...pipeline.push(createAudioFrame(b.slice(i, i + 104), 8000, 1)));
    }
    const whole = chunks.slice();
    chunks.push(...pipeline.drain());
    for (const chunk of whole) expect(chunk.length).toBe(1600);
    // 1000 ms in → 16 000 samples out (± a few samples of resampler rounding).
    expect(Math.abs(total(chunks) - 16_000)).toBeLessThanOrEqual(4);
    // The tone survives: the level of the middle of the output is that of the input (0.3 peak).
    const middle = chunks[2]!;
    const peak = middle.reduce((max, v) => Math.max(max, Math.abs(v)), 0) / 32767;
    expect(peak).toBeGreaterThan(0.27);
    expect(peak).toBeLessThan(0.33);
  });

  it('rejects a frame whose data does not match its channel count', () => {
    const pipeline = new STTAudioPipeline({ sampleRate: 16_000, channels: 1, chunkMs: 100 });
    expect(() =>
      pipeline.push({ data: new Int16Array(5), sampleRate: 16_000, channels: 2, samplesPerChannel: 2 }),
    ).toThrow(/frame\.data/);
    expect(() =>
      pipeline.push({ data: new Int16Array(4), sampleRate: 0, channels: 1, samplesPerChannel: 4 }),
    ).toThrow(/frame\.sampleRate/);
  });
});
