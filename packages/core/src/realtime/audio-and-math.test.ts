import { createAudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { RealtimeInputConverter, RealtimeSampleBatcher } from './input-audio.js';
import { allocatePlayedMs, truncateTranscript, truncationPointMs } from './interruption.js';
import { RealtimeOutputConverter } from './output-audio.js';

function sine(samples: number, rate: number, hz = 440, amplitude = 10_000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

function interleave(left: Int16Array, right: Int16Array): Int16Array {
  const out = new Int16Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i]!;
    out[2 * i + 1] = right[i]!;
  }
  return out;
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

describe('RealtimeInputConverter', () => {
  it('turns 48 kHz stereo into 24 kHz mono by the frame format, chunking-invariant', () => {
    const left = sine(48_000, 48_000);
    const stereo = interleave(left, left);
    const whole = new RealtimeInputConverter(24_000);
    const a = concat([...whole.convert(createAudioFrame(stereo, 48_000, 2)), whole.flush()]);
    const chunked = new RealtimeInputConverter(24_000);
    const parts: Int16Array[] = [];
    for (let at = 0; at < left.length; at += 960) {
      parts.push(...chunked.convert(createAudioFrame(stereo.subarray(2 * at, 2 * (at + 960)), 48_000, 2)));
    }
    parts.push(chunked.flush());
    const b = concat(parts);
    expect(a.length).toBe(24_000);
    expect(b).toEqual(a);
    // Same tone, half the rate: compare against a 440 Hz sine at 24 kHz away from the edges.
    const reference = sine(24_000, 24_000);
    let maxError = 0;
    for (let i = 1000; i < 23_000; i++) maxError = Math.max(maxError, Math.abs(a[i]! - reference[i]!));
    expect(maxError).toBeLessThan(100);
  });

  it('never treats mono as stereo, whatever the buffer length', () => {
    const mono = sine(1920, 24_000);
    const converter = new RealtimeInputConverter(24_000);
    const out = concat(converter.convert(createAudioFrame(mono, 24_000, 1)));
    expect(out).toEqual(mono); // 1920 samples and even: the Python reference would have "downmixed" it
  });

  it('downmixes stereo by averaging the channels', () => {
    const left = new Int16Array([1000, 2000, -3000]);
    const right = new Int16Array([3000, 0, -1000]);
    const converter = new RealtimeInputConverter(16_000);
    const out = concat(converter.convert(createAudioFrame(interleave(left, right), 16_000, 2)));
    expect([...out]).toEqual([2000, 1000, -2000]);
  });

  it('drains the old resampler when the input rate changes mid-stream', () => {
    const converter = new RealtimeInputConverter(16_000);
    const first = concat(converter.convert(createAudioFrame(sine(4800, 48_000), 48_000)));
    const second = concat(converter.convert(createAudioFrame(sine(800, 8000), 8000)));
    const tail = converter.flush();
    // 100 ms at each rate → 1600 samples each at 16 kHz, nothing lost at the switch.
    expect(first.length + second.length + tail.length).toBe(3200);
  });
});

describe('RealtimeSampleBatcher', () => {
  it('groups chunks into fixed batches and flushes the rest', () => {
    const batcher = new RealtimeSampleBatcher(480);
    const out: Int16Array[] = [];
    const input = Int16Array.from({ length: 1300 }, (_, i) => i);
    for (let at = 0; at < input.length; at += 130) out.push(...batcher.push(input.subarray(at, at + 130)));
    expect(out.map((b) => b.length)).toEqual([480, 480]);
    const rest = batcher.flush();
    expect(rest?.length).toBe(340);
    expect(concat([...out, rest!])).toEqual(input);
    expect(batcher.flush()).toBeUndefined();
  });
});

describe('RealtimeOutputConverter', () => {
  it('passes audio through when the output takes the session rate', () => {
    const converter = new RealtimeOutputConverter(24_000, undefined);
    const samples = sine(480, 24_000);
    expect(converter.convert(samples)?.data).toBe(samples);
  });

  it('resamples to the output rate with one stream per reply', () => {
    const converter = new RealtimeOutputConverter(24_000, 48_000);
    const frames = [converter.convert(sine(2400, 24_000)), converter.flush()];
    const total = frames.reduce((n, f) => n + (f?.samplesPerChannel ?? 0), 0);
    expect(total).toBe(4800);
    expect(frames[0]?.sampleRate).toBe(48_000);
  });
});

describe('interruption math', () => {
  it('truncates at min(elapsed, played), clamped to the audio received', () => {
    expect(truncationPointMs({ elapsedMs: 900, playedMs: 600, audioMs: 2000 })).toBe(600);
    expect(truncationPointMs({ elapsedMs: 400, playedMs: 600, audioMs: 2000 })).toBe(400);
    expect(truncationPointMs({ elapsedMs: 5000, playedMs: 5000, audioMs: 1200 })).toBe(1200);
    expect(truncationPointMs({ elapsedMs: -5, playedMs: 10, audioMs: 100 })).toBe(0);
  });

  it('allocates played time over queued replies in order', () => {
    expect(allocatePlayedMs(1500, [1000, 1000, 500])).toEqual([1000, 500, 0]);
    expect(allocatePlayedMs(0, [300])).toEqual([0]);
  });

  it('cuts a transcript proportionally at a word boundary', () => {
    const text = 'one two three four five six seven eight';
    expect(truncateTranscript(text, 500, 1000)).toBe('one two three four');
    expect(truncateTranscript(text, 1000, 1000)).toBe(text);
    expect(truncateTranscript(text, 0, 1000)).toBe('');
    expect(truncateTranscript(text, 30, 1000)).toBe('');
    expect(truncateTranscript(text, 110, 1000)).toBe('one');
  });
});
