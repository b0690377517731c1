import type { AudioFrame } from '@x/audio';
import { type PlayoutSegment, SegmentedAudioOutput, systemClock } from '@x/core';

export const BROWSER_PLAYBACK_RATE = 24000;

export interface BrowserOutputSink {
  /** One binary WebSocket message: mono s16le PCM at `BROWSER_PLAYBACK_RATE`. */
  sendAudio(pcm: Uint8Array): void;
  /** The page must stop playing and drop what it buffered. */
  sendClear(): void;
}

/**
 * Agent audio to the web page: frames (resampled to 24 kHz) are sent at once as binary messages
 * and the page schedules them back to back with Web Audio. Playout is paced by the clock so
 * `playedMs` follows what the listener heard; an interruption tells the page to clear its queue.
 */
export class BrowserAudioOutput extends SegmentedAudioOutput {
  readonly #sink: BrowserOutputSink;

  constructor(sink: BrowserOutputSink) {
    super({
      sampleRate: BROWSER_PLAYBACK_RATE,
      pacing: systemClock,
      keepFrames: false,
      resamplerQuality: 'fast',
    });
    this.#sink = sink;
  }

  protected accept(frame: AudioFrame, _segment: PlayoutSegment): void {
    const { data } = frame;
    this.#sink.sendAudio(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  override interrupt(): void {
    if (this.playing) this.#sink.sendClear();
    super.interrupt();
  }

  /** Stops pacing timers (the page went away). */
  close(): void {
    this.closeSegments();
  }
}
