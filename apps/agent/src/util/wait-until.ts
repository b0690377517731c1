/** A wait that ran out of time; names what it waited for. */
export class WaitTimeoutError extends Error {
  constructor(label: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${label}`);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the timeout error. */
  label: string;
  /** How often the condition is checked (default 10 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Resolves once `condition()` holds (checked at once, then every `intervalMs`); bounded by `timeoutMs`. */
export function waitUntil(condition: () => boolean, options: WaitOptions): Promise<void> {
  const { timeoutMs, label, intervalMs = 10, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const deadline = performance.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      reject(signal?.reason);
    };
    const check = (): void => {
      timer = undefined;
      let done: boolean;
      try {
        done = condition();
      } catch (error) {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
        return;
      }
      if (done) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      } else if (performance.now() >= deadline) {
        signal?.removeEventListener('abort', onAbort);
        reject(new WaitTimeoutError(label, timeoutMs));
      } else {
        timer = setTimeout(check, intervalMs);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

/** `setTimeout` as a promise (bounded by construction). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
