/**
 * Levels relative to digital full scale (32768). By this convention a full-scale square wave is
 * 0 dBFS and a full-scale sine is about −3 dBFS.
 */

/** Root mean square, 0 … 1 of full scale (0 for an empty array). */
export function rms(samples: Int16Array): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = samples[i]!;
    sum += v * v;
  }
  return Math.sqrt(sum / n) / 32768;
}

/** RMS level in dBFS: 20·log10(rms); −Infinity for digital silence or an empty array. */
export function dbfs(samples: Int16Array): number {
  const r = rms(samples);
  return r === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(r);
}

/** Largest absolute sample, 0 … 1 of full scale (−32768 counts as 1). */
export function peak(samples: Int16Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    const a = v < 0 ? -v : v;
    if (a > max) max = a;
  }
  return max / 32768;
}
