import { describe, expect, it } from 'vitest';
import { AudioFormatError, createAudioFrame, EnergyVAD, type VADEvent, type VADOptions } from './index.js';
import { concatInt16, noise, randomChunks } from './test-signals.js';

const RATE = 16000;

/** Speech-like burst: noise amplitude-modulated at 4 Hz (depth 50 %), about −20 dBFS overall. */
function burst(ms: number, seed: number): Int16Array {
  const n = (RATE * ms) / 1000;
  const base = noise(n, 3277 * 1.15, seed);
  for (let i = 0; i < n; i++)
    base[i] = Math.round(base[i]! * (0.75 + 0.25 * Math.sin((2 * Math.PI * 4 * i) / RATE)));
  return base;
}

/** A voiced-like tone burst: 200 Hz + harmonics at about −20 dBFS. */
function toneBurst(ms: number): Int16Array {
  const n = (RATE * ms) / 1000;
  return Int16Array.from({ length: n }, (_, i) => {
    const t = i / RATE;
    return Math.round(
      3000 * Math.sin(2 * Math.PI * 200 * t) +
        2000 * Math.sin(2 * Math.PI * 400 * t) +
        1000 * Math.sin(2 * Math.PI * 600 * t),
    );
  });
}

/** Background noise at −60 dBFS. */
function quiet(ms: number, seed: number): Int16Array {
  return noise((RATE * ms) / 1000, 32.77, seed);
}

function run(vad: EnergyVAD, audio: Int16Array, sizes: readonly number[], channels = 1): VADEvent[] {
  const events: VADEvent[] = [];
  let at = 0;
  for (const size of sizes) {
    events.push(
      ...vad.process(createAudioFrame(audio.subarray(at * channels, (at + size) * channels), RATE, channels)),
    );
    at += size;
  }
  events.push(...vad.flush());
  return events;
}

