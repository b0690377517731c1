import { APITimeoutError, isRetryable, type APIError } from '../errors/errors.js';
import { backoffMs, type ConnectOptions } from './connect-options.js';
import { sleep } from './sleep.js';

/**
 * The rules of every retry loop (`withRetry`, and the LLM base's own loop): a failure of an attempt
 * that timed out becomes an `APITimeoutError` unless it is retryable anyway; it is retried, after
 * `backoffMs` (which honours `retryAfterMs`), while retries are left and it is retryable.
 * `delayMs` is null when it must be thrown.
 */
export function retryDecision(
  raw: unknown,
  attemptNumber: number,
  connectOptions: ConnectOptions,
  timedOut: boolean,
  label = 'request',
): { error: unknown; delayMs: number | null } {
  const error =
    timedOut && !isRetryable(raw)
      ? new APITimeoutError(`${label} timed out after ${connectOptions.timeoutMs} ms`, { cause: raw })
      : raw;
  if (attemptNumber >= connectOptions.maxRetry || !isRetryable(error)) return { error, delayMs: null };
  const retryAfterMs = (error as APIError & { retryAfterMs?: number | null }).retryAfterMs;
  return { error, delayMs: backoffMs(attemptNumber, connectOptions, retryAfterMs) };
}

export interface RetryOptions {
  connectOptions: ConnectOptions;
  /** Aborts the attempt in flight and any pause; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Asked before each retry; return false once output has reached the user (audio played, a token
   * shown), because a retry would then repeat or lose what they already got.
   */
  canRetry?: () => boolean;
  /** Called before each pause, e.g. to emit a metrics or log event. */
  onRetry?: (error: unknown, retry: number, delayMs: number) => void;
  /** Names the operation in timeout errors. */
  label?: string;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the retries run out. Each
 * attempt gets its own signal, aborted after `connectOptions.timeoutMs` (the attempt then fails
 * with `APITimeoutError`) or when the caller's signal aborts.
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { connectOptions, signal } = options;
  for (let attemptNumber = 0; ; attemptNumber++) {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(
        new APITimeoutError(`${options.label ?? 'request'} timed out after ${connectOptions.timeoutMs} ms`),
      );
    }, connectOptions.timeoutMs);
    try {
      return await attempt(controller.signal, attemptNumber);
    } catch (raw) {
      if (signal?.aborted) throw signal.reason;
      const { error, delayMs } = retryDecision(raw, attemptNumber, connectOptions, timedOut, options.label);
      if (delayMs === null || (options.canRetry && !options.canRetry())) throw error;
      options.onRetry?.(error, attemptNumber + 1, delayMs);
      await sleep(delayMs, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }
}
