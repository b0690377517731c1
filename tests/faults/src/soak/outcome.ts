import { isAPIError, isAPIStatusError, isConfigurationError } from '@x/core';

/** How one episode (one client, from creation to close) ended. */
export type Outcome =
  /** Everything came back exactly. */
  | { kind: 'ok'; reconnects: number; retries: number }
  /** The client gave up with exactly one typed error. */
  | { kind: 'typed_error'; error: unknown; reconnects: number; retries: number }
  /**
   * Realtime only: a reply in flight was lost to a dropped socket (by design a reply cut by a drop
   * is not resumed); the session itself recovered.
   */
  | { kind: 'degraded'; reason: string; reconnects: number; retries: number };

/** A broken invariant: an untyped error, a wrong result without an error, two errors, a leak… */
export class SoakViolation extends Error {
  override readonly name = 'SoakViolation';
}

export function violation(client: string, message: string): SoakViolation {
  return new SoakViolation(`${client}: ${message}`);
}

/** A short label for a typed error: `APIStatusError 429`, `APITimeoutError`, … */
export function errorLabel(error: unknown): string {
  if (isAPIStatusError(error)) return `APIStatusError ${error.status}`;
  if (isAPIError(error) || isConfigurationError(error)) return (error as Error).name;
  return `untyped ${error instanceof Error ? error.name : typeof error}`;
}

/** Throws a violation unless `error` is one of the typed @x errors. */
export function requireTyped(client: string, error: unknown): void {
  if (!isAPIError(error) && !isConfigurationError(error)) {
    throw violation(
      client,
      `untyped error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
}
