import type { SpeechHandle } from './speech-handle.js';

export interface SpeechRunner {
  /** Plays one speech to its end (must call `handle.finish`); should not throw. */
  run(handle: SpeechHandle): Promise<void>;
  /** A speech interrupted before it started is reached in the queue (in order). */
  skipped(handle: SpeechHandle): void;
  /** The queue ran empty. */
  idle(): void;
  /** `run` threw (a bug): the handle is finished with the error. */
  failed(handle: SpeechHandle, error: Error): void;
}

/**
 * Plays speeches one at a time, in the order they were queued. A speech interrupted while queued
 * is skipped when its turn comes (so whatever it has to record still lands in order).
 */
export class SpeechQueue {
  readonly #runner: SpeechRunner;
  readonly #items: SpeechHandle[] = [];
  #current: SpeechHandle | undefined;
  #worker: Promise<void> = Promise.resolve();
  #running = false;
  #closed = false;

  constructor(runner: SpeechRunner) {
    this.#runner = runner;
  }

  /** The speech playing now. */
  get current(): SpeechHandle | undefined {
    return this.#current;
  }

  /** Speeches waiting their turn (including interrupted ones not yet skipped). */
  get queued(): readonly SpeechHandle[] {
    return this.#items;
  }

  /** Whether a speech is playing or waiting. */
  get busy(): boolean {
    return this.#current !== undefined || this.#items.some((handle) => handle.status !== 'done');
  }

  push(handle: SpeechHandle): void {
    if (this.#closed) {
      handle.interrupt();
      return;
    }
    this.#items.push(handle);
    if (!this.#running) {
      this.#running = true;
      this.#worker = this.#work();
    }
  }

  /** Interrupts the current speech and every queued one that `which` selects (default: all). */
  interruptAll(which: (handle: SpeechHandle) => boolean = () => true): void {
    const handles = [...(this.#current ? [this.#current] : []), ...this.#items];
    for (const handle of handles) if (which(handle)) handle.interrupt();
  }

  /** Interrupts everything and waits for the current speech to wind down. */
  async close(): Promise<void> {
    this.#closed = true;
    this.interruptAll();
    await this.#worker;
  }

  async #work(): Promise<void> {
    for (;;) {
      const handle = this.#items.shift();
      if (!handle) break;
      if (handle.status === 'done') {
        this.#runner.skipped(handle);
        continue;
      }
      this.#current = handle;
      try {
        await this.#runner.run(handle);
      } catch (error) {
        this.#runner.failed(handle, error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#current = undefined;
      }
    }
    // Cleared before `idle()`, whose listeners may queue the next speech at once.
    this.#running = false;
    if (!this.#closed) this.#runner.idle();
  }
}
