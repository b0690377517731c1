import type { AudioFrame } from '@x/audio';

/** How a playout segment ended. */
export interface PlayoutResult {
  /** Audio actually played (not merely queued) in this segment. */
  playedMs: number;
  interrupted: boolean;
}

/**
 * Where agent audio goes. Frames are played in the order pushed. A "segment" is the audio of one
 * agent utterance: it starts with the first `push` after the previous segment ended and ends with
 * `flush()` (all queued audio then plays out) or `interrupt()` (queued audio is dropped at once).
 */
export interface AudioOutput {
  /** The rate the output prefers; producers may resample to it. `undefined` accepts any rate. */
  readonly sampleRate: number | undefined;
  /** Enqueues a frame of the current segment. */
  push(frame: AudioFrame): void;
  /** Marks the end of the current segment. */
  flush(): void;
  /** Stops playout now and drops everything queued; the segment ends as interrupted. */
  interrupt(): void;
  /** Resolves when the current (or, if idle, the last) segment has finished. */
  waitForPlayout(): Promise<PlayoutResult>;
  /** Milliseconds of the current segment played so far. */
  readonly playedMs: number;
}

/** Where user audio comes from: any async iterable of frames. */
export type AudioInput = AsyncIterable<AudioFrame>;
