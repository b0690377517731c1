import type { AudioFrame, ResamplerQuality } from '@x/audio';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import type { AudioOutput, PlayoutResult } from './audio-output.js';
import type { PlayoutClock } from './clock.js';
import { durationOfMs, FrameRateConverter } from './frame-converter.js';

/** One agent utterance as an output saw it. */
export interface PlayoutSegment {
  readonly index: number;
  /** Frames in push order (after resampling to the output's rate); empty if the output keeps none. */
  readonly frames: AudioFrame[];
  /** Milliseconds of audio pushed. */
  pushedMs: number;
  /** Milliseconds of audio played (equals `pushedMs` when the output is not paced). */
  playedMs: number;
  flushed: boolean;
  ended: boolean;
  interrupted: boolean;
}

export type AudioOutputEvents = {
  /** The first frame of a segment arrived. */
  segment_started: (index: number) => void;
  /** A frame was accepted (after resampling). */
  frame: (frame: AudioFrame, segmentIndex: number) => void;
  /** The segment finished playing or was interrupted. */
  segment_ended: (result: PlayoutResult & { index: number }) => void;
};

export interface SegmentedOutputOptions {
  /**
   * The rate frames are stored at. Frames at another rate are resampled (stateful, per segment).
   * `undefined` keeps every frame at its own rate.
   */
  sampleRate?: number;
  /** Resampler preset used when frames need converting. */
  resamplerQuality?: ResamplerQuality;
  /**
   * Plays audio in real time against this clock instead of counting it as played when pushed:
   * `playedMs` then advances like a speaker's, `flush()` ends the segment only once everything
   * queued has played, and `interrupt()` keeps only what was played.
   */
  pacing?: PlayoutClock;
  /** Keep every accepted frame in `segments[i].frames` (default true). */
  keepFrames?: boolean;
}

/**
 * The segment bookkeeping every concrete output shares: segments, `playedMs` (immediate or paced by
 * a clock), `waitForPlayout()` and interruption. Subclasses receive accepted frames in `accept`.
 */
export abstract class SegmentedAudioOutput
  extends TypedEventEmitter<AudioOutputEvents>
  implements AudioOutput
{
  readonly sampleRate: number | undefined;
  readonly #converter: FrameRateConverter;
  readonly #clock: PlayoutClock | undefined;
  readonly #keepFrames: boolean;
  readonly #segments: PlayoutSegment[] = [];
  #current: PlayoutSegment | undefined;
  #lastUpdateMs = 0;
  #cancelTimer: (() => void) | undefined;
  #waiters: Array<(result: PlayoutResult) => void> = [];
  #closed = false;

  constructor(options: SegmentedOutputOptions = {}) {
    super();
    this.sampleRate = options.sampleRate;
    this.#converter = new FrameRateConverter(options.sampleRate, options.resamplerQuality);
    this.#clock = options.pacing;
    this.#keepFrames = options.keepFrames ?? true;
  }

  /** Receives each frame accepted into `segment`, in order. */
  protected abstract accept(frame: AudioFrame, segment: PlayoutSegment): void;

  /** Every segment so far, oldest first. */
  get segments(): readonly PlayoutSegment[] {
    return this.#segments;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the output paces playout with a clock. */
  get paced(): boolean {
    return this.#clock !== undefined;
  }

  /** Milliseconds of the current segment played so far (of the last one when idle). */
  get playedMs(): number {
    const segment = this.#current ?? this.#segments.at(-1);
    if (!segment) return 0;
    if (segment === this.#current) this.#advance();
    return segment.playedMs;
  }

  /** Whether a segment is in progress (pushed and not yet played out or interrupted). */
  get playing(): boolean {
    return this.#current !== undefined;
  }

  push(frame: AudioFrame): void {
    if (this.#closed) return;
    let segment = this.#current;
    if (!segment) {
      segment = {
        index: this.#segments.length,
        frames: [],
        pushedMs: 0,
        playedMs: 0,
        flushed: false,
        ended: false,
        interrupted: false,
      };
      this.#segments.push(segment);
      this.#current = segment;
      this.#lastUpdateMs = this.#clock?.now() ?? 0;
      this.emit('segment_started', segment.index);
    } else if (segment.flushed) {
      // More audio after flush but before playout ended: the segment continues.
      segment.flushed = false;
    }
    this.#advance();
    for (const converted of this.#converter.convert(frame)) this.#append(converted, segment);
  }

  flush(): void {
    const segment = this.#current;
    if (!segment || this.#closed) return;
    for (const tail of this.#converter.flush()) this.#append(tail, segment);
    segment.flushed = true;
    this.#check();
  }

  interrupt(): void {
    const segment = this.#current;
    if (!segment) return;
    this.#advance();
    this.#converter.reset();
    this.#end(segment, true);
  }

  waitForPlayout(): Promise<PlayoutResult> {
    const segment = this.#current;
    if (segment) return new Promise((resolve) => this.#waiters.push(resolve));
    const last = this.#segments.at(-1);
    return Promise.resolve(
      last ? { playedMs: last.playedMs, interrupted: last.interrupted } : { playedMs: 0, interrupted: false },
    );
  }

  /** Ends any segment in progress as interrupted and stops every timer. Idempotent. */
  protected closeSegments(): void {
    if (this.#closed) return;
    this.interrupt();
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #append(frame: AudioFrame, segment: PlayoutSegment): void {
    if (frame.samplesPerChannel === 0) return;
    if (this.#keepFrames) segment.frames.push(frame);
    segment.pushedMs += durationOfMs(frame);
    if (!this.#clock) segment.playedMs = segment.pushedMs;
    this.accept(frame, segment);
    this.emit('frame', frame, segment.index);
  }

  /** Moves the paced playhead to now: it plays at real-time speed and stalls when the queue runs dry. */
  #advance(): void {
    const segment = this.#current;
    if (!segment || !this.#clock) return;
    const now = this.#clock.now();
    segment.playedMs = Math.min(segment.pushedMs, segment.playedMs + (now - this.#lastUpdateMs));
    this.#lastUpdateMs = now;
  }

  /** Ends a flushed segment once played out; otherwise (paced) checks again when it should be. */
  #check(): void {
    const segment = this.#current;
    if (!segment?.flushed) return;
    this.#advance();
    const remainingMs = segment.pushedMs - segment.playedMs;
    if (!this.#clock || remainingMs < 0.5) {
      segment.playedMs = segment.pushedMs;
      this.#end(segment, false);
      return;
    }
    this.#cancelTimer?.();
    this.#cancelTimer = this.#clock.schedule(() => {
      this.#cancelTimer = undefined;
      this.#check();
    }, remainingMs);
  }

  #end(segment: PlayoutSegment, interrupted: boolean): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    segment.ended = true;
    segment.interrupted = interrupted;
    this.#current = undefined;
    const result = { playedMs: segment.playedMs, interrupted };
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve(result);
    this.emit('segment_ended', { ...result, index: segment.index });
  }
}
