/**
 * Windowed-sinc (Kaiser) polyphase filter design for rational resampling by L/M.
 *
 * The anti-aliasing / anti-imaging low-pass is defined as a continuous kernel h(t) in units of
 * input samples, and output sample n is evaluated at input time t_n = n·M/L:
 *   y[n] = Σ_j x[j] · h(t_n − j).
 * Writing t_n = i + p/L (i = ⌊nM/L⌋, p = nM mod L), the taps needed are j = i+1−K … i+K, so each
 * phase p gets a row of T = 2K coefficients c[p][m] = h(p/L + K − 1 − m). Every row is normalised to
 * unit DC gain, so a constant input comes out unchanged whatever the phase.
 */

import { splitCoefficients, splitSingleTaps, tapMultiple } from './kernel.js';

export type ResamplerQuality = 'fast' | 'high' | 'voice';

export interface QualityPreset {
  /** Designed stopband attenuation in dB (Kaiser's formula). */
  readonly attenuationDb: number;
  /** Passband edge as a fraction of the lower Nyquist frequency min(in, out) / 2. */
  readonly passband: number;
  /**
   * When true the stopband starts at 2·Nyquist − passband edge instead of at the Nyquist frequency,
   * so tones just above the Nyquist fold back only into the band above the passband. The transition
   * band doubles (about half the taps) and the cutoff sits exactly at the Nyquist frequency, which
   * zeroes every M-th tap of a decimator (every other one when halving the rate).
   */
  readonly aliasesAbovePassband: boolean;
}

/**
 * - `fast`: ~100 dB stopband from the lower Nyquist frequency, flat to 80 % of it (6.4 kHz of an
 *   8 kHz band). Nothing above the Nyquist frequency aliases.
 * - `high`: ~125 dB stopband from the lower Nyquist frequency, flat to 90 % of it (7.2 kHz of 8 kHz).
 * - `voice`: for speech on its way to a recogniser or a speech model: ~80 dB stopband, flat to
 *   80 % of the lower Nyquist; tones between 100 % and 120 % of it alias into the top 20 % of the
 *   band (above the passband), where speech carries little. A quarter to a half of the work of
 *   `fast`.
 */
export const QUALITY_PRESETS: Readonly<Record<ResamplerQuality, QualityPreset>> = Object.freeze({
  fast: Object.freeze({ attenuationDb: 100, passband: 0.8, aliasesAbovePassband: false }),
  high: Object.freeze({ attenuationDb: 125, passband: 0.9, aliasesAbovePassband: false }),
  voice: Object.freeze({ attenuationDb: 80, passband: 0.8, aliasesAbovePassband: true }),
});

export const RESAMPLER_QUALITIES: readonly ResamplerQuality[] = Object.freeze(['fast', 'high', 'voice']);

export interface PolyphaseFilter {
  /** Interpolation factor (number of phases). */
  readonly L: number;
  /** Decimation factor. */
  readonly M: number;
  /** Half the number of taps per phase; taps = 2·K. */
  readonly K: number;
  readonly taps: number;
  /** L rows of `taps` coefficients, row p at offset p·taps. */
  readonly coefficients: Float64Array;
  /** The same rows reordered for the split kernel (M = 2, 3), see kernel.ts. */
  readonly split: Float64Array | undefined;
  /** Per split sub-row: the index of its only non-zero tap, or −1 (see kernel.ts). */
  readonly splitSingles: Int32Array | undefined;
  /** Cutoff (−6 dB point) as a fraction of the input rate. */
  readonly cutoff: number;
  readonly beta: number;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's β for a given stopband attenuation in dB. */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Largest number of phases (L) accepted, which bounds the coefficient table size. */
export const MAX_PHASES = 1024;

const cache = new Map<string, PolyphaseFilter>();

/** The (cached, shared, read-only) filter for inputRate → outputRate at a quality. */
export function polyphaseFilter(
  inputRate: number,
  outputRate: number,
  quality: ResamplerQuality,
): PolyphaseFilter {
  const g = gcd(inputRate, outputRate);
  const L = outputRate / g;
  const M = inputRate / g;
  const key = `${L}/${M}/${quality}`;
  let filter = cache.get(key);
  if (filter === undefined) {
    filter = designPolyphaseFilter(L, M, QUALITY_PRESETS[quality]);
    cache.set(key, filter);
  }
  return filter;
}

/** Designs the polyphase table for resampling by L/M (L, M coprime). */
export function designPolyphaseFilter(L: number, M: number, preset: QualityPreset): PolyphaseFilter {
  // Frequencies as fractions of the input rate.
  const lowerNyquist = Math.min(1, L / M) / 2;
  const passEdge = preset.passband * lowerNyquist;
  const stopEdge = preset.aliasesAbovePassband ? 2 * lowerNyquist - passEdge : lowerNyquist;
  const cutoff = preset.aliasesAbovePassband ? lowerNyquist : (passEdge + stopEdge) / 2;
  const transition = stopEdge - passEdge;
  // Kaiser: order N = (A − 7.95) / (2.285 · Δω), Δω in rad/sample of the input rate.
  const span = (preset.attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition);
  // Round the taps per phase up to what the kernel for this M unrolls by.
  const half = tapMultiple(M) / 2;
  const K = Math.max(half, Math.ceil(span / 2 / half) * half);
  const taps = 2 * K;
  const beta = kaiserBeta(preset.attenuationDb);
  const i0Beta = besselI0(beta);
  // With the cutoff at the Nyquist frequency, 2·cutoff·t = n / max(L, M) for the integer
  // n = p + L·(K − 1 − m): the sinc's zeros fall exactly on taps, and are set to exact zeros.
  const zeroPeriod = Math.max(L, M);
  const coefficients = new Float64Array(L * taps);
  for (let p = 0; p < L; p++) {
    const row = p * taps;
    let sum = 0;
    for (let m = 0; m < taps; m++) {
      const n = p + L * (K - 1 - m);
      const t = p / L + K - 1 - m;
      const u = t / K;
      let v = 0;
      if (u > -1 && u < 1) {
        let sinc: number;
        if (n === 0) sinc = 1;
        else if (preset.aliasesAbovePassband && n % zeroPeriod === 0) sinc = 0;
        else {
          const arg = preset.aliasesAbovePassband ? n / zeroPeriod : 2 * cutoff * t;
          sinc = Math.sin(Math.PI * arg) / (Math.PI * arg);
        }
        v = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta);
      }
      coefficients[row + m] = v;
      sum += v;
    }
    for (let m = 0; m < taps; m++) coefficients[row + m] = coefficients[row + m]! / sum;
  }
  const split = M === 2 || M === 3 ? splitCoefficients(coefficients, L, M, taps) : undefined;
  const splitSingles = split === undefined ? undefined : splitSingleTaps(split, L, M, taps);
  return Object.freeze({ L, M, K, taps, coefficients, split, splitSingles, cutoff, beta });
}
