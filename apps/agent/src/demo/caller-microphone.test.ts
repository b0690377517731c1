import type { AudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { CallerMicrophone } from './caller-microphone.js';

describe('CallerMicrophone', () => {
  it('sends a 20 ms frame every 20 ms: silence, then the queued speech in order, then silence', async () => {
    const frames: Array<{ frame: AudioFrame; at: number }> = [];
    const mic = new CallerMicrophone({
      sampleRate: 16000,
      onFrame: (frame) => frames.push({ frame, at: performance.now() }),
    });
    const speech = Int16Array.from({ length: 16000 * 0.05 }, (_, i) => i + 1); // 50 ms, never 0
    mic.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const before = frames.length;
    await mic.speak(speech);
    await new Promise((resolve) => setTimeout(resolve, 60));
    mic.stop();
    const count = frames.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(frames.length).toBe(count); // stopped

    expect(frames.every(({ frame }) => frame.samplesPerChannel === 320 && frame.sampleRate === 16000)).toBe(
      true,
    );
    const all = new Int16Array(frames.length * 320);
    for (const [i, { frame }] of frames.entries()) all.set(frame.data, i * 320);
    const first = all.indexOf(1);
    expect(first).toBeGreaterThanOrEqual(before * 320 - 320);
    expect(Array.from(all.subarray(first, first + speech.length))).toEqual(Array.from(speech));
    expect(all.subarray(0, first).every((s) => s === 0)).toBe(true);
    expect(all.subarray(first + speech.length).every((s) => s === 0)).toBe(true);
    // Real time: frames come at 20 ms intervals on average (late ticks catch up).
    const span = frames.at(-1)!.at - frames[0]!.at;
    expect(span).toBeGreaterThan((frames.length - 3) * 20);
    expect(span).toBeLessThan((frames.length + 3) * 20);
  });

  it('resolves speak() at stop, and at once when not started', async () => {
    const mic = new CallerMicrophone({ sampleRate: 8000, onFrame: () => {} });
    await mic.speak(new Int16Array(8000)); // not started: resolves without sending
    mic.start();
    const pending = mic.speak(new Int16Array(80000));
    mic.stop();
    await pending;
  });
});
