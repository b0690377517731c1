import { AudioFormatError } from './errors.js';

/** The sample rates every part of this package is tested with (xAI, telephony, CD, video). */
export const SUPPORTED_SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
export type SampleRate = (typeof SUPPORTED_SAMPLE_RATES)[number];

/** Largest sample rate and channel count accepted anywhere in the package. */
export const MAX_SAMPLE_RATE = 768_000;
export const MAX_CHANNELS = 64;

export function isSupportedSampleRate(rate: number): rate is SampleRate {
  return (SUPPORTED_SAMPLE_RATES as readonly number[]).includes(rate);
}

/** Throws unless `rate` is a whole number of Hz in 1..768000. */
export function assertSampleRate(rate: number, option = 'sampleRate'): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_SAMPLE_RATE) {
    throw new AudioFormatError(
      'invalid_sample_rate',
      `${option} must be a whole number of Hz between 1 and ${MAX_SAMPLE_RATE} (e.g. one of ${SUPPORTED_SAMPLE_RATES.join(', ')}); received ${String(rate)}`,
    );
  }
}

/** Throws unless `channels` is a whole number in 1..64. */
export function assertChannels(channels: number, option = 'channels'): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new AudioFormatError(
      'invalid_channels',
      `${option} must be a whole number between 1 and ${MAX_CHANNELS}; received ${String(channels)}`,
    );
  }
}
