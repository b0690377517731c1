import { rms } from '@x/audio';
import type { STTAudioFormat } from './types.js';

/** Level (RMS, 0..1 of full scale) above which a chunk counts as possibly holding speech (≈ -50 dBFS). */
const VOICED_RMS = 0.003;

export interface BufferedChunk {
  readonly data: Int16Array;
  /** Position of the first sample frame on the STT's audio clock, in sample frames. */
  readonly start: number;
  /** Sample frames (per channel). */
  readonly length: number;
  readonly voiced: boolean;
  /** `performance.now()` when last sent, or null while not sent on the current connection. */
  sentAt: number | null;
}

export interface AppendResult {
  chunk: BufferedChunk;
  /** Audio never sent that had to be dropped to respect the bound, in ms. */
  droppedUnsentMs: number;
}

/**
 * The audio the STT may still need: chunks sent on the current connection whose transcript is not
 * final yet (replayed if the connection drops), followed by chunks not sent yet (pushed while
 * disconnected). Bounded: beyond `maxMs` the oldest chunks are dropped, and dropping audio that was
 * never sent is reported. Positions count sample frames since the first sample pushed, so they
 * form the STT's monotonic clock.
 */
export class STTAudioBuffer {
  readonly #format: STTAudioFormat;
  readonly #maxFrames: number;
  #chunks: BufferedChunk[] = [];
  #retainedFrames = 0;
  /** Sample frames appended since the start (the clock's head). */
  #head = 0;
  /** Sample frames before which nothing is needed any more. */
  #acked = 0;

  constructor(format: STTAudioFormat, maxMs: number) {
    this.#format = format;
    this.#maxFrames = Math.max(1, Math.round((maxMs * format.sampleRate) / 1000));
  }

  framesToMs(frames: number): number {
    return (frames * 1000) / this.#format.sampleRate;
  }

  msToFrames(ms: number): number {
    return Math.round((ms * this.#format.sampleRate) / 1000);
  }

  /** Audio appended since the start, in ms. */
  get headMs(): number {
    return this.framesToMs(this.#head);
  }

  /** Audio held (sent but not final, plus unsent), in ms. */
  get retainedMs(): number {
    return this.framesToMs(this.#retainedFrames);
  }

  /** Clock position (ms) of the first sample a new connection would receive. */
  get replayStartMs(): number {
    return this.framesToMs(this.#chunks[0]?.start ?? this.#head);
  }

  /** Audio sent on the current connection so far, up to the first unsent chunk, in ms. */
  get sentHeadMs(): number {
    const firstUnsent = this.#chunks.find((chunk) => chunk.sentAt === null);
    return this.framesToMs(firstUnsent ? firstUnsent.start : this.#head);
  }

  append(data: Int16Array): AppendResult {
    const length = data.length / this.#format.channels;
    const chunk: BufferedChunk = {
      data,
      start: this.#head,
      length,
      voiced: rms(data) > VOICED_RMS,
      sentAt: null,
    };
    this.#head += length;
    this.#chunks.push(chunk);
    this.#retainedFrames += length;
    let droppedUnsent = 0;
    while (this.#retainedFrames > this.#maxFrames && this.#chunks.length > 1) {
      const oldest = this.#chunks.shift()!;
      this.#retainedFrames -= oldest.length;
      this.#acked = oldest.start + oldest.length;
      if (oldest.sentAt === null) droppedUnsent += oldest.length;
    }
    return { chunk, droppedUnsentMs: this.framesToMs(droppedUnsent) };
  }

  /** Chunks not sent on the current connection, oldest first. */
  unsent(): BufferedChunk[] {
    return this.#chunks.filter((chunk) => chunk.sentAt === null);
  }

  markSent(chunk: BufferedChunk, now: number): void {
    chunk.sentAt = now;
  }

  /** The connection dropped: everything held must be sent again on the next one. */
  markAllUnsent(): void {
    for (const chunk of this.#chunks) chunk.sentAt = null;
  }

  /**
   * Audio up to `ms` on the clock has a transcript that will not change: forget it. A chunk that
   * straddles `ms` is cut so that a replay starts exactly there.
   */
  ack(ms: number): void {
    const until = Math.min(this.msToFrames(ms), this.#sentHeadFrames());
    if (until <= this.#acked) return;
    this.#acked = until;
    while (this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const end = first.start + first.length;
      if (end <= until) {
        this.#chunks.shift();
        this.#retainedFrames -= first.length;
        continue;
      }
      if (first.start < until) {
        const cut = until - first.start;
        const data = first.data.subarray(cut * this.#format.channels);
        this.#chunks[0] = {
          data,
          start: until,
          length: first.length - cut,
          voiced: first.voiced && rms(data) > VOICED_RMS,
          sentAt: first.sentAt,
        };
        this.#retainedFrames -= cut;
      }
      break;
    }
  }

  /**
   * Forgets sent, unvoiced chunks at the start while more than `keepMs` of such silence leads;
   * the last `keepMs` stay as lead-in for a replay.
   */
  trimLeadingSilence(keepMs: number): void {
    const keep = this.msToFrames(keepMs);
    let silent = 0;
    for (const chunk of this.#chunks) {
      if (chunk.voiced || chunk.sentAt === null) break;
      silent += chunk.length;
    }
    if (silent <= keep) return;
    const first = this.#chunks[0];
    if (first) this.ack(this.framesToMs(first.start + silent - keep));
  }

  /** When the chunk holding the sample just before `ms` was sent (null if unknown or unsent). */
  sentAtFor(ms: number): number | null {
    const frame = Math.max(0, this.msToFrames(ms) - 1);
    for (const chunk of this.#chunks) {
      if (frame >= chunk.start && frame < chunk.start + chunk.length) return chunk.sentAt;
    }
    return null;
  }

  /** Possible speech held and not yet final, in ms (whole voiced chunks). */
  voicedMs(): number {
    let frames = 0;
    for (const chunk of this.#chunks) if (chunk.voiced) frames += chunk.length;
    return this.framesToMs(frames);
  }

  clear(): void {
    this.#chunks = [];
    this.#retainedFrames = 0;
    this.#acked = this.#head;
  }

  #sentHeadFrames(): number {
    const firstUnsent = this.#chunks.find((chunk) => chunk.sentAt === null);
    return firstUnsent ? firstUnsent.start : this.#head;
  }
}
