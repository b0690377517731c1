import { type AudioFrame, createAudioFrame } from '@x/audio';

export const FRAME_MS = 20;

export interface CallerMicrophoneOptions {
  sampleRate: number;
  /** Receives every 20 ms frame, in order. */
  onFrame: (frame: AudioFrame) => void;
  /** Time source (default `performance.now`); frames are pushed as it advances. */
  now?: () => number;
}

interface QueuedSpeech {
  samples: Int16Array;
  offset: number;
  resolve: () => void;
}

/**
 * A simulated caller's microphone: like a real one it never stops, sending a 20 ms frame every
 * 20 ms — silence while the caller is quiet, their speech when `speak()` queued some. Frames are
 * sent on a wall-clock schedule (late ticks catch up), so the agent hears the caller in real time.
 */
export class CallerMicrophone {
  readonly sampleRate: number;
  readonly #onFrame: (frame: AudioFrame) => void;
  readonly #now: () => number;
  readonly #samplesPerFrame: number;
  readonly #queue: QueuedSpeech[] = [];
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #framesSent = 0;
  #running = false;

  constructor(options: CallerMicrophoneOptions) {
    this.sampleRate = options.sampleRate;
    this.#onFrame = options.onFrame;
    this.#now = options.now ?? (() => performance.now());
    this.#samplesPerFrame = Math.round((options.sampleRate * FRAME_MS) / 1000);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = this.#now();
    this.#framesSent = 0;
    this.#tick();
  }

  /**
   * Queues mono PCM16 speech at the microphone's rate; resolves once its last sample was sent
   * (or at `stop()`).
   */
  speak(samples: Int16Array): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#running || samples.length === 0) {
        resolve();
        return;
      }
      this.#queue.push({ samples, offset: 0, resolve });
    });
  }

  /** Stops sending; pending `speak()` promises resolve. Idempotent. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const speech of this.#queue.splice(0)) speech.resolve();
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const due = Math.floor((this.#now() - this.#startedAt) / FRAME_MS) + 1;
    // After a long stall (a paused process), skip ahead instead of flooding the agent.
    if (due - this.#framesSent > 50) this.#framesSent = due - 50;
    while (this.#framesSent < due && this.#running) {
      this.#onFrame(this.#nextFrame());
      this.#framesSent++;
    }
    if (!this.#running) return;
    const nextAt = this.#startedAt + this.#framesSent * FRAME_MS;
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, nextAt - this.#now()));
  }

  #nextFrame(): AudioFrame {
    const data = new Int16Array(this.#samplesPerFrame);
    let filled = 0;
    while (filled < data.length) {
      const speech = this.#queue[0];
      if (!speech) break;
      const take = Math.min(data.length - filled, speech.samples.length - speech.offset);
      data.set(speech.samples.subarray(speech.offset, speech.offset + take), filled);
      speech.offset += take;
      filled += take;
      if (speech.offset >= speech.samples.length) {
        this.#queue.shift();
        speech.resolve();
      }
    }
    return createAudioFrame(data, this.sampleRate);
  }
}
