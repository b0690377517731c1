import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { makeFrame } from './frame-converter.js';
import { MemoryAudioOutput } from './memory-output.js';

/** A mono frame of `ms` at `rate` whose samples count up from `start`. */
function ramp(ms: number, rate: number, start = 0) {
  const n = Math.round((ms * rate) / 1000);
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) data[i] = (start + i) % 30000;
  return makeFrame(data, rate);
}

describe('MemoryAudioOutput (unpaced)', () => {
  it('keeps frames in order, groups them in segments and counts pushed audio as played', async () => {
    const out = new MemoryAudioOutput();
    out.push(ramp(20, 16000, 0));
    out.push(ramp(20, 16000, 320));
    expect(out.playedMs).toBe(40);
    expect(out.playing).toBe(true);
    out.flush();
    expect(out.playing).toBe(false);
    await expect(out.waitForPlayout()).resolves.toEqual({ playedMs: 40, interrupted: false });

    out.push(ramp(10, 16000, 640));
    out.flush();
    expect(out.segments.map((s) => s.pushedMs)).toEqual([40, 10]);
    const all = out.audio();
    expect(all.sampleRate).toBe(16000);
    expect(all.samplesPerChannel).toBe(800);
    expect(Array.from(all.data.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(all.data[799]).toBe(799);
    expect(out.segmentAudio(1).data[0]).toBe(640);
    const bytes = out.bytes();
    expect(bytes.byteLength).toBe(1600);
    expect(bytes[2]).toBe(1);
    expect(out.receivedMs).toBe(50);
    await out.close();
  });

  it('waitForPlayout resolves at once when idle and on flush while a segment plays', async () => {
    const out = new MemoryAudioOutput();
    await expect(out.waitForPlayout()).resolves.toEqual({ playedMs: 0, interrupted: false });
    out.push(ramp(30, 8000));
    let settled = false;
    const waiting = out.waitForPlayout().then((r) => {
      settled = true;
      return r;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    out.flush();
    await expect(waiting).resolves.toEqual({ playedMs: 30, interrupted: false });
  });

  it('interrupt ends the segment as interrupted and the next push starts a new one', async () => {
    const out = new MemoryAudioOutput();
    const ended: Array<{ index: number; interrupted: boolean }> = [];
    out.on('segment_ended', (r) => ended.push({ index: r.index, interrupted: r.interrupted }));
    out.push(ramp(20, 24000));
    const waiting = out.waitForPlayout();
    out.interrupt();
    await expect(waiting).resolves.toEqual({ playedMs: 20, interrupted: true });
    out.push(ramp(20, 24000, 7));
    out.flush();
    expect(ended).toEqual([
      { index: 0, interrupted: true },
      { index: 1, interrupted: false },
    ]);
    expect(out.segmentAudio(1).data[0]).toBe(7);
  });

  it('refuses to join frames of different rates without a sampleRate', () => {
    const out = new MemoryAudioOutput();
    out.push(ramp(10, 8000));
    out.push(ramp(10, 16000));
    expect(() => out.audio()).toThrow(/sampleRate/);
  });

  it('ignores pushes after close and clear() forgets segments', async () => {
    const out = new MemoryAudioOutput();
    out.push(ramp(10, 8000));
    out.clear();
    expect(out.segments).toHaveLength(0);
    await out.close();
    await out.close();
    out.push(ramp(10, 8000));
    expect(out.segments).toHaveLength(0);
    expect(out.audio().samplesPerChannel).toBe(0);
  });
});

describe('MemoryAudioOutput (paced)', () => {
  it('advances playedMs with the clock and stalls when the queue runs dry', async () => {
    const clock = new ManualClock();
    const out = new MemoryAudioOutput({ realtime: clock });
    out.push(ramp(100, 16000));
    expect(out.playedMs).toBe(0);
    clock.advance(30);
    expect(out.playedMs).toBe(30);
    clock.advance(100);
    expect(out.playedMs).toBe(100); // ran dry: nothing more to play
    out.push(ramp(50, 16000));
    clock.advance(20);
    expect(out.playedMs).toBe(120);
    out.flush();
    expect(out.playing).toBe(true);
    const waiting = out.waitForPlayout();
    clock.advance(29);
    expect(out.playing).toBe(true);
    clock.advance(1);
    await expect(waiting).resolves.toEqual({ playedMs: 150, interrupted: false });
    expect(clock.pendingCount).toBe(0);
  });

  it('interrupt drops queued audio at once, keeps what played and clears its timer', async () => {
    const clock = new ManualClock();
    const out = new MemoryAudioOutput({ realtime: clock });
    out.push(ramp(200, 16000));
    out.flush();
    expect(clock.pendingCount).toBe(1);
    clock.advance(80);
    const waiting = out.waitForPlayout();
    out.interrupt();
    await expect(waiting).resolves.toEqual({ playedMs: 80, interrupted: true });
    expect(clock.pendingCount).toBe(0);
    expect(out.playedMs).toBe(80);
    const played = out.playedAudio();
    expect(played.samplesPerChannel).toBe(1280);
    expect(out.audio().samplesPerChannel).toBe(3200);
  });

  it('paces with the wall clock and leaves no timer after close', async () => {
    const out = new MemoryAudioOutput({ realtime: true });
    out.push(ramp(30, 8000));
    out.flush();
    const started = performance.now();
    const result = await out.waitForPlayout();
    expect(result).toEqual({ playedMs: 30, interrupted: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
    out.push(ramp(500, 8000));
    out.flush();
    await out.close();
    expect(out.segments.at(-1)?.interrupted).toBe(true);
  });
});

describe('MemoryAudioOutput (resampling)', () => {
  it('resamples frames at other rates to its sampleRate with one stateful resampler per segment', async () => {
    const out = new MemoryAudioOutput({ sampleRate: 16000 });
    const tone = (ms: number, rate: number, phase: number) => {
      const n = Math.round((ms * rate) / 1000);
      const data = new Int16Array(n);
      for (let i = 0; i < n; i++)
        data[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (phase + i)) / rate));
      return makeFrame(data, rate);
    };
    for (let k = 0; k < 10; k++) out.push(tone(20, 48000, k * 960));
    out.push(tone(20, 16000, 0));
    out.flush();
    expect(out.frames.every((f) => f.sampleRate === 16000)).toBe(true);
    // 200 ms at 48 kHz become 200 ms at 16 kHz (the resampler's tail is drained on the rate change).
    expect(out.receivedMs).toBeGreaterThan(219);
    expect(out.receivedMs).toBeLessThan(221);
    const audio = out.audio();
    expect(audio.sampleRate).toBe(16000);
    // The resampled tone keeps its level (no clicks or dropouts at chunk edges).
    const mid = audio.data.subarray(800, 2400);
    const peak = mid.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(7500);
    expect(peak).toBeLessThan(8500);
  });
});
