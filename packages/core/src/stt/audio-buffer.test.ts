import { describe, expect, it } from 'vitest';
import { STTAudioBuffer } from './audio-buffer.js';

const FORMAT = { sampleRate: 1000, channels: 1 }; // 1 sample = 1 ms keeps the arithmetic readable

function ramp(length: number, from: number, level = 1000): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = ((from + i) % 2 === 0 ? 1 : -1) * level;
  return out;
}

describe('STTAudioBuffer', () => {
  it('keeps positions on one clock and cuts a straddling chunk exactly at the acknowledged time', () => {
    const buffer = new STTAudioBuffer(FORMAT, 10_000);
    const a = buffer.append(ramp(100, 0)).chunk;
    const b = buffer.append(ramp(100, 100)).chunk;
    buffer.markSent(a, 1);
    buffer.markSent(b, 2);
    buffer.append(ramp(100, 200));
    expect(buffer.headMs).toBe(300);
    expect(buffer.sentHeadMs).toBe(200);
    expect(buffer.retainedMs).toBe(300);
    buffer.ack(150);
    expect(buffer.replayStartMs).toBe(150);
    expect(buffer.retainedMs).toBe(150);
    const unsent = buffer.unsent();
    expect(unsent.map((c) => c.start)).toEqual([200]);
    buffer.markAllUnsent();
    const replay = buffer.unsent();
    expect(replay.map((c) => [c.start, c.length])).toEqual([
      [150, 50],
      [200, 100],
    ]);
    // The cut chunk holds exactly the samples from 150 on.
    expect(Array.from(replay[0]!.data.subarray(0, 3))).toEqual(Array.from(ramp(3, 150)));
  });

  it('never acknowledges past the audio actually sent', () => {
    const buffer = new STTAudioBuffer(FORMAT, 10_000);
    const a = buffer.append(ramp(100, 0)).chunk;
    buffer.markSent(a, 1);
    buffer.append(ramp(100, 100));
    buffer.ack(180);
    expect(buffer.replayStartMs).toBe(100);
    expect(buffer.unsent().length).toBe(1);
  });

  it('drops the oldest audio beyond the bound and reports only audio never sent', () => {
    const buffer = new STTAudioBuffer(FORMAT, 250);
    const a = buffer.append(ramp(100, 0)).chunk;
    buffer.markSent(a, 1);
    expect(buffer.append(ramp(100, 100)).droppedUnsentMs).toBe(0);
    // 300 > 250: the sent chunk goes first, silently.
    expect(buffer.append(ramp(100, 200)).droppedUnsentMs).toBe(0);
    expect(buffer.replayStartMs).toBe(100);
    // Next, unsent audio has to go: reported.
    expect(buffer.append(ramp(100, 300)).droppedUnsentMs).toBe(100);
    expect(buffer.replayStartMs).toBe(200);
    expect(buffer.retainedMs).toBe(200);
  });

  it('finds when the last sample before a time was sent, and measures held speech', () => {
    const buffer = new STTAudioBuffer(FORMAT, 10_000);
    const a = buffer.append(ramp(100, 0)).chunk;
    const b = buffer.append(new Int16Array(100)).chunk;
    buffer.markSent(a, 10);
    buffer.markSent(b, 20);
    expect(buffer.sentAtFor(100)).toBe(10);
    expect(buffer.sentAtFor(101)).toBe(20);
    expect(buffer.sentAtFor(500)).toBeNull();
    expect(buffer.voicedMs()).toBe(100);
    buffer.ack(100);
    expect(buffer.voicedMs()).toBe(0);
  });

  it('handles interleaved channels', () => {
    const buffer = new STTAudioBuffer({ sampleRate: 1000, channels: 2 }, 10_000);
    const a = buffer.append(ramp(200, 0)).chunk; // 100 sample frames
    expect(a.length).toBe(100);
    buffer.markSent(a, 1);
    buffer.ack(40);
    buffer.markAllUnsent();
    const [first] = buffer.unsent();
    expect(first!.start).toBe(40);
    expect(first!.data.length).toBe(120);
    expect(first!.data[0]).toBe(ramp(200, 0)[80]);
  });
});
