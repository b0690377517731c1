import { describe, expect, it } from 'vitest';
import { AudioFormatError } from './errors.js';
import { createAudioFrame } from './frame.js';
import {
  type ResamplerQuality,
  resample,
  resampleFrame,
  StreamingResampler,
  SUPPORTED_SAMPLE_RATES,
} from './index.js';
import { polyphaseFilter } from './resampler/filter.js';
import {
  concatInt16,
  firstDifference,
  noise,
  prng,
  randomChunks,
  residualAfterTone,
  rmsOf,
  sine,
} from './test-signals.js';

function runChunked(r: StreamingResampler, input: Int16Array, sizes: readonly number[]): Int16Array {
  const parts: Int16Array[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(r.process(input.subarray(at * r.channels, (at + size) * r.channels)));
    at += size;
  }
  parts.push(r.flush());
  return concatInt16(parts);
}

/** SNR (dB) of y against the ideal sine at `hz`, over [start, end). */
function snrAgainstSine(
  y: Int16Array,
  hz: number,
  rate: number,
  amplitude: number,
  start: number,
  end: number,
) {
  let signal = 0;
  let error = 0;
  for (let n = start; n < end; n++) {
    const ideal = amplitude * Math.sin((2 * Math.PI * hz * n) / rate);
    signal += ideal * ideal;
    error += (y[n]! - ideal) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

describe('StreamingResampler quality (high preset)', () => {
  const pairs: Array<[number, number]> = [
    [48000, 24000],
    [48000, 16000],
    [24000, 48000],
    [8000, 16000],
  ];
  for (const [inputRate, outputRate] of pairs) {
    it(`a 1 kHz sine through ${inputRate} → ${outputRate} comes out at 1 kHz with ≥ 80 dB SNR`, () => {
      const amplitude = 16384;
      const frames = inputRate / 2; // 0.5 s
      const x = sine(1000, inputRate, frames, amplitude);
      const r = new StreamingResampler({ inputRate, outputRate, quality: 'high' });
      const head = r.process(x);
      const tail = r.flush();
      const expected = Math.ceil((frames * outputRate) / inputRate);
      // process() holds back exactly the reported latency; flush() delivers it.
      expect(expected - head.length).toBeGreaterThanOrEqual(r.latencySamples - 1);
      expect(expected - head.length).toBeLessThanOrEqual(r.latencySamples);
      expect(head.length + tail.length).toBe(expected);
      const y = concatInt16([head, tail]);
      // Output sample n is aligned with input time n / outputRate; compare with the ideal sine,
      // skipping the filter's length (2 × latency) at each edge where the input started/stopped.
      const edge = 2 * r.latencySamples + 8;
      const snr = snrAgainstSine(y, 1000, outputRate, amplitude, edge, y.length - edge);
      expect(snr).toBeGreaterThanOrEqual(80);
      // It really is 1 kHz: the best-fitting 1 kHz tone has the input's amplitude.
      const fit = residualAfterTone(y, 1000, outputRate, edge, y.length - edge);
      expect(fit.amplitude / amplitude).toBeGreaterThan(0.9999);
      expect(fit.amplitude / amplitude).toBeLessThan(1.0001);
    });
  }

  it('a 1 kHz sine is still at 1 kHz with ≥ 80 dB SNR when fed in 20 ms chunks (48 → 16 kHz)', () => {
    const x = sine(1000, 48000, 24000);
    const r = new StreamingResampler({ inputRate: 48000, outputRate: 16000 });
    const y = runChunked(r, x, new Array(x.length / 960).fill(960));
    const edge = 2 * r.latencySamples + 8;
    expect(snrAgainstSine(y, 1000, 16000, 16384, edge, y.length - edge)).toBeGreaterThanOrEqual(80);
  });

  for (const [outputRate, hz] of [
    [16000, 1000],
    [24000, 1000],
    [16000, 6000],
  ] as const) {
    it(`the voice preset passes ${hz} Hz cleanly (≥ 70 dB SNR) at 48 → ${outputRate / 1000} kHz`, () => {
      const x = sine(hz, 48000, 24000);
      const y = resample(x, 48000, outputRate, { quality: 'voice' });
      const edge = 200;
      expect(snrAgainstSine(y, hz, outputRate, 16384, edge, y.length - edge)).toBeGreaterThanOrEqual(70);
    });
  }

  it('the fast preset also passes 1 kHz cleanly (≥ 75 dB SNR) at 48 → 16 kHz', () => {
    const x = sine(1000, 48000, 24000);
    const y = resample(x, 48000, 16000, { quality: 'fast' });
    const edge = 200;
    expect(snrAgainstSine(y, 1000, 16000, 16384, edge, y.length - edge)).toBeGreaterThanOrEqual(75);
  });
});

describe('StreamingResampler stopband', () => {
  function aliasDb(hz: number, inputRate: number, outputRate: number, quality: ResamplerQuality): number {
    const x = sine(hz, inputRate, inputRate / 4, 16384);
    const y = resample(x, inputRate, outputRate, { quality });
    const edge = 200;
    return 20 * Math.log10(rmsOf(y, edge, y.length - edge) / rmsOf(x, 0, x.length));
  }

  for (const quality of ['high', 'fast'] as const) {
    it(`${quality}: a 15 kHz tone into 48k → 24k is attenuated by ≥ 70 dB`, () => {
      expect(aliasDb(15000, 48000, 24000, quality)).toBeLessThanOrEqual(-70);
    });
    it(`${quality}: tones between 1.05× and 1.9× the target Nyquist are attenuated by ≥ 70 dB`, () => {
      for (const [inputRate, outputRate] of [
        [48000, 16000],
        [44100, 16000],
        [22050, 8000],
      ] as const) {
        for (const factor of [1.05, 1.3, 1.9]) {
          const hz = (factor * outputRate) / 2;
          expect(
            aliasDb(hz, inputRate, outputRate, quality),
            `${hz} Hz, ${inputRate} → ${outputRate}`,
          ).toBeLessThanOrEqual(-70);
        }
      }
    });
  }

  it('voice: tones from 1.2× to 1.9× the target Nyquist (those that would alias into the passband) are ≥ 75 dB down', () => {
    for (const [inputRate, outputRate] of [
      [48000, 24000],
      [48000, 16000],
      [44100, 16000],
      [22050, 8000],
    ] as const) {
      for (const factor of [1.2, 1.3, 1.6, 1.9]) {
        const hz = (factor * outputRate) / 2;
        expect(
          aliasDb(hz, inputRate, outputRate, 'voice'),
          `${hz} Hz, ${inputRate} → ${outputRate}`,
        ).toBeLessThanOrEqual(-75);
      }
    }
  });

  it('voice: a tone just above the target Nyquist is only partly rejected, and lands above the passband', () => {
    // 12.6 kHz into 48k → 24k folds to 11.4 kHz: attenuated (transition band) but not to 75 dB.
    const attenuation = aliasDb(12600, 48000, 24000, 'voice');
    expect(attenuation).toBeLessThan(-3);
    expect(attenuation).toBeGreaterThan(-75);
    const y = resample(sine(12600, 48000, 12000, 16384), 48000, 24000, { quality: 'voice' });
    const edge = 200;
    const residual = residualAfterTone(y, 24000 - 12600, 24000, edge, y.length - edge).residualRms;
    expect(residual).toBeLessThan(rmsOf(y, edge, y.length - edge) * 0.01); // all of it is the 11.4 kHz alias
  });

  it('voice: halving the rate zeroes every other tap but the centre (half-band), so half the work is skipped', () => {
    const filter = polyphaseFilter(48000, 24000, 'voice');
    expect(filter.L).toBe(1);
    const centre = filter.K - 1;
    let zeros = 0;
    for (let m = 0; m < filter.taps - 1; m++) {
      const distance = Math.abs(m - centre);
      const c = filter.coefficients[m]!;
      if (distance > 0 && distance % 2 === 0) {
        expect(c, `tap ${m}`).toBe(0);
        zeros++;
      } else {
        expect(c, `tap ${m}`).not.toBe(0);
      }
    }
    expect(zeros).toBeGreaterThanOrEqual(filter.taps / 2 - 2);
    expect(filter.taps).toBeLessThanOrEqual(polyphaseFilter(48000, 24000, 'fast').taps / 2);
    expect(Array.from(filter.splitSingles ?? [])).toContain(centre >> 1);
  });

  it('high: images of a 3 kHz tone upsampled 8k → 16k are ≥ 70 dB down', () => {
    const x = sine(3000, 8000, 4000);
    const y = resample(x, 8000, 16000, { quality: 'high' });
    const edge = 400;
    const fit = residualAfterTone(y, 3000, 16000, edge, y.length - edge);
    expect(20 * Math.log10(fit.residualRms / rmsOf(x, 0, x.length))).toBeLessThanOrEqual(-70);
    expect(fit.amplitude / 16384).toBeGreaterThan(0.999);
  });

  it('passes DC unchanged: every phase of the filter has unit gain', () => {
    const x = new Int16Array(4410).fill(12345);
    const y = resample(x, 44100, 48000);
    for (let n = 300; n < y.length - 300; n++) expect(y[n]).toBe(12345);
  });
});

describe('StreamingResampler streaming', () => {
  const pairs: Array<[number, number]> = [
    [44100, 48000],
    [48000, 44100],
    [22050, 16000],
    [16000, 22050],
    [48000, 16000],
    [48000, 24000],
    [24000, 16000],
    [8000, 24000],
  ];
  for (const channels of [1, 2]) {
    for (const [inputRate, outputRate] of pairs) {
      it(`chunked equals one-shot, bit for bit: ${inputRate} → ${outputRate}, ${channels} ch`, () => {
        const frames = Math.round(inputRate * 0.3);
        const x = concatInt16([
          noise(frames, 6000, inputRate + channels, channels),
          sine(440, inputRate, frames, 20000, channels),
        ]);
        for (const quality of ['fast', 'high', 'voice'] as const) {
          const oneShot = resample(x, inputRate, outputRate, { channels, quality });
          expect(oneShot.length).toBe(Math.ceil(((x.length / channels) * outputRate) / inputRate) * channels);
          for (const seed of [1, 2]) {
            const r = new StreamingResampler({ inputRate, outputRate, channels, quality });
            const sizes = randomChunks(x.length / channels, seed * 7919 + inputRate, 3000);
            expect(sizes).toContain(0);
            expect(sizes).toContain(1);
            const chunked = runChunked(r, x, sizes);
            expect(firstDifference(chunked, oneShot), `${quality}, seed ${seed}`).toBe(-1);
            // After flush the same instance starts over and gives the same result again.
            expect(firstDifference(runChunked(r, x, [x.length / channels]), oneShot)).toBe(-1);
          }
        }
      });
    }
  }

  it('processes each channel independently (stereo equals two mono runs)', () => {
    const left = noise(4800, 5000, 11);
    const right = sine(700, 48000, 4800, 9000);
    const stereo = new Int16Array(9600);
    for (let i = 0; i < 4800; i++) {
      stereo[2 * i] = left[i]!;
      stereo[2 * i + 1] = right[i]!;
    }
    const y = resample(stereo, 48000, 22050, { channels: 2 });
    const yl = resample(left, 48000, 22050);
    const yr = resample(right, 48000, 22050);
    expect(y.length).toBe(2 * yl.length);
    for (let i = 0; i < yl.length; i++) {
      expect(y[2 * i]).toBe(yl[i]);
      expect(y[2 * i + 1]).toBe(yr[i]);
    }
  });

  it('float path: chunked equals one-shot and matches the int16 path within rounding', () => {
    const x = noise(8000, 4000, 5);
    const xf = Float32Array.from(x, (v) => v / 32768);
    const one = new StreamingResampler({ inputRate: 16000, outputRate: 24000 });
    const a = one.processFloat32(xf);
    const b = one.flushFloat32();
    const whole = new Float32Array(a.length + b.length);
    whole.set(a);
    whole.set(b, a.length);
    const chunked = new StreamingResampler({ inputRate: 16000, outputRate: 24000 });
    const parts: Float32Array[] = [];
    let at = 0;
    for (const size of randomChunks(xf.length, 3, 500)) {
      parts.push(chunked.processFloat32(xf.subarray(at, at + size)));
      at += size;
    }
    parts.push(chunked.flushFloat32());
    const joined = new Float32Array(whole.length);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(o).toBe(whole.length);
    expect(firstDifference(joined, whole)).toBe(-1);
    const int = resample(x, 16000, 24000);
    for (let i = 0; i < int.length; i++)
      expect(Math.abs(int[i]! - whole[i]! * 32768)).toBeLessThanOrEqual(0.5 + 1e-3);
  });

  it('processFrame checks the frame format and may return an empty frame', () => {
    const r = new StreamingResampler({ inputRate: 16000, outputRate: 8000 });
    const small = r.processFrame(createAudioFrame(new Int16Array(10), 16000, 1));
    expect(small.sampleRate).toBe(8000);
    expect(small.samplesPerChannel).toBe(0);
    const big = r.processFrame(createAudioFrame(new Int16Array(3200), 16000, 1));
    expect(big.samplesPerChannel).toBe(1605 - r.latencySamples);
    expect(() => r.processFrame(createAudioFrame(new Int16Array(10), 24000, 1))).toThrowError(
      /16000 Hz × 1 ch/,
    );
    expect(() => r.processFrame(createAudioFrame(new Int16Array(10), 16000, 2))).toThrowError(
      AudioFormatError,
    );
  });

  it('is a pass-through copy when the rates are equal', () => {
    const x = noise(1000, 3000, 9, 2);
    const r = new StreamingResampler({ inputRate: 24000, outputRate: 24000, channels: 2 });
    expect(r.latencySamples).toBe(0);
    const y = r.process(x);
    expect(y).toEqual(x);
    expect(y.buffer).not.toBe(x.buffer);
    expect(r.flush().length).toBe(0);
  });

  it('rounds to nearest and clips (never wraps) when the filtered signal exceeds int16', () => {
    const x = new Int16Array(4800);
    for (let i = 0; i < x.length; i++) x[i] = (i >> 4) % 2 === 0 ? 32767 : -32768; // square wave: Gibbs overshoot
    const y = resample(x, 48000, 16000);
    const r = new StreamingResampler({ inputRate: 48000, outputRate: 16000 });
    const a = r.processFloat32(Float32Array.from(x, (v) => v / 32768));
    const b = r.flushFloat32();
    const exact = [...a, ...b].map((v) => v * 32768);
    expect(exact.length).toBe(y.length);
    let clipped = 0;
    for (let i = 0; i < y.length; i++) {
      const v = exact[i]!;
      const want = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
      if (want !== Math.round(v)) clipped++;
      expect(Math.abs(y[i]! - want)).toBeLessThanOrEqual(1); // float32 vs float64 rounding at .5
    }
    expect(clipped).toBeGreaterThan(10);
  });

  it('rounds half up like Math.round, negatives included, wherever float32 leaves no doubt', () => {
    for (const quality of ['voice', 'fast', 'high'] as const) {
      const x = noise(9600, 12000, 5);
      const y = resample(x, 48000, 16000, { quality });
      const r = new StreamingResampler({ inputRate: 48000, outputRate: 16000, quality });
      const exact = [...r.processFloat32(Float32Array.from(x, (v) => v / 32768)), ...r.flushFloat32()];
      let checked = 0;
      let negativeHalvesNear = 0;
      for (let i = 0; i < y.length; i++) {
        const v = exact[i]! * 32768;
        const fraction = v - Math.floor(v);
        if (Math.abs(fraction - 0.5) < 0.01) continue; // float32 output cannot tell which side
        checked++;
        if (v < 0 && Math.abs(fraction - 0.5) < 0.1) negativeHalvesNear++;
        if (y[i] !== Math.round(v) + 0) expect(y[i], `${quality} sample ${i} (${v})`).toBe(Math.round(v) + 0);
      }
      expect(checked).toBeGreaterThan(y.length * 0.95);
      expect(negativeHalvesNear).toBeGreaterThan(50);
    }
  });
});

describe('every supported rate pair', () => {
  it('produces ⌈frames × out / in⌉ samples after flush, holds back latencySamples, for both presets', () => {
    const random = prng(42);
    for (const quality of ['fast', 'high', 'voice'] as const) {
      for (const inputRate of SUPPORTED_SAMPLE_RATES) {
        for (const outputRate of SUPPORTED_SAMPLE_RATES) {
          const frames = 1000 + Math.floor(random() * 3000);
          const x = noise(frames, 3000, frames);
          const r = new StreamingResampler({ inputRate, outputRate, quality });
          const head = r.process(x);
          const tail = r.flush();
          const exact = (frames * outputRate) / inputRate;
          const label = `${inputRate} → ${outputRate} (${quality}), ${frames} frames`;
          expect(head.length + tail.length, label).toBe(Math.ceil(exact));
          expect(Math.abs(head.length + tail.length - exact), label).toBeLessThan(1);
          const heldBack = Math.ceil(exact) - head.length;
          expect(heldBack, label).toBeGreaterThanOrEqual(Math.max(0, r.latencySamples - 1));
          expect(heldBack, label).toBeLessThanOrEqual(r.latencySamples);
          expect(r.latencyMs, label).toBeLessThan(quality === 'high' ? 12 : quality === 'fast' ? 6 : 3);
        }
      }
    }
  });
});

describe('resampler options', () => {
  it('rejects bad rates, channels, quality and sample counts with AudioFormatError', () => {
    const bad = (fn: () => unknown, code: string, message: RegExp) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(AudioFormatError);
        expect((error as AudioFormatError).code).toBe(code);
        expect((error as Error).message).toMatch(message);
        return;
      }
      throw new Error('expected an AudioFormatError');
    };
    bad(
      () => new StreamingResampler({ inputRate: 0, outputRate: 16000 }),
      'invalid_sample_rate',
      /inputRate/,
    );
    bad(
      () => new StreamingResampler({ inputRate: 16000, outputRate: 22050.5 }),
      'invalid_sample_rate',
      /outputRate/,
    );
    bad(
      () => new StreamingResampler({ inputRate: 16000, outputRate: 8000, channels: 0 }),
      'invalid_channels',
      /channels/,
    );
    bad(
      () =>
        new StreamingResampler({ inputRate: 16000, outputRate: 8000, quality: 'medium' as ResamplerQuality }),
      'invalid_option',
      /'fast', 'high', 'voice'.*medium/,
    );
    bad(
      () => new StreamingResampler({ inputRate: 44100, outputRate: 47999 }),
      'unsupported_rate_pair',
      /44100 → 47999/,
    );
    bad(
      () =>
        new StreamingResampler({ inputRate: 16000, outputRate: 8000, channels: 2 }).process(
          new Int16Array(3),
        ),
      'partial_sample_frame',
      /3 samples/,
    );
  });

  it('resampleFrame keeps channels and sets the new rate', () => {
    const frame = createAudioFrame(noise(2205, 2000, 4, 2), 22050, 2);
    const out = resampleFrame(frame, 48000, 'fast');
    expect(out.sampleRate).toBe(48000);
    expect(out.channels).toBe(2);
    expect(out.samplesPerChannel).toBe(4800);
    expect(out.data).toEqual(resample(frame.data, 22050, 48000, { channels: 2, quality: 'fast' }));
  });
});
