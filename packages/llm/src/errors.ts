import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  isAPIError,
  isConfigurationError,
  parseRetryAfterMs,
  redact,
} from '@x/core';
import OpenAI from 'openai';

/**
 * Turns whatever the `openai` SDK (or fetch under it) threw into an @x/core error. The SDK's own
 * error object is never kept as `cause`: its message and body may quote the request, so only
 * redacted text is carried over.
 */
export function toCoreError(error: unknown, secrets: readonly string[]): unknown {
  if (isAPIError(error) || isConfigurationError(error)) return error;
  const clean = (text: string) => redact(text, secrets);

  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new APITimeoutError(clean(`xAI chat request timed out: ${error.message}`));
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new APIConnectionError('xAI chat request was aborted', { retryable: false });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new APIConnectionError(clean(`Could not reach xAI: ${error.message}${cause}`));
  }
  if (error instanceof OpenAI.APIError) {
    const message = clean(serverMessage(error.error) ?? error.message);
    if (typeof error.status === 'number') {
      const headers = error.headers;
      return new APIStatusError(`xAI chat completions returned ${error.status}: ${message}`, {
        status: error.status,
        requestId: headers?.get('x-request-id') ?? error.requestID ?? null,
        retryAfterMs: parseRetryAfterMs(headers?.get('retry-after'), headers?.get('retry-after-ms')),
        body: redactDeep(error.error, secrets),
      });
    }
    // An error event inside an SSE stream the SDK parsed.
    return streamError(error.error ?? message, secrets);
  }
  if (error instanceof SyntaxError) {
    return new APIError(clean(`xAI sent a malformed stream event: ${error.message}`), { retryable: true });
  }
  if (error instanceof Error) {
    // fetch reports a connection cut mid-body as `TypeError: terminated` (cause: ECONNRESET…).
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new APIConnectionError(clean(`Connection to xAI lost: ${error.message}${cause}`));
  }
  return new APIError(clean(`xAI chat failed: ${String(error)}`), { retryable: false });
}

/**
 * The error an SSE stream reported mid-way (a `data:` payload `{"error": …}` or an `event: error`):
 * `payload` is the `error` member (xAI's message string or OpenAI's `{message, type, code}`).
 * Retryable (the base retries only while nothing reached the caller yet).
 */
export function streamError(payload: unknown, secrets: readonly string[]): APIError {
  const message = serverMessage(payload) ?? JSON.stringify(payload) ?? String(payload);
  return new APIError(`xAI stream reported an error: ${redact(message, secrets)}`, {
    retryable: true,
    body: redactDeep(payload, secrets),
  });
}

/**
 * The human message in an error body: xAI's flat `{"code","error":"<message>"}` (the SDK hands
 * over the `error` string) or OpenAI's `{"error":{"message"}}`.
 */
function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    if (typeof record.message === 'string') return record.message;
    if (typeof record.error === 'string') return record.error;
    if (typeof record.error === 'object' && record.error !== null) return serverMessage(record.error);
  }
  return undefined;
}

function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]));
  }
  return value;
}
