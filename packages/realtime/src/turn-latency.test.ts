import type { RealtimeMetrics } from '@x/core';
import { synthesizeVoice } from '@x/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, sleep, spokenFrames } from './test-support/helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** Pushes one 20 ms frame per 20 ms, as a microphone does; resolves with each frame's push time. */
async function pushPaced(h: Harness, frames: ReturnType<typeof spokenFrames>): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const wait = start + 20 * (i + 1) - performance.now();
    if (wait > 0) await sleep(wait);
    times.push(performance.now());
    h.model.pushAudio(frames[i]!);
  }
  return times;
}

describe('end of user speech → first agent audio, against the simulator', () => {
  it('holds the server VAD silence wait: ttfb ≈ silence_duration_ms + processing, not ~0', async () => {
    const silenceDurationMs = 300;
    const h = await harness({ turnDetection: { silenceDurationMs } });
    open.push(h);
    await h.model.connect();
    let endedAt = 0;
    let endedArrival = 0;
    h.model.on('user_speech_ended', (event) => {
      endedAt = event.endedAtMs;
      endedArrival = performance.now();
    });
    const done = h.model.waitFor('metrics', { timeoutMs: 8000 });
    const text = 'what time is it';
    const pushedAt = await pushPaced(h, spokenFrames(text, { silenceMs: 600 }));
    const [metrics] = (await done) as [RealtimeMetrics];

    // The push of the frame holding the voice's last sample (48 kHz, 960 samples a frame).
    const lastVoiceFrame = Math.ceil(synthesizeVoice(text, 48_000).length / 960) - 1;
    const speechEndPushedAt = pushedAt[lastVoiceFrame]!;
    // The simulator places the end within a VAD frame (20 ms) of the voice's end.
    expect(Math.abs(endedAt - speechEndPushedAt)).toBeLessThanOrEqual(60);
    // It said so only after silence_duration_ms more audio had arrived.
    expect(endedArrival - endedAt).toBeGreaterThanOrEqual(silenceDurationMs - 40);
    // So the reply's ttfb includes the wait (the simulator answers at once at sim_speed=max).
    expect(metrics.ttfbMs).toBeGreaterThanOrEqual(silenceDurationMs - 40);
    expect(metrics.ttfbMs).toBeLessThan(silenceDurationMs + 300);
  });
});
