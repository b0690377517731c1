/**
 * The API key every client in the suite uses. It is distinctive so that a scan of every log line,
 * error and event can prove it never leaks, not even in part.
 */
export const SECRET_KEY = 'xai-FAULTSUITE-SECRET-KEY-123456';

/** Pieces of the key that must never appear anywhere (the whole key, and it without its prefix). */
export const SECRET_FRAGMENTS: readonly string[] = [SECRET_KEY, 'FAULTSUITE-SECRET-KEY', 'SECRET-KEY-123456'];

/** The fragments of the key found in `text` (empty when it is clean). */
export function leaksIn(text: string): string[] {
  return SECRET_FRAGMENTS.filter((fragment) => text.includes(fragment));
}
