import { type AudioFrame, createAudioFrame } from '@x/audio';

/** A sine tone (stand-in for speech in tests), interleaved into `channels` identical channels. */
export function tone(ms: number, sampleRate: number, channels = 1, hz = 440, amplitude = 0.3): Int16Array {
  const frames = Math.round((ms * sampleRate) / 1000);
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = value;
  }
  return out;
}

export function quiet(ms: number, sampleRate: number, channels = 1): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000) * channels);
}

/** Cuts interleaved samples into frames of `frameMs`. */
export function frames(samples: Int16Array, sampleRate: number, channels = 1, frameMs = 20): AudioFrame[] {
  const size = Math.max(1, Math.round((frameMs * sampleRate) / 1000)) * channels;
  const out: AudioFrame[] = [];
  for (let offset = 0; offset < samples.length; offset += size) {
    out.push(createAudioFrame(samples.slice(offset, offset + size), sampleRate, channels));
  }
  return out;
}
