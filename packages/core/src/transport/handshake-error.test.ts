import { describe, expect, it } from 'vitest';
import { isAPIStatusError } from '../errors/errors.js';
import { registerSecret } from '../errors/redact.js';
import { handshakeError, headerValue } from './handshake-error.js';

describe('handshakeError', () => {
  it("reads xAI's flat body {code, error}: status, not retryable for 401, redacted message and body, request id", () => {
    const key = 'xai-handshake-secret-0123456789';
    registerSecret(key);
    const error = handshakeError({
      status: 401,
      headers: { 'x-request-id': 'req-1' },
      body: JSON.stringify({ code: 'Unauthenticated', error: `Incorrect API key provided: ${key}.` }),
      service: 'xAI STT',
    });
    expect(isAPIStatusError(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.requestId).toBe('req-1');
    expect(error.retryAfterMs).toBeNull();
    expect(error.message).toBe(
      'xAI STT handshake refused with HTTP 401: Incorrect API key provided: [REDACTED].',
    );
    expect(error.body).toEqual({ code: 'Unauthenticated', error: 'Incorrect API key provided: [REDACTED].' });
    expect(JSON.stringify(error.body)).not.toContain(key);
  });

  it('reads the nested body {error: {message, type, code}} and retry-after (seconds) of a 429', () => {
    const error = handshakeError({
      status: 429,
      headers: { 'retry-after': '2', 'x-request-id': ['req-a', 'req-b'] },
      body: JSON.stringify({
        error: { message: 'Too many requests', type: 'rate_limit', code: 'rate_limited' },
      }),
      service: 'xAI TTS',
    });
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.requestId).toBe('req-a');
    expect(error.message).toBe('xAI TTS handshake refused with HTTP 429: Too many requests');
    expect(error.body).toEqual({
      error: { message: 'Too many requests', type: 'rate_limit', code: 'rate_limited' },
    });
  });

  it('prefers retry-after-ms, and takes headers from a fetch Headers object', () => {
    const headers = new Headers({ 'Retry-After': '9', 'Retry-After-Ms': '250', 'X-Request-Id': 'h-1' });
    const error = handshakeError({ status: 503, headers, body: '{"message":"overloaded"}', service: 'svc' });
    expect(error.retryAfterMs).toBe(250);
    expect(error.requestId).toBe('h-1');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('svc handshake refused with HTTP 503: overloaded');
  });

  it('keeps a text body (redacted, bounded in the message) and handles an empty one', () => {
    const long = `Bearer abcdefghijkl ${'x'.repeat(1000)}`;
    const error = handshakeError({ status: 502, body: long, service: 'svc' });
    expect(error.body).toBe(`Bearer [REDACTED] ${'x'.repeat(1000)}`);
    expect(error.message.startsWith('svc handshake refused with HTTP 502: Bearer [REDACTED] xxx')).toBe(true);
    expect(error.message.length).toBeLessThan(400);
    expect(error.message.endsWith('…')).toBe(true);

    const empty = handshakeError({ status: 500, body: '', service: 'svc' });
    expect(empty.message).toBe('svc handshake refused with HTTP 500');
    expect(empty.body).toBe('');
  });

  it('a JSON body without an error text gives the status only, and keeps the body', () => {
    const error = handshakeError({ status: 400, body: '{"detail":[1,2]}', service: 'svc' });
    expect(error.message).toBe('svc handshake refused with HTTP 400');
    expect(error.retryable).toBe(false);
    expect(error.body).toEqual({ detail: [1, 2] });
  });
});

describe('headerValue', () => {
  it('matches names lower-case, takes the first of repeated values, null when absent', () => {
    expect(headerValue({ 'x-a': ['1', '2'] }, 'X-A')).toBe('1');
    expect(headerValue({ 'x-a': '3' }, 'x-a')).toBe('3');
    expect(headerValue({}, 'x-a')).toBeNull();
    expect(headerValue(undefined, 'x-a')).toBeNull();
    expect(headerValue(new Headers({ 'X-A': '4' }), 'x-a')).toBe('4');
    expect(headerValue(new Headers(), 'x-a')).toBeNull();
  });
});
