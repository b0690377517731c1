/**
 * A mixed-radix complex FFT (recursive Cooley–Tukey over the factors of n: 4, 2, 3, 5, then any
 * other prime by a direct DFT), with plans cached per length. It exists only to model, in
 * TypeScript, the FFT resampling the Python reference does per audio chunk (see
 * python-resample.ts); it is not used by the packages.
 */

interface Plan {
  n: number;
  factors: number[];
  /** cos/sin of -2πk/n for k in [0, n). */
  cos: Float64Array;
  sin: Float64Array;
  /** Scratch for one butterfly group (size of the largest factor). */
  scratchRe: Float64Array;
  scratchIm: Float64Array;
}

const plans = new Map<number, Plan>();

function factorize(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (const p of [4, 2, 3, 5]) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  for (let p = 7; rest > 1; p += 2) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  return factors;
}

function plan(n: number): Plan {
  let p = plans.get(n);
  if (!p) {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      cos[k] = Math.cos((-2 * Math.PI * k) / n);
      sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    const factors = factorize(n);
    const largest = Math.max(1, ...factors);
    p = {
      n,
      factors,
      cos,
      sin,
      scratchRe: new Float64Array(largest),
      scratchIm: new Float64Array(largest),
    };
    plans.set(n, p);
  }
  return p;
}

function transform(
  pl: Plan,
  inRe: Float64Array,
  inIm: Float64Array,
  inOffset: number,
  stride: number,
  outRe: Float64Array,
  outIm: Float64Array,
  outOffset: number,
  n: number,
  factorIndex: number,
  sign: 1 | -1,
): void {
  if (n === 1) {
    outRe[outOffset] = inRe[inOffset]!;
    outIm[outOffset] = inIm[inOffset]!;
    return;
  }
  const p = pl.factors[factorIndex]!;
  const m = n / p;
  // Sub-transforms of the p decimated sequences, stored one after another in out.
  for (let q = 0; q < p; q++) {
    transform(
      pl,
      inRe,
      inIm,
      inOffset + q * stride,
      stride * p,
      outRe,
      outIm,
      outOffset + q * m,
      m,
      factorIndex + 1,
      sign,
    );
  }
  // Twiddle index step: W_n^e = W_N^(e * N / n).
  const step = pl.n / n;
  const sRe = pl.scratchRe;
  const sIm = pl.scratchIm;
  for (let k = 0; k < m; k++) {
    // Gather the k-th element of each sub-transform, times W_n^(q k).
    for (let q = 0; q < p; q++) {
      const idx = outOffset + q * m + k;
      const e = ((q * k * step) % pl.n) | 0;
      const wr = pl.cos[e]!;
      const wi = sign * pl.sin[e]!;
      const xr = outRe[idx]!;
      const xi = outIm[idx]!;
      sRe[q] = xr * wr - xi * wi;
      sIm[q] = xr * wi + xi * wr;
    }
    // A p-point DFT of the gathered values: X[k + j m] = Σ_q s[q] W_p^(q j).
    const pStep = pl.n / p;
    for (let j = 0; j < p; j++) {
      let accRe = 0;
      let accIm = 0;
      for (let q = 0; q < p; q++) {
        const e = ((q * j * pStep) % pl.n) | 0;
        const wr = pl.cos[e]!;
        const wi = sign * pl.sin[e]!;
        accRe += sRe[q]! * wr - sIm[q]! * wi;
        accIm += sRe[q]! * wi + sIm[q]! * wr;
      }
      outRe[outOffset + k + j * m] = accRe;
      outIm[outOffset + k + j * m] = accIm;
    }
  }
}

/** The DFT of (re, im) (unnormalised); `inverse` uses e^{+2πi…} and divides by n. */
export function fft(
  re: Float64Array,
  im: Float64Array,
  inverse = false,
): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  if (im.length !== n) throw new RangeError('fft: re and im must have the same length');
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  if (n === 0) return { re: outRe, im: outIm };
  // The tables hold e^{-2πik/n} (forward); the inverse conjugates them.
  transform(plan(n), re, im, 0, 1, outRe, outIm, 0, n, 0, inverse ? -1 : 1);
  if (inverse) {
    for (let i = 0; i < n; i++) {
      outRe[i] = outRe[i]! / n;
      outIm[i] = outIm[i]! / n;
    }
  }
  return { re: outRe, im: outIm };
}
