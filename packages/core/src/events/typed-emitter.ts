import { EventEmitter } from 'node:events';

/** An event map: event name → listener signature. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/**
 * An EventEmitter whose event names and listener arguments are checked at compile time.
 * `error` follows Node's rule: emitting it with no listener throws, so bases that emit errors
 * must document it, and callers that do not care should still attach a listener.
 */
export class TypedEventEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  on<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.on(event, listener as unknown as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.once(event, listener as unknown as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: Events[E]): this {
    this.#emitter.off(event, listener as unknown as (...args: unknown[]) => void);
    return this;
  }

  emit<E extends keyof Events & string>(event: E, ...args: Parameters<Events[E]>): boolean {
    return this.#emitter.emit(event, ...args);
  }

  listenerCount<E extends keyof Events & string>(event: E): number {
    return this.#emitter.listenerCount(event);
  }

  removeAllListeners<E extends keyof Events & string>(event?: E): this {
    if (event === undefined) this.#emitter.removeAllListeners();
    else this.#emitter.removeAllListeners(event);
    return this;
  }

  /**
   * Resolves with the listener arguments of the next `event`; rejects when `signal` aborts or
   * `timeoutMs` passes. Leaves no listener or timer behind either way.
   */
  waitFor<E extends keyof Events & string>(
    event: E,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<Parameters<Events[E]>> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        this.#emitter.off(event, onEvent);
        options.signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
      };
      const onEvent = (...args: unknown[]) => {
        cleanup();
        resolve(args as Parameters<Events[E]>);
      };
      const onAbort = () => {
        cleanup();
        reject(options.signal?.reason ?? new Error('aborted'));
      };
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      this.#emitter.on(event, onEvent);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${options.timeoutMs} ms waiting for "${event}"`));
        }, options.timeoutMs);
      }
    });
  }
}
