/**
 * Races the many `next()` calls of one stream against an abort, so a provider that is slow to
 * notice an abort cannot hold the caller (the losing promise is kept from becoming an unhandled
 * rejection), and watches for idleness. The abort comes from `signal` (ONE listener for the
 * stream's life instead of one per call) or, without a signal, from whoever calls `abort()`.
 * ONE idle timer per stream instead of a `setTimeout`/`clearTimeout` per chunk. The idle timer
 * is lazy: each wait only notes when it started; when the timer fires it checks how long the
 * current wait has lasted and calls `onIdle` only after `ms` of continuous waiting (time the
 * consumer spends between two calls never counts), otherwise it re-arms for what is left. It
 * holds the event loop open only while a call waits.
 */
export class StreamRace {
  readonly #signal: AbortSignal | undefined;
  #aborted = false;
  #reason: unknown;
  #idleMs = 0;
  #onIdle: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Whether the timer is scheduled (it is not after it fired with no wait in progress). */
  #armed = false;
  #waitingSince = 0;
  #waiting = false;
  #reject: ((reason: unknown) => void) | null = null;
  #disposed = false;

  constructor(signal?: AbortSignal) {
    this.#signal = signal;
    if (signal?.aborted) this.abort(signal.reason);
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** From now on, a wait longer than `ms` calls `onIdle` (expected to abort the race). */
  watchIdle(ms: number, onIdle: () => void): void {
    this.#idleMs = ms;
    this.#onIdle = onIdle;
  }

  /**
   * Settles with `promise`, or rejects with the abort's reason as soon as it aborts. One call at
   * a time (the next after the previous settled).
   */
  next<T>(promise: Promise<T>): Promise<T> {
    if (this.#aborted || this.#signal?.aborted) {
      promise.catch(() => {});
      return Promise.reject(this.#aborted ? this.#reason : this.#signal?.reason);
    }
    if (this.#disposed) return promise;
    if (this.#onIdle !== null) this.#startWaiting();
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      promise.then(
        (value) => {
          if (this.#reject !== reject) return; // the abort won
          this.#settled();
          resolve(value);
        },
        (error: unknown) => {
          if (this.#reject !== reject) return;
          this.#settled();
          reject(error);
        },
      );
    });
  }

  /** Rejects the call in progress, and every later one, with `reason`. Once; not after `dispose()`. */
  abort(reason: unknown): void {
    if (this.#aborted || this.#disposed) return;
    this.#aborted = true;
    this.#reason = reason;
    const reject = this.#reject;
    this.#settled();
    reject?.(reason);
  }

  /** Removes the listener and the timer. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armed = false;
    this.#waiting = false;
  }

  readonly #onAbort = (): void => {
    this.abort(this.#signal?.reason);
  };

  #settled(): void {
    this.#reject = null;
    if (this.#waiting) {
      this.#waiting = false;
      this.#timer?.unref();
    }
  }

  #startWaiting(): void {
    this.#waiting = true;
    this.#waitingSince = performance.now();
    if (!this.#armed) {
      this.#armed = true;
      if (this.#timer === null) this.#timer = setTimeout(this.#onTimer, this.#idleMs);
      else this.#timer.refresh();
    }
    this.#timer?.ref();
  }

  readonly #onTimer = (): void => {
    this.#armed = false;
    if (!this.#waiting || this.#disposed) return;
    const left = this.#idleMs - (performance.now() - this.#waitingSince);
    if (left > 0) {
      this.#armed = true;
      this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(left)));
      return;
    }
    this.#onIdle?.();
  };
}

/** Calls `iterator.return()` without waiting and without letting it reject unhandled. */
export function closeQuietly(iterator: AsyncIterator<unknown> | undefined): void {
  if (!iterator?.return) return;
  try {
    iterator.return().catch(() => {});
  } catch {
    // a synchronous throw from return() is as irrelevant as an asynchronous one
  }
}

/** The reason a generation is aborted by `cancelCurrentGeneration()` or by leaving the loop early. */
export function cancellationReason(message = 'The generation was cancelled'): Error {
  return new DOMException(message, 'AbortError');
}
