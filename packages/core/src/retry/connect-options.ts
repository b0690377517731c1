import { ConfigurationError } from '../errors/errors.js';

/** How a provider connects: retries, the pause between them, and how long one attempt may take. */
export interface ConnectOptions {
  /** Retries after the first attempt (0 = try once). */
  maxRetry: number;
  /** Pause before the second retry; later pauses double (the first retry waits a tenth of it). */
  retryIntervalMs: number;
  /** Time one attempt may take to connect / produce its first output. */
  timeoutMs: number;
}

export const DEFAULT_CONNECT_OPTIONS: Readonly<ConnectOptions> = Object.freeze({
  maxRetry: 3,
  retryIntervalMs: 2000,
  timeoutMs: 10_000,
});

/** Merges user options over the defaults, validating each. */
export function resolveConnectOptions(options: Partial<ConnectOptions> = {}): ConnectOptions {
  const merged = { ...DEFAULT_CONNECT_OPTIONS, ...options };
  if (!Number.isInteger(merged.maxRetry) || merged.maxRetry < 0) {
    throw new ConfigurationError('connectOptions.maxRetry', merged.maxRetry, 'an integer ≥ 0');
  }
  if (!Number.isFinite(merged.retryIntervalMs) || merged.retryIntervalMs < 0) {
    throw new ConfigurationError(
      'connectOptions.retryIntervalMs',
      merged.retryIntervalMs,
      'a number of ms ≥ 0',
    );
  }
  if (!Number.isFinite(merged.timeoutMs) || merged.timeoutMs <= 0) {
    throw new ConfigurationError('connectOptions.timeoutMs', merged.timeoutMs, 'a number of ms > 0');
  }
  return merged;
}

/** Backoff before retry number `retry` (0-based): a short first pause, then doubling, capped at 30 s. */
export function backoffMs(retry: number, options: ConnectOptions, retryAfterMs?: number | null): number {
  if (retryAfterMs !== null && retryAfterMs !== undefined) return Math.min(retryAfterMs, 60_000);
  if (retry === 0) return Math.min(100, options.retryIntervalMs / 10);
  return Math.min(options.retryIntervalMs * 2 ** (retry - 1), 30_000);
}
