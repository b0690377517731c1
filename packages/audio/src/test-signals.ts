/** Deterministic signals and measurements shared by this package's tests (not exported by the package). */

/** Small seeded PRNG (mulberry32): the same seed gives the same sequence on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random chunk lengths (0 … max; 0, 1 and tiny sizes frequent) that add up to `total`. */
export function randomChunks(total: number, seed: number, max = 2000): number[] {
  const random = prng(seed);
  const sizes: number[] = [0, 1];
  let left = total - 1;
  while (left > 0) {
    const r = random();
    const size =
      r < 0.1 ? 0 : r < 0.3 ? 1 : r < 0.5 ? 2 + Math.floor(random() * 16) : Math.floor(random() * max);
    const n = Math.min(size, left);
    sizes.push(n);
    left -= n;
  }
  sizes.push(0);
  return sizes;
}

/** Interleaved sine(s): channel c gets frequency `hz * (c + 1)`. */
export function sine(hz: number, rate: number, frames: number, amplitude = 16384, channels = 1): Int16Array {
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      out[i * channels + c] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (c + 1) * i) / rate));
    }
  }
  return out;
}

/** Uniform white noise with the given RMS (in int16 units). */
export function noise(frames: number, rmsLevel: number, seed: number, channels = 1): Int16Array {
  const random = prng(seed);
  const out = new Int16Array(frames * channels);
  const a = rmsLevel * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((random() * 2 - 1) * a);
  return out;
}

/** RMS of a range of one channel. */
export function rmsOf(x: ArrayLike<number>, start: number, end: number, channels = 1, channel = 0): number {
  let sum = 0;
  let n = 0;
  for (let i = start; i < end; i++, n++) {
    const v = x[i * channels + channel]!;
    sum += v * v;
  }
  return Math.sqrt(sum / n);
}

/**
 * Least-squares fit of a·sin + b·cos at `hz` over [start, end) and the RMS of what is left over
 * (everything that is not that tone: aliases, images, noise).
 */
export function residualAfterTone(
  x: ArrayLike<number>,
  hz: number,
  rate: number,
  start: number,
  end: number,
): {
  amplitude: number;
  residualRms: number;
} {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = start; i < end; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    const v = x[i]!;
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += v * s;
    xc += v * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rate) + b * Math.cos((2 * Math.PI * hz * i) / rate);
    const e = x[i]! - fit;
    sum += e * e;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(sum / (end - start)) };
}

export function concatInt16(parts: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Index of the first difference between two arrays, or -1 when equal (length included). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
