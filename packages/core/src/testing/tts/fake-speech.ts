import type { AudioFrame } from '@x/audio';

/**
 * FakeTTS's "voice": each character becomes a block of `samplesPerChar` samples holding its code
 * point (capped at 32767), so audio decodes back to text exactly as long as it is not resampled.
 */
export function fakeSpeech(text: string, samplesPerChar: number): Int16Array {
  const chars = Array.from(text);
  const samples = new Int16Array(chars.length * samplesPerChar);
  chars.forEach((char, i) => {
    samples.fill(Math.min(char.codePointAt(0) ?? 0, 32767), i * samplesPerChar, (i + 1) * samplesPerChar);
  });
  return samples;
}

/** Reads text back from FakeTTS audio (the first sample of each block). */
export function decodeFakeSpeech(audio: AudioFrame | Int16Array, samplesPerChar: number): string {
  const data = audio instanceof Int16Array ? audio : audio.data;
  let text = '';
  for (let i = 0; i + samplesPerChar <= data.length; i += samplesPerChar) {
    const code = data[i] ?? 0;
    text += code > 0 ? String.fromCodePoint(code) : '';
  }
  return text;
}
