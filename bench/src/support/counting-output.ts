import type { AudioFrame } from '@x/audio';
import type { AudioOutput, PlayoutResult } from '@x/core';

/**
 * The cheapest possible `AudioOutput`: counts samples and stamps the first frame, so the TTS
 * benchmark charges our client only for its own work. Optionally keeps copies for checking.
 */
export class CountingOutput implements AudioOutput {
  readonly sampleRate: number;
  samples = 0;
  firstFrameAt = 0;
  frames = 0;
  keep: Int16Array[] | undefined;
  readonly playedMs = 0;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  push(frame: AudioFrame): void {
    if (this.firstFrameAt === 0) this.firstFrameAt = performance.now();
    this.samples += frame.samplesPerChannel;
    this.frames++;
    this.keep?.push(frame.data.slice());
  }

  flush(): void {}

  interrupt(): void {}

  async waitForPlayout(): Promise<PlayoutResult> {
    return { playedMs: (this.samples / this.sampleRate) * 1000, interrupted: false };
  }

  reset(keep = false): void {
    this.samples = 0;
    this.firstFrameAt = 0;
    this.frames = 0;
    this.keep = keep ? [] : undefined;
  }
}

export function concat(chunks: readonly Int16Array[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Int16Array(n);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