describe('EnergyVAD', () => {
  const options: VADOptions = {
    sampleRate: RATE,
    thresholdDbfs: -40,
    minSpeechMs: 100,
    minSilenceMs: 300,
    frameMs: 10,
  };
  // Truth: speech 500–1300 ms (with a 150 ms pause inside, shorter than minSilence), a 60 ms click at
  // 1600 ms (shorter than minSpeech), tone speech 2000–2400 ms, then quiet to 3000 ms.
  const audio = concatInt16([
    quiet(500, 1),
    burst(400, 2),
    quiet(150, 3),
    burst(250, 4),
    quiet(300, 5),
    burst(60, 6),
    quiet(340, 7),
    toneBurst(400),
    quiet(600, 8),
  ]);
  const truth = [
    { type: 'speech_start', timestampMs: 500 },
    { type: 'speech_end', timestampMs: 1300 },
    { type: 'speech_start', timestampMs: 2000 },
    { type: 'speech_end', timestampMs: 2400 },
  ];

  it('reports speech start/end within one analysis frame of the truth', () => {
    const events = run(new EnergyVAD(options), audio, [audio.length]);
    expect(events.map((e) => e.type)).toEqual(truth.map((t) => t.type));
    for (let i = 0; i < truth.length; i++) {
      expect(
        Math.abs(events[i]!.timestampMs - truth[i]!.timestampMs),
        JSON.stringify(events[i]),
      ).toBeLessThanOrEqual(10);
    }
  });

  it('emits start only after minSpeechMs of speech and end only after minSilenceMs of quiet', () => {
    const vad = new EnergyVAD(options);
    const at = (ms: number) => (RATE * ms) / 1000;
    // Feed up to 590 ms: speech started at 500 but only 90 ms of it has been seen.
    expect(vad.process(createAudioFrame(audio.subarray(0, at(590)), RATE))).toEqual([]);
    expect(vad.speaking).toBe(false);
    const start = vad.process(createAudioFrame(audio.subarray(at(590), at(610)), RATE));
    expect(start).toEqual([{ type: 'speech_start', timestampMs: 500 }]);
    expect(vad.speaking).toBe(true);
    // Quiet from 1300 ms: no end before 1600 ms.
    expect(vad.process(createAudioFrame(audio.subarray(at(610), at(1590)), RATE))).toEqual([]);
    expect(vad.process(createAudioFrame(audio.subarray(at(1590), at(1610)), RATE))).toEqual([
      { type: 'speech_end', timestampMs: 1300 },
    ]);
    expect(vad.speaking).toBe(false);
  });

  it('gives identical events for any chunking (partial analysis frames carried across calls)', () => {
    const expected = run(new EnergyVAD(options), audio, [audio.length]);
    for (const seed of [1, 2, 3]) {
      expect(run(new EnergyVAD(options), audio, randomChunks(audio.length, seed, 700))).toEqual(expected);
    }
  });

  it('downmixes multi-channel input', () => {
    const stereo = new Int16Array(audio.length * 2);
    for (let i = 0; i < audio.length; i++) {
      stereo[2 * i] = audio[i]!;
      stereo[2 * i + 1] = audio[i]!;
    }
    const expected = run(new EnergyVAD(options), audio, [audio.length]);
    expect(run(new EnergyVAD(options), stereo, [audio.length], 2)).toEqual(expected);
  });

  it('flush closes open speech at the end of the audio, and the clock keeps running', () => {
    const vad = new EnergyVAD(options);
    const speechThenCut = concatInt16([quiet(200, 1), burst(300, 2)]);
    const events = run(vad, speechThenCut, [speechThenCut.length]);
    expect(events).toEqual([
      { type: 'speech_start', timestampMs: 200 },
      { type: 'speech_end', timestampMs: 500 },
    ]);
    // Next audio continues the timeline at 500 ms.
    const more = vad.process(createAudioFrame(burst(200, 9), RATE));
    expect(more).toEqual([{ type: 'speech_start', timestampMs: 500 }]);
    vad.reset();
    expect(vad.speaking).toBe(false);
    expect(vad.process(createAudioFrame(burst(200, 9), RATE))).toEqual([
      { type: 'speech_start', timestampMs: 0 },
    ]);
  });

  it('flush ends speech at the start of a pause shorter than minSilenceMs', () => {
    const vad = new EnergyVAD(options);
    const a = concatInt16([burst(300, 1), quiet(105, 2)]);
    const events = run(vad, a, [a.length]);
    expect(events).toEqual([
      { type: 'speech_start', timestampMs: 0 },
      { type: 'speech_end', timestampMs: 300 },
    ]);
  });

  it('the threshold decides: −60 dBFS noise is never speech; the same at −30 dBFS is', () => {
    const low = new EnergyVAD({ sampleRate: RATE });
    expect(run(low, quiet(1000, 4), [16000])).toEqual([]);
    const loud = noise(16000, 1036, 5); // −30 dBFS
    const events = run(new EnergyVAD({ sampleRate: RATE, thresholdDbfs: -35 }), loud, [16000]);
    expect(events).toEqual([
      { type: 'speech_start', timestampMs: 0 },
      { type: 'speech_end', timestampMs: 1000 },
    ]);
    expect(run(new EnergyVAD({ sampleRate: RATE, thresholdDbfs: -25 }), loud, [16000])).toEqual([]);
  });

  it('validates options and input rate', () => {
    expect(() => new EnergyVAD({ sampleRate: 0 })).toThrowError(AudioFormatError);
    expect(() => new EnergyVAD({ sampleRate: RATE, thresholdDbfs: 3 })).toThrowError(/thresholdDbfs/);
    expect(() => new EnergyVAD({ sampleRate: RATE, minSpeechMs: -1 })).toThrowError(/minSpeechMs/);
    expect(() => new EnergyVAD({ sampleRate: RATE, frameMs: 0.01 })).toThrowError(/frameMs/);
    const vad = new EnergyVAD({ sampleRate: RATE });
    expect(() => vad.process(createAudioFrame(new Int16Array(10), 8000))).toThrowError(/16000 Hz/);
  });
});
