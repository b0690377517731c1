/**
 * When each piece of user audio was pushed, looked up by the position the server counts it at.
 *
 * The server reports where the user's speech ended as a position in the audio it received on the
 * connection (`audio_end_ms`), and tells so only after its VAD has heard `silence_duration_ms` of
 * silence. The time the user actually stopped talking is when the client was handed the audio at
 * that position: this class maps a connection position back to that push time.
 *
 * Two spaces: the "pushed" index counts every sample the user pushed (after conversion to the
 * provider's rate, in order); the connection position counts the samples sent on the current
 * connection. Sent audio is a run of pushed audio, possibly with gaps (audio dropped while not
 * connected) or repeats (audio replayed after a reconnect), so each send records its pushed origin.
 *
 * Bounded: only the last `windowMs` of both is kept, and a turn's start forgets what came before it.
 */
export interface RealtimeInputTimelineOptions {
  /** Rate of the samples counted (the provider's input rate). */
  sampleRate: number;
  /** Most audio remembered, in ms (pushed and sent each). */
  windowMs: number;
}

interface SentRun {
  /** Connection position of the first sample. */
  at: number;
  /** Pushed index of the first sample. */
  origin: number;
  length: number;
}

/** Compaction threshold of the push marks' dead head. */
const COMPACT_AT = 1024;

export class RealtimeInputTimeline {
  readonly #sampleRate: number;
  readonly #windowSamples: number;
  /** Per push: pushed index just past its audio, and its time (performance.now()). Oldest first. */
  #pushEnds: number[] = [];
  #pushTimes: number[] = [];
  #pushHead = 0;
  /** Pushed index below which pushes are forgotten. */
  #pushFloor = 0;
  #pushed = 0;
  /** What was sent on this connection, in order, contiguous runs merged. */
  #runs: SentRun[] = [];
  #sent = 0;

  constructor(options: RealtimeInputTimelineOptions) {
    this.#sampleRate = options.sampleRate;
    this.#windowSamples = Math.max(1, Math.round((options.windowMs * options.sampleRate) / 1000));
  }

  /** Samples pushed so far: the pushed index of the next one. */
  get pushedSamples(): number {
    return this.#pushed;
  }

  /** `samples` more user audio was pushed at `atMs`. */
  pushed(samples: number, atMs: number): void {
    if (samples <= 0) return;
    this.#pushed += samples;
    const last = this.#pushEnds.length - 1;
    if (last >= this.#pushHead && this.#pushTimes[last] === atMs) this.#pushEnds[last] = this.#pushed;
    else {
      this.#pushEnds.push(this.#pushed);
      this.#pushTimes.push(atMs);
    }
    // Forget pushes entirely older than the window.
    const oldest = this.#pushed - this.#windowSamples;
    while (this.#pushHead < this.#pushEnds.length - 1 && this.#pushEnds[this.#pushHead]! <= oldest) {
      this.#pushFloor = this.#pushEnds[this.#pushHead]!;
      this.#pushHead++;
    }
    if (this.#pushHead >= COMPACT_AT && this.#pushHead * 2 >= this.#pushEnds.length) {
      this.#pushEnds = this.#pushEnds.slice(this.#pushHead);
      this.#pushTimes = this.#pushTimes.slice(this.#pushHead);
      this.#pushHead = 0;
    }
  }

  /**
   * `length` samples starting at pushed index `origin` were just sent on the connection (`origin`
   * undefined: audio of unknown origin, which only moves the position on).
   */
  sent(origin: number | undefined, length: number): void {
    if (length <= 0) return;
    if (origin === undefined) {
      this.#sent += length;
      this.#forgetSentBefore(this.#sent - this.#windowSamples);
      return;
    }
    const last = this.#runs.at(-1);
    if (last && last.origin + last.length === origin && last.at + last.length === this.#sent) {
      last.length += length;
    } else {
      this.#runs.push({ at: this.#sent, origin, length });
    }
    this.#sent += length;
    this.#forgetSentBefore(this.#sent - this.#windowSamples);
  }

  /** A new connection: its positions count from 0. */
  newConnection(): void {
    this.#runs = [];
    this.#sent = 0;
  }

  /** A turn started at `positionMs`: nothing before it will be asked for. */
  forgetBefore(positionMs: number): void {
    this.#forgetSentBefore(this.#position(positionMs));
  }

  /**
   * When the user pushed the audio that ends at `positionMs` into the connection (its last sample
   * before that position), as `performance.now()`; undefined if that audio is not remembered.
   */
  pushTimeAt(positionMs: number): number | undefined {
    if (!Number.isFinite(positionMs) || this.#sent === 0) return undefined;
    const position = Math.min(this.#sent - 1, Math.max(0, this.#position(positionMs) - 1));
    const run = this.#runs.find((r) => position >= r.at && position < r.at + r.length);
    if (!run) return undefined;
    const index = run.origin + (position - run.at);
    let lo = this.#pushHead;
    let hi = this.#pushEnds.length - 1;
    if (index < this.#pushFloor || hi < lo || this.#pushEnds[hi]! <= index) return undefined;
    // The first push whose audio reaches past `index`.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#pushEnds[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    return this.#pushTimes[lo];
  }

  /** Forgets everything (the model closed). */
  reset(): void {
    this.#pushEnds = [];
    this.#pushTimes = [];
    this.#pushHead = 0;
    this.#pushFloor = 0;
    this.#pushed = 0;
    this.newConnection();
  }

  #position(ms: number): number {
    return Math.round((ms * this.#sampleRate) / 1000);
  }

  #forgetSentBefore(position: number): void {
    while (this.#runs.length > 0) {
      const first = this.#runs[0]!;
      const end = first.at + first.length;
      if (end <= position) {
        this.#runs.shift();
        continue;
      }
      if (first.at < position) {
        const cut = position - first.at;
        this.#runs[0] = { at: position, origin: first.origin + cut, length: first.length - cut };
      }
      return;
    }
  }
}
