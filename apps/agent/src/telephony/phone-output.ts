import { type AudioFrame, mulawEncode } from '@x/audio';
import { type PlayoutSegment, SegmentedAudioOutput, systemClock } from '@x/core';
import { clearMessage, markMessage, mediaMessage, type OutboundMessage } from './protocol.js';

export const PHONE_SAMPLE_RATE = 8000;

/**
 * Agent audio to a phone call: every frame (resampled to 8 kHz) goes out at once as a `media`
 * message with µ-law payload; the provider buffers and plays it. Playout is paced by the clock,
 * so `playedMs` follows what the caller has heard. A segment's end is marked with a `mark`
 * message; an interruption sends `clear`, which makes the provider drop the audio it buffered.
 */
export class PhoneAudioOutput extends SegmentedAudioOutput {
  readonly #send: (message: OutboundMessage) => void;
  #streamSid: string;
  #marks = 0;

  constructor(streamSid: string, send: (message: OutboundMessage) => void) {
    super({
      sampleRate: PHONE_SAMPLE_RATE,
      pacing: systemClock,
      keepFrames: false,
      resamplerQuality: 'fast',
    });
    this.#streamSid = streamSid;
    this.#send = send;
  }

  protected accept(frame: AudioFrame, _segment: PlayoutSegment): void {
    this.#send(mediaMessage(this.#streamSid, mulawEncode(frame.data)));
  }

  override flush(): void {
    const segment = this.playing ? this.segments.at(-1) : undefined;
    super.flush();
    if (segment) this.#send(markMessage(this.#streamSid, `agent-${segment.index}-end-${++this.#marks}`));
  }

  override interrupt(): void {
    if (this.playing) this.#send(clearMessage(this.#streamSid));
    super.interrupt();
  }

  /** Stops pacing timers (the call ended). */
  close(): void {
    this.closeSegments();
  }
}
