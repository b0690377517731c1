import { describe, expect, it } from 'vitest';
import { RealtimeInputTimeline } from './input-timeline.js';

const RATE = 1000; // 1 sample per ms keeps positions readable

function timeline(windowMs = 60_000): RealtimeInputTimeline {
  return new RealtimeInputTimeline({ sampleRate: RATE, windowMs });
}

describe('RealtimeInputTimeline', () => {
  it('maps a connection position to the push that held the audio just before it', () => {
    const t = timeline();
    // Four 20 ms pushes at t = 100, 120, 140, 160; sent in 40 ms batches.
    for (let i = 0; i < 4; i++) t.pushed(20, 100 + 20 * i);
    t.sent(0, 40);
    t.sent(40, 40);
    expect(t.pushTimeAt(1)).toBe(100); // sample 0
    expect(t.pushTimeAt(20)).toBe(100); // sample 19
    expect(t.pushTimeAt(21)).toBe(120);
    expect(t.pushTimeAt(60)).toBe(140);
    expect(t.pushTimeAt(80)).toBe(160);
    // Beyond what was sent: the last sample sent; before the start: the first.
    expect(t.pushTimeAt(500)).toBe(160);
    expect(t.pushTimeAt(0)).toBe(100);
    expect(t.pushTimeAt(Number.NaN)).toBeUndefined();
  });

  it('follows gaps (audio dropped before sending) and a new connection replaying older audio', () => {
    const t = timeline();
    for (let i = 0; i < 10; i++) t.pushed(10, 1000 + 10 * i); // pushed 0..99 at 1000..1090
    t.sent(0, 30);
    t.sent(60, 40); // 30..59 were dropped: position 30 is pushed index 60
    expect(t.pushTimeAt(31)).toBe(1060);
    expect(t.pushTimeAt(70)).toBe(1090);
    t.newConnection();
    expect(t.pushTimeAt(10)).toBeUndefined();
    // The new connection first gets the replay of pushed 60..99, then new audio.
    t.pushed(10, 2000); // pushed 100..109
    t.sent(60, 40);
    t.sent(100, 10);
    expect(t.pushTimeAt(5)).toBe(1060);
    expect(t.pushTimeAt(45)).toBe(2000);
    // Audio of unknown origin only moves the position on.
    t.sent(undefined, 10);
    expect(t.pushTimeAt(50)).toBe(2000);
    expect(t.pushTimeAt(55)).toBeUndefined();
  });

  it('forgets what a turn start leaves behind, and everything older than the window', () => {
    const t = timeline(100);
    for (let i = 0; i < 10; i++) t.pushed(10, 10 * i);
    t.sent(0, 100);
    t.forgetBefore(50);
    expect(t.pushTimeAt(40)).toBeUndefined();
    expect(t.pushTimeAt(60)).toBe(50);
    // 300 more ms pushed and sent: only the last 100 ms is remembered.
    for (let i = 10; i < 40; i++) t.pushed(10, 10 * i);
    t.sent(100, 300);
    expect(t.pushTimeAt(250)).toBeUndefined();
    expect(t.pushTimeAt(310)).toBe(300);
    expect(t.pushTimeAt(400)).toBe(390);
  });

  it('stays small over a long session of tiny pushes, and lookups stay exact', () => {
    const t = timeline(1000);
    for (let i = 0; i < 200_000; i++) {
      t.pushed(1, i);
      t.sent(i, 1);
    }
    expect(t.pushTimeAt(200_000)).toBe(199_999);
    expect(t.pushTimeAt(199_500)).toBe(199_499);
    expect(t.pushTimeAt(198_000)).toBeUndefined();
    t.reset();
    expect(t.pushedSamples).toBe(0);
    expect(t.pushTimeAt(1)).toBeUndefined();
  });
});
