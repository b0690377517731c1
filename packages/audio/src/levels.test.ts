import { describe, expect, it } from 'vitest';
import { dbfs, peak, rms } from './index.js';
import { sine } from './test-signals.js';

describe('levels', () => {
  it('full-scale square wave is 0 dBFS, a full-scale sine about −3 dBFS', () => {
    const square = Int16Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 32767 : -32768));
    expect(dbfs(square)).toBeCloseTo(0, 3);
    expect(rms(square)).toBeCloseTo(1, 4);
    const s = sine(1000, 48000, 48000, 32767);
    expect(dbfs(s)).toBeCloseTo(-3.0103, 2);
  });

  it('a sine at amplitude 0.1 is −23 dBFS with peak 0.1', () => {
    const s = sine(440, 16000, 16000, 3276.8);
    expect(dbfs(s)).toBeCloseTo(20 * Math.log10(0.1 / Math.SQRT2), 2);
    expect(peak(s)).toBeCloseTo(0.1, 3);
  });

  it('silence and empty input give 0 and −Infinity', () => {
    expect(rms(new Int16Array(100))).toBe(0);
    expect(dbfs(new Int16Array(100))).toBe(Number.NEGATIVE_INFINITY);
    expect(dbfs(new Int16Array(0))).toBe(Number.NEGATIVE_INFINITY);
    expect(peak(new Int16Array(0))).toBe(0);
  });

  it('peak counts −32768 as full scale', () => {
    expect(peak(new Int16Array([0, -32768, 5]))).toBe(1);
    expect(peak(new Int16Array([16384, -3]))).toBe(0.5);
  });
});
