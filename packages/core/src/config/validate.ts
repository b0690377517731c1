import { ConfigurationError } from '../errors/errors.js';

/** Returns `value` if it is one of `allowed` (compared case-insensitively for strings when asked). */
export function oneOf<T extends string | number | boolean | null>(
  option: string,
  value: unknown,
  allowed: readonly T[],
  { caseInsensitive = false }: { caseInsensitive?: boolean } = {},
): T {
  for (const candidate of allowed) {
    if (candidate === value) return candidate;
    if (
      caseInsensitive &&
      typeof candidate === 'string' &&
      typeof value === 'string' &&
      candidate.toLowerCase() === value.toLowerCase()
    ) {
      return candidate;
    }
  }
  throw new ConfigurationError(option, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
}

/** Returns `value` if it is a finite number within [min, max] (and an integer when asked). */
export function inRange(
  option: string,
  value: unknown,
  min: number,
  max: number,
  { integer = false }: { integer?: boolean } = {},
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ConfigurationError(
      option,
      value,
      `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    );
  }
  return value;
}
