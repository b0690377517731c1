/** Deterministic test signals for the voice tests (not exported from the package). */

/** A small seeded PRNG (mulberry32), uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform white noise with the given RMS level in dBFS. */
export function whiteNoise(length: number, dbfs: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  const peak = 32767 * 10 ** (dbfs / 20) * Math.sqrt(3);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round((random() * 2 - 1) * peak);
  return out;
}

/** A linear sine sweep from `fromHz` to `toHz`. */
export function chirp(
  length: number,
  sampleRate: number,
  fromHz: number,
  toHz: number,
  dbfs: number,
): Int16Array {
  const amplitude = 32767 * 10 ** (dbfs / 20);
  const seconds = length / sampleRate;
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    const phase = 2 * Math.PI * (fromHz * t + ((toHz - fromHz) * t * t) / (2 * seconds));
    out[i] = Math.round(amplitude * Math.sin(phase));
  }
  return out;
}

/** Adds `b` into `a` (same length or shorter), saturating. */
export function mixInto(a: Int16Array, b: Int16Array, offset = 0): Int16Array {
  for (let i = 0; i < b.length && offset + i < a.length; i++) {
    a[offset + i] = Math.max(-32768, Math.min(32767, a[offset + i]! + b[i]!));
  }
  return a;
}

/** Multiplies by a gain in dB, saturating. */
export function applyGain(samples: Int16Array, db: number): Int16Array {
  const g = 10 ** (db / 20);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++)
    out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * g)));
  return out;
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function silenceSamples(ms: number, sampleRate: number): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000));
}
