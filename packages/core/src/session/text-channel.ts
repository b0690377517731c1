/**
 * A one-reader async queue: the producer `push`es values and `end`s it, the reader iterates. The
 * reader leaving early (`return()`) or `end()` both finish the iteration; later pushes are dropped.
 */
export class AsyncChannel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  get ended(): boolean {
    return this.#ended;
  }

  push(value: T): void {
    if (this.#ended) return;
    this.#items.push(value);
    this.#notify();
  }

  /** No more values: the reader finishes once it has read what is queued. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** Ends and drops whatever is still queued. */
  close(): void {
    this.#items.length = 0;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        const next = this.#items.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
