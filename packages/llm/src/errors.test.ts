import { APIStatusError, isAPIConnectionError, isAPIError, isAPITimeoutError } from '@x/core';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { toCoreError } from './errors.js';

const KEY = 'sk-unregistered-secret-key-42';

function sdkError(status: number, body: unknown, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, body as object, undefined, new Headers(headers));
}

describe('toCoreError', () => {
  it("surfaces xAI's flat {code, error} message with status, request id and retry-after", () => {
    const error = toCoreError(
      sdkError(
        429,
        { code: 'Some resource has been exhausted', error: `Rate limited for key ${KEY}` },
        { 'x-request-id': 'req-9', 'retry-after': '3' },
      ),
      [KEY],
    ) as APIStatusError;
    expect(error).toBeInstanceOf(APIStatusError);
    expect(error.message).toBe('xAI chat completions returned 429: Rate limited for key [REDACTED]');
    expect(error.status).toBe(429);
    expect(error.requestId).toBe('req-9');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.retryable).toBe(true);
    expect(JSON.stringify(error.body)).not.toContain(KEY);
    expect(error.cause).toBeUndefined();
  });

  it("reads OpenAI's nested {error: {message}} shape too", () => {
    const error = toCoreError(
      sdkError(400, { error: { message: 'Bad field', type: 'invalid_request_error' } }),
      [],
    );
    expect((error as Error).message).toBe('xAI chat completions returned 400: Bad field');
    expect((error as APIStatusError).retryable).toBe(false);
  });

  it('maps timeouts, connection failures and dropped bodies to connection errors', () => {
    expect(isAPITimeoutError(toCoreError(new OpenAI.APIConnectionTimeoutError(), []))).toBe(true);
    const refused = toCoreError(
      new OpenAI.APIConnectionError({ cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      [],
    );
    expect(isAPIConnectionError(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      'Could not reach xAI: Connection error. (connect ECONNREFUSED 127.0.0.1:1)',
    );
    const cut = toCoreError(new TypeError('terminated', { cause: new Error('other side closed') }), []);
    expect(isAPIConnectionError(cut)).toBe(true);
    expect((cut as Error).message).toBe('Connection to xAI lost: terminated (other side closed)');
    expect((cut as { retryable: boolean }).retryable).toBe(true);
  });

  it('treats malformed stream JSON as a retryable API error and keeps core errors as they are', () => {
    const malformed = toCoreError(new SyntaxError('Unexpected end of JSON input'), []);
    expect(isAPIError(malformed)).toBe(true);
    expect((malformed as { retryable: boolean }).retryable).toBe(true);
    const core = new APIStatusError('x', { status: 500 });
    expect(toCoreError(core, [])).toBe(core);
  });
});
