import { createAudioFrame } from '@x/audio';
import { ManualClock } from '@x/core';
import { describe, expect, it } from 'vitest';
import { CallRecorder } from './call-recorder.js';

const RATE = 8000;
const tone = (ms: number, value: number) =>
  createAudioFrame(new Int16Array((RATE * ms) / 1000).fill(value), RATE);

describe('CallRecorder', () => {
  it('lays each utterance at its start time and keeps only what played of an interrupted one', async () => {
    const clock = new ManualClock(5000);
    const recorder = new CallRecorder({ sampleRate: RATE, clock });
    clock.advance(100);
    recorder.push(tone(200, 1000)); // utterance 1 at 100 ms, 200 ms long
    recorder.flush();
    clock.advance(200);
    expect(recorder.playing).toBe(false);

    clock.advance(700);
    recorder.push(tone(500, 2000)); // utterance 2 at 1000 ms, cut after 300 ms
    clock.advance(300);
    recorder.interrupt();

    expect(recorder.firstStartAfter(5000)).toBe(5100);
    expect(recorder.firstStartAfter(5101)).toBe(6000);
    expect(recorder.firstStartAfter(6001)).toBeNull();

    const audio = recorder.recording();
    const at = (ms: number) => audio[(RATE * ms) / 1000];
    expect(audio.length).toBe((RATE * (1300 + 200)) / 1000); // the last end plus a 200 ms tail
    expect(at(50)).toBe(0);
    expect(at(100)).toBe(1000);
    expect(at(299)).toBe(1000);
    expect(at(300)).toBe(0);
    expect(at(1000)).toBe(2000);
    expect(at(1299)).toBe(2000);
    expect(at(1300)).toBe(0);
    await recorder.close();
  });

  it('never overlaps utterances that would start before the previous one ended', () => {
    const clock = new ManualClock();
    const recorder = new CallRecorder({ sampleRate: RATE, clock });
    recorder.push(tone(100, 7));
    recorder.flush();
    recorder.interrupt(); // ended at once, nothing played
    recorder.push(tone(100, 9));
    recorder.flush();
    clock.advance(100);
    const audio = recorder.recording();
    expect(audio.length).toBe((RATE * 300) / 1000);
    expect(audio[0]).toBe(9);
    expect(audio[(RATE * 99) / 1000]).toBe(9);
  });
});
