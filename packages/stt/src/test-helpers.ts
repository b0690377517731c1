import { type AudioFrame, createAudioFrame } from '@x/audio';
import type { SpeechEvent, STT } from '@x/core';

/** Pushes interleaved PCM in frames of the given sizes (sample frames, cycled). */
export function pushSamples(
  stt: STT,
  samples: Int16Array,
  sampleRate: number,
  channels = 1,
  frameSizes: readonly number[] = [Math.round(sampleRate / 50)],
): void {
  const total = samples.length / channels;
  let offset = 0;
  let index = 0;
  while (offset < total) {
    const size = Math.min(frameSizes[index++ % frameSizes.length]!, total - offset);
    stt.pushAudio(
      createAudioFrame(samples.slice(offset * channels, (offset + size) * channels), sampleRate, channels),
    );
    offset += size;
  }
}

export function silenceSamples(ms: number, sampleRate: number, channels = 1): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000) * channels);
}

export function toStereo(mono: Int16Array): Int16Array {
  const out = new Int16Array(mono.length * 2);
  for (let i = 0; i < mono.length; i++) {
    out[2 * i] = mono[i]!;
    out[2 * i + 1] = mono[i]!;
  }
  return out;
}

export function framesOf(samples: Int16Array, sampleRate: number): AudioFrame[] {
  const out: AudioFrame[] = [];
  const size = Math.round(sampleRate / 50);
  for (let i = 0; i < samples.length; i += size)
    out.push(createAudioFrame(samples.slice(i, i + size), sampleRate));
  return out;
}

/** Collects transcripts; `text()` joins locked and final texts (each word once). */
export function recorder(stt: STT) {
  const events: SpeechEvent[] = [];
  const errors: unknown[] = [];
  stt.on('transcript', (event) => events.push(event));
  stt.on('error', (error) => errors.push(error));
  return {
    events,
    errors,
    finals: () => events.filter((e) => e.type === 'final'),
    text: () =>
      events
        .filter((e) => e.type !== 'interim')
        .map((e) => e.text)
        .filter((t) => t !== '')
        .join(' '),
  };
}
