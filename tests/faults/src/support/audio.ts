import { type AudioFrame, createAudioFrame } from '@x/audio';
import { synthesizeVoice } from '@x/simulator';
import { sleep } from './util.js';

/** `text` in the simulator's voice, with `leadMs` of silence before and `tailMs` after (mono). */
export function spoken(text: string, sampleRate: number, leadMs = 100, tailMs = 0): Int16Array {
  const voice = synthesizeVoice(text, sampleRate);
  const lead = Math.round((leadMs * sampleRate) / 1000);
  const tail = Math.round((tailMs * sampleRate) / 1000);
  const out = new Int16Array(lead + voice.length + tail);
  out.set(voice, lead);
  return out;
}

export function silence(ms: number, sampleRate: number): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000));
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Mono frames of `frameMs` (the last one may be shorter). */
export function framesOf(samples: Int16Array, sampleRate: number, frameMs = 20): AudioFrame[] {
  const size = Math.round((frameMs * sampleRate) / 1000);
  const frames: AudioFrame[] = [];
  for (let at = 0; at < samples.length; at += size) {
    frames.push(createAudioFrame(samples.slice(at, at + size), sampleRate));
  }
  return frames;
}

export interface StreamOptions {
  frameMs?: number;
  /** 1 = real time, 2 = twice as fast; Infinity = all at once. */
  speed?: number;
  /** Stops streaming early (frames not yet pushed are not pushed). */
  signal?: AbortSignal;
}

/**
 * Pushes `samples` as frames paced like a microphone (on a schedule, so a slow event loop catches
 * up instead of drifting). Returns the number of samples pushed.
 */
export async function stream(
  push: (frame: AudioFrame) => void,
  samples: Int16Array,
  sampleRate: number,
  options: StreamOptions = {},
): Promise<number> {
  const frameMs = options.frameMs ?? 20;
  const speed = options.speed ?? 1;
  const started = performance.now();
  let pushed = 0;
  let elapsedMs = 0;
  for (const frame of framesOf(samples, sampleRate, frameMs)) {
    if (options.signal?.aborted) break;
    if (Number.isFinite(speed)) {
      const due = started + elapsedMs / speed;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    push(frame);
    pushed += frame.samplesPerChannel;
    elapsedMs += (frame.samplesPerChannel * 1000) / sampleRate;
  }
  return pushed;
}
