/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts, so a
 * provider that is slow to notice an abort cannot hold the caller. The losing promise is kept from
 * becoming an unhandled rejection. With `idleMs`, `onIdle` runs if nothing settles in time (it is
 * expected to abort `signal`).
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  idle?: { ms: number; onIdle: () => void },
): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    const timer = idle ? setTimeout(idle.onIdle, idle.ms) : undefined;
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
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
