/**
 * The time source an output paces playout with. `schedule` returns a cancel function; an output
 * holds at most one scheduled call at a time and cancels it on interrupt and close.
 */
export interface PlayoutClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `callback` once after `delayMs`; the returned function cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

/** Wall-clock time (`performance.now()`) and `setTimeout`. */
export const systemClock: PlayoutClock = {
  now: () => performance.now(),
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/**
 * A clock that only moves when told to: `advance(ms)` runs every scheduled call that falls due,
 * in time order. Lets tests drive a paced output (barge-in, truncation) without sleeping.
 */
export class ManualClock implements PlayoutClock {
  #now: number;
  #nextId = 0;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const id = this.#nextId++;
    this.#pending.set(id, { at: this.#now + Math.max(0, delayMs), callback });
    return () => {
      this.#pending.delete(id);
    };
  }

  /** Scheduled calls not yet run or cancelled. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Moves time forward by `ms`, running due callbacks (including ones they schedule) in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, entry] of this.#pending) {
        if (entry.at <= target && entry.at < nextAt) {
          nextAt = entry.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const entry = this.#pending.get(nextId)!;
      this.#pending.delete(nextId);
      this.#now = Math.max(this.#now, entry.at);
      entry.callback();
    }
    this.#now = target;
  }
}
