/**
 * The Python reference's input path for one audio chunk, modelled in TypeScript as the baseline for
 * the realtime per-frame benchmark:
 *
 *   samples = np.frombuffer(chunk, dtype=np.int16)
 *   if len(samples) >= 1920 and len(samples) % 2 == 0:      # "stereo" guessed from the length
 *       samples = samples.reshape(-1, 2).mean(axis=1)
 *   samples = scipy.signal.resample(samples, int(len(samples) * 24000 / 48000))
 *   payload = base64(samples.astype(np.int16).tobytes())
 *
 * `scipy.signal.resample` works on the whole chunk in the frequency domain: FFT, keep (or pad) the
 * lowest frequencies, inverse FFT. Each chunk is resampled on its own, so the edges of consecutive
 * chunks do not join up (audible clicks), which is one of the weaknesses @x/core's stateful
 * resampler fixes.
 */
import { fft } from './fft.js';

/** `scipy.signal.resample(x, num)` for real x (its rfft/irfft path), in float64. */
export function fftResample(x: ArrayLike<number>, num: number): Float64Array {
  const nx = x.length;
  const re = new Float64Array(nx);
  for (let i = 0; i < nx; i++) re[i] = x[i]!;
  const spectrum = fft(re, new Float64Array(nx));
  // Half spectrum Y (num/2 + 1 bins) as rfft → copy → split/join Nyquist, as scipy does.
  const half = Math.floor(num / 2) + 1;
  const yRe = new Float64Array(half);
  const yIm = new Float64Array(half);
  const n = Math.min(num, nx);
  const nyq = Math.floor(n / 2) + 1;
  for (let k = 0; k < Math.min(nyq, half); k++) {
    yRe[k] = spectrum.re[k]!;
    yIm[k] = spectrum.im[k]!;
  }
  if (n % 2 === 0) {
    const k = n / 2;
    if (num < nx) {
      yRe[k] = yRe[k]! * 2;
      yIm[k] = yIm[k]! * 2;
    } else if (nx < num) {
      yRe[k] = yRe[k]! * 0.5;
      yIm[k] = yIm[k]! * 0.5;
    }
  }
  // irfft(Y, num): the Hermitian full spectrum, inverse FFT, real part.
  const zRe = new Float64Array(num);
  const zIm = new Float64Array(num);
  for (let k = 0; k < half && k < num; k++) {
    zRe[k] = yRe[k]!;
    zIm[k] = yIm[k]!;
  }
  if (num % 2 === 0) zIm[num / 2] = 0;
  for (let k = 1; k < half; k++) {
    const mirror = num - k;
    if (mirror > k) {
      zRe[mirror] = yRe[k]!;
      zIm[mirror] = -yIm[k]!;
    }
  }
  zIm[0] = 0;
  const time = fft(zRe, zIm, true);
  const scale = num / nx;
  const out = new Float64Array(num);
  for (let i = 0; i < num; i++) out[i] = time.re[i]! * scale;
  return out;
}

/** `np.ndarray.astype(np.int16)` of float values (truncation; clamped here instead of wrapping). */
export function toInt16(x: Float64Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.trunc(x[i]!);
    out[i] = Math.min(32767, Math.max(-32768, v));
  }
  return out;
}

/** The reference's stereo guess on a chunk of int16 samples. */
export function looksStereo(samples: Int16Array): boolean {
  return samples.length >= 1920 && samples.length % 2 === 0;
}

/**
 * One chunk of 48 kHz int16 audio through the reference's path: stereo guess and channel mean,
 * FFT resample to 24 kHz, int16, little-endian bytes, base64.
 */
export function referenceChunkToBase64(chunk: Int16Array, inputRate = 48000, outputRate = 24000): string {
  let mono: ArrayLike<number> = chunk;
  if (looksStereo(chunk)) {
    const m = new Float64Array(chunk.length / 2);
    for (let i = 0; i < m.length; i++) m[i] = (chunk[2 * i]! + chunk[2 * i + 1]!) / 2;
    mono = m;
  }
  const resampled = toInt16(fftResample(mono, Math.floor((mono.length * outputRate) / inputRate)));
  return Buffer.from(resampled.buffer, resampled.byteOffset, resampled.byteLength).toString('base64');
}
