import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  ConfigurationError,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  isRetryable,
  parseRetryAfterMs,
} from './errors.js';
import { redact, registerSecret } from './redact.js';

describe('error family', () => {
  it('marks 4xx as not retryable except 408/409/429, and 5xx as retryable', () => {
    const retryable = [400, 401, 403, 404, 408, 409, 422, 429, 500, 503].map(
      (status) => new APIStatusError('x', { status }).retryable,
    );
    expect(retryable).toEqual([false, false, false, false, true, true, false, true, true, true]);
  });

  it('recognises errors by brand, also for a copy of the class from another package instance', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('@x/core/error')]: 'status',
    });
    expect(isAPIStatusError(foreign)).toBe(true);
    expect(isAPIError(foreign)).toBe(true);
    expect(isAPIError(new Error('plain'))).toBe(false);
    expect(isAPITimeoutError(new APITimeoutError())).toBe(true);
    expect(isAPIConnectionError(new APITimeoutError())).toBe(true);
    expect(isAPIConnectionError(new APIStatusError('x', { status: 500 }))).toBe(false);
    expect(isConfigurationError(new ConfigurationError('voice', 'bob', 'one of "eve"'))).toBe(true);
    expect(isAPIError(new ConfigurationError('voice', 'bob'))).toBe(false);
    expect(new APITimeoutError()).toBeInstanceOf(APIConnectionError);
    expect(new APIConnectionError()).toBeInstanceOf(APIError);
  });

  it('isRetryable is false for unknown errors and follows the flag otherwise', () => {
    expect(isRetryable(new Error('x'))).toBe(false);
    expect(isRetryable(new APIConnectionError())).toBe(true);
    expect(isRetryable(new APIError('x', { retryable: false }))).toBe(false);
  });

  it('ConfigurationError names the option, the value and the allowed values', () => {
    const error = new ConfigurationError('sampleRate', 12345, 'one of 8000, 16000');
    expect(error.message).toBe('Invalid option "sampleRate": got 12345; expected one of 8000, 16000');
    expect(error.option).toBe('sampleRate');
  });

  it('never keeps an API key in a message', () => {
    registerSecret('sk-registered-secret-123');
    const error = new APIStatusError(
      'Incorrect API key provided: sk-registered-secret-123 (Bearer abcdefgh1234)',
      {
        status: 400,
      },
    );
    expect(error.message).not.toContain('sk-registered-secret-123');
    expect(error.message).not.toContain('abcdefgh1234');
    expect(redact('key xai-AbCdEf0123456789 and ?api_key=zzz123&x=1')).toBe(
      'key xai-[REDACTED] and ?api_key=[REDACTED]&x=1',
    );
  });

  it('parses retry-after in seconds, as a date, and retry-after-ms', () => {
    expect(parseRetryAfterMs('2')).toBe(2000);
    expect(parseRetryAfterMs(null, '150')).toBe(150);
    expect(parseRetryAfterMs('nonsense')).toBeNull();
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    const parsed = parseRetryAfterMs(inFiveSeconds);
    expect(parsed).toBeGreaterThan(3000);
    expect(parsed).toBeLessThanOrEqual(5000);
  });
});
