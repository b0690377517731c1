import { AudioFormatError } from '../errors.js';
import { type AudioFrame, createAudioFrame } from '../frame.js';
import type { ResamplerQuality } from './filter.js';
import { StreamingResampler } from './streaming-resampler.js';

export interface ResampleOptions {
  channels?: number;
  quality?: ResamplerQuality;
}

/**
 * One-shot resampling of interleaved PCM16 (process + flush): returns exactly
 * ⌈frames × outputRate / inputRate⌉ sample frames, time-aligned with the input.
 */
export function resample(
  samples: Int16Array,
  inputRate: number,
  outputRate: number,
  options: ResampleOptions = {},
): Int16Array {
  const resampler = new StreamingResampler({ inputRate, outputRate, ...options });
  const head = resampler.process(samples);
  const tail = resampler.flush();
  if (tail.length === 0) return head;
  if (head.length === 0) return tail;
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/** One-shot resampling of a frame to `outputRate` (same channels). */
export function resampleFrame(frame: AudioFrame, outputRate: number, quality?: ResamplerQuality): AudioFrame {
  if (frame === null || typeof frame !== 'object' || !(frame.data instanceof Int16Array)) {
    throw new AudioFormatError('invalid_option', 'resampleFrame needs an AudioFrame');
  }
  const out = resample(frame.data, frame.sampleRate, outputRate, {
    channels: frame.channels,
    ...(quality === undefined ? {} : { quality }),
  });
  return createAudioFrame(out, outputRate, frame.channels);
}
