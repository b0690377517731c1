import type { AudioFrame } from '@x/audio';
import { type PlayoutClock, systemClock } from './clock.js';
import { durationOfMs, makeFrame } from './frame-converter.js';
import {
  type PlayoutSegment,
  SegmentedAudioOutput,
  type SegmentedOutputOptions,
} from './segmented-output.js';

export interface MemoryAudioOutputOptions extends Omit<SegmentedOutputOptions, 'pacing'> {
  /**
   * Real-time playout: `true` paces with the wall clock, a `PlayoutClock` (e.g. `ManualClock`) with
   * that clock. Off by default: pushed audio then counts as played at once.
   */
  realtime?: boolean | PlayoutClock;
}

/**
 * An `AudioOutput` that keeps everything it is given, for tests, offline rendering and inspection.
 * Frames are kept in push order, grouped in segments (one per utterance). With `sampleRate` set,
 * frames at other rates are resampled to it; without it, frames keep their own rate and `audio()`
 * needs every frame to share one rate.
 */
export class MemoryAudioOutput extends SegmentedAudioOutput {
  constructor(options: MemoryAudioOutputOptions = {}) {
    const { realtime, ...rest } = options;
    super({
      ...rest,
      ...(realtime === true ? { pacing: systemClock } : realtime ? { pacing: realtime } : {}),
    });
  }

  protected accept(_frame: AudioFrame, _segment: PlayoutSegment): void {
    // Frames are kept in the segment records.
  }

  /** Every frame received, in order, across segments. */
  get frames(): AudioFrame[] {
    return this.segments.flatMap((segment) => segment.frames);
  }

  /** Milliseconds of audio received over all segments. */
  get receivedMs(): number {
    return this.segments.reduce((sum, segment) => sum + segment.pushedMs, 0);
  }

  /** All audio received as one frame (every segment, in order). */
  audio(): AudioFrame {
    return joinFrames(this.frames, this.sampleRate);
  }

  /** The audio of one segment as one frame. */
  segmentAudio(index: number): AudioFrame {
    const segment = this.segments[index];
    if (!segment) throw new RangeError(`no segment ${index}; the output has ${this.segments.length}`);
    return joinFrames(segment.frames, this.sampleRate);
  }

  /** All audio actually played: each segment cut at its `playedMs` (differs from `audio()` when paced). */
  playedAudio(): AudioFrame {
    const parts: AudioFrame[] = [];
    for (const segment of this.segments) {
      let leftMs = segment.playedMs;
      for (const frame of segment.frames) {
        if (leftMs <= 0) break;
        const ms = durationOfMs(frame);
        if (ms <= leftMs) {
          parts.push(frame);
        } else {
          const samples = Math.round((leftMs * frame.sampleRate) / 1000);
          parts.push(
            makeFrame(frame.data.subarray(0, samples * frame.channels), frame.sampleRate, frame.channels),
          );
        }
        leftMs -= ms;
      }
    }
    return joinFrames(parts, this.sampleRate);
  }

  /** All audio received as s16le bytes. */
  bytes(): Uint8Array {
    const { data } = this.audio();
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Forgets every segment received so far (an in-progress segment is interrupted first). */
  clear(): void {
    this.interrupt();
    (this.segments as PlayoutSegment[]).length = 0;
  }

  /** Stops pacing timers and interrupts the segment in progress. Idempotent. */
  async close(): Promise<void> {
    this.closeSegments();
  }
}

/** Concatenates frames that share one rate and channel count. */
function joinFrames(frames: readonly AudioFrame[], sampleRate: number | undefined): AudioFrame {
  const first = frames[0];
  if (!first) return makeFrame(new Int16Array(0), sampleRate ?? 0, 1);
  let length = 0;
  for (const frame of frames) {
    if (frame.sampleRate !== first.sampleRate || frame.channels !== first.channels) {
      throw new RangeError(
        `frames differ in format (${first.sampleRate} Hz × ${first.channels} vs ${frame.sampleRate} Hz × ${frame.channels}); ` +
          'give the output a sampleRate to resample everything to one rate',
      );
    }
    length += frame.data.length;
  }
  const data = new Int16Array(length);
  let offset = 0;
  for (const frame of frames) {
    data.set(frame.data, offset);
    offset += frame.data.length;
  }
  return makeFrame(data, first.sampleRate, first.channels);
}
