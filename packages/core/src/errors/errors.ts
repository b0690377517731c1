import { redact } from './redact.js';

/**
 * Errors are recognised by a global Symbol brand, not only by `instanceof`, so two copies of
 * `@x/core` (ESM and CJS, or two versions) still agree on what an error is.
 */
const BRAND = Symbol.for('@x/core/error');

export type XErrorKind = 'api' | 'status' | 'connection' | 'timeout' | 'configuration';

export interface APIErrorOptions {
  /** Whether trying again can succeed. */
  retryable?: boolean;
  cause?: unknown;
  body?: unknown;
}

/** Base of every error raised by the @x packages when talking to a provider. */
export class APIError extends Error {
  readonly [BRAND]: XErrorKind = 'api';
  readonly retryable: boolean;
  readonly body: unknown;

  constructor(message: string, options: APIErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'APIError';
    this.retryable = options.retryable ?? true;
    this.body = options.body;
  }
}

export interface APIStatusErrorOptions extends APIErrorOptions {
  status: number;
  requestId?: string | null;
  /** Milliseconds the server asked us to wait (from `retry-after`). */
  retryAfterMs?: number | null;
}

/** The server answered with an error status (HTTP, or a refused WebSocket handshake). */
export class APIStatusError extends APIError {
  override readonly [BRAND]: XErrorKind = 'status';
  readonly status: number;
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;

  constructor(message: string, options: APIStatusErrorOptions) {
    super(message, { ...options, retryable: options.retryable ?? isRetryableStatus(options.status) });
    this.name = 'APIStatusError';
    this.status = options.status;
    this.requestId = options.requestId ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** The connection failed or dropped before the request completed. Retryable. */
export class APIConnectionError extends APIError {
  override readonly [BRAND]: XErrorKind = 'connection';
  constructor(message = 'Connection error', options: APIErrorOptions = {}) {
    super(message, { ...options, retryable: options.retryable ?? true });
    this.name = 'APIConnectionError';
  }
}

/** No answer within the allowed time. Retryable. */
export class APITimeoutError extends APIConnectionError {
  override readonly [BRAND]: XErrorKind = 'timeout';
  constructor(message = 'Request timed out', options: APIErrorOptions = {}) {
    super(message, options);
    this.name = 'APITimeoutError';
  }
}

/** An option has a value the provider cannot use. Never retryable; thrown by constructors. */
export class ConfigurationError extends Error {
  readonly [BRAND]: XErrorKind = 'configuration';
  readonly option: string;
  readonly allowed: string | undefined;

  /**
   * @param option the option's name as the user wrote it (`sampleRate`)
   * @param received the value given (secrets must never be passed here)
   * @param allowed a human description of the allowed values (`one of 8000, 16000`)
   */
  constructor(option: string, received: unknown, allowed?: string, detail?: string) {
    const shown = typeof received === 'string' ? JSON.stringify(received) : String(received);
    super(
      redact(
        `Invalid option "${option}": got ${shown}` +
          (allowed ? `; expected ${allowed}` : '') +
          (detail ? `. ${detail}` : ''),
      ),
    );
    this.name = 'ConfigurationError';
    this.option = option;
    this.allowed = allowed;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function kindOf(error: unknown): XErrorKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [BRAND]?: XErrorKind })[BRAND];
}

export function isAPIError(error: unknown): error is APIError {
  const kind = kindOf(error);
  return kind !== undefined && kind !== 'configuration';
}
export function isAPIStatusError(error: unknown): error is APIStatusError {
  return kindOf(error) === 'status';
}
export function isAPIConnectionError(error: unknown): error is APIConnectionError {
  const kind = kindOf(error);
  return kind === 'connection' || kind === 'timeout';
}
export function isAPITimeoutError(error: unknown): error is APITimeoutError {
  return kindOf(error) === 'timeout';
}
export function isConfigurationError(error: unknown): error is ConfigurationError {
  return kindOf(error) === 'configuration';
}

/** Whether `error` may succeed if tried again (unknown errors are not). */
export function isRetryable(error: unknown): boolean {
  return isAPIError(error) && (error as APIError).retryable;
}

/** Parses a `retry-after` header (seconds or HTTP date) or `retry-after-ms` into milliseconds. */
export function parseRetryAfterMs(
  retryAfter: string | null | undefined,
  retryAfterMs?: string | null,
): number | null {
  if (retryAfterMs) {
    const ms = Number(retryAfterMs);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (!retryAfter) return null;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  return null;
}
