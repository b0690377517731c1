import { describe, expect, it } from 'vitest';
import { fft } from './fft.js';
import { fftResample, looksStereo, referenceChunkToBase64 } from './python-resample.js';

function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      outRe[k] = outRe[k]! + re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      outIm[k] = outIm[k]! + re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  }
  return { re: outRe, im: outIm };
}

function randomSignal(n: number, seed: number): Float64Array {
  const x = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

/** Magnitude of the DFT bin nearest `hz` for a real signal at `rate`. */
function toneMagnitude(x: ArrayLike<number>, hz: number, rate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
    im -= x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

describe('fft (mixed radix)', () => {
  for (const n of [1, 2, 7, 12, 60, 480, 960]) {
    it(`matches a direct DFT for n = ${n}`, () => {
      const re = randomSignal(n, n);
      const im = randomSignal(n, n + 1);
      const got = fft(re, im);
      const want = naiveDft(re, im);
      for (let k = 0; k < n; k++) {
        expect(got.re[k]).toBeCloseTo(want.re[k]!, 9);
        expect(got.im[k]).toBeCloseTo(want.im[k]!, 9);
      }
    });
  }

  it('inverts', () => {
    const re = randomSignal(960, 3);
    const im = randomSignal(960, 4);
    const back = fft(fft(re, im).re, fft(re, im).im, true);
    for (let i = 0; i < 960; i++) {
      expect(back.re[i]).toBeCloseTo(re[i]!, 12);
      expect(back.im[i]).toBeCloseTo(im[i]!, 12);
    }
  });
});

describe('fftResample (scipy.signal.resample model)', () => {
  it('halves a 20 ms chunk and keeps a 1 kHz tone exactly', () => {
    // 20 whole periods in the chunk: the FFT resampler reproduces the tone sample for sample.
    const x = Array.from({ length: 960 }, (_, i) => 10000 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const y = fftResample(x, 480);
    expect(y.length).toBe(480);
    for (let i = 0; i < 480; i++) {
      expect(y[i]).toBeCloseTo(10000 * Math.sin((2 * Math.PI * 1000 * i) / 24000), 6);
    }
    expect(toneMagnitude(y, 1000, 24000)).toBeCloseTo(10000, 3);
    expect(toneMagnitude(y, 3000, 24000)).toBeLessThan(1e-6);
  });

  it('drops a tone above the new Nyquist frequency', () => {
    const x = Array.from({ length: 960 }, (_, i) => 10000 * Math.sin((2 * Math.PI * 15000 * i) / 48000));
    const y = fftResample(x, 480);
    let peak = 0;
    for (const v of y) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThan(1e-6);
  });

  it('upsamples too (length and tone)', () => {
    const x = Array.from({ length: 160 }, (_, i) => 8000 * Math.sin((2 * Math.PI * 500 * i) / 8000));
    const y = fftResample(x, 480);
    expect(y.length).toBe(480);
    expect(toneMagnitude(y, 500, 24000)).toBeCloseTo(8000, 3);
  });
});

describe('referenceChunkToBase64 (the Python reference input path)', () => {
  it('guesses stereo from the length and averages the channels', () => {
    const stereo = new Int16Array(1920);
    for (let i = 0; i < 960; i++) {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
      stereo[2 * i] = v + 100;
      stereo[2 * i + 1] = v - 100;
    }
    expect(looksStereo(stereo)).toBe(true);
    const bytes = Buffer.from(referenceChunkToBase64(stereo), 'base64');
    expect(bytes.length).toBe(960);
    const out = new Int16Array(bytes.buffer, bytes.byteOffset, 480);
    expect(toneMagnitude(out, 1000, 24000)).toBeGreaterThan(7990);
    expect(toneMagnitude(out, 1000, 24000)).toBeLessThan(8010);
  });

  it('takes a 20 ms mono chunk as mono, and a 40 ms mono chunk wrongly as stereo', () => {
    expect(looksStereo(new Int16Array(960))).toBe(false);
    expect(Buffer.from(referenceChunkToBase64(new Int16Array(960)), 'base64').length).toBe(960);
    expect(looksStereo(new Int16Array(1920))).toBe(true);
    // 40 ms of mono becomes "20 ms of stereo": half the samples go missing.
    expect(Buffer.from(referenceChunkToBase64(new Int16Array(1920)), 'base64').length).toBe(960);
  });
});
