import { APIStatusError, parseRetryAfterMs } from '../errors/errors.js';
import { redact } from '../errors/redact.js';
import type { HeaderBag } from './websocket-like.js';

/** Longest part of the server's error text put in the message. */
const MAX_MESSAGE_CHARS = 300;
/** Nesting kept when redacting a JSON body. */
const MAX_BODY_DEPTH = 8;

/** One header's value (the first, when repeated), or null. Names are matched lower-case. */
export function headerValue(headers: HeaderBag | undefined, name: string): string | null {
  if (!headers) return null;
  const lower = name.toLowerCase();
  if (typeof headers.get === 'function') return (headers as { get(n: string): string | null }).get(lower);
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[lower];
  if (Array.isArray(value)) return value[0] ?? null;
  return (value as string | undefined) ?? null;
}

export interface HandshakeErrorParams {
  /** HTTP status of the refused upgrade (or request). */
  status: number;
  headers?: HeaderBag;
  /** The response body as text (already bounded by the caller). */
  body: string;
  /** Names the service in the message: `xAI STT`. */
  service: string;
}

/**
 * A refused handshake as a typed `APIStatusError`: the status (400/401/403 are not retryable,
 * 408/409/429/5xx are), `x-request-id`, `retry-after` / `retry-after-ms` in ms, and the server's
 * error text from xAI's bodies — flat `{"code", "error"}` or nested
 * `{"error": {"message", "type", "code"}}` (also `{"message"}` or plain text). The body is kept
 * (parsed when JSON) with every string redacted; the message is redacted and bounded.
 */
export function handshakeError({ status, headers, body, service }: HandshakeErrorParams): APIStatusError {
  const parsed = parseJson(body);
  const text = parsed === undefined ? body.trim() : (errorText(parsed) ?? '');
  const shown = text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
  return new APIStatusError(`${service} handshake refused with HTTP ${status}${shown ? `: ${shown}` : ''}`, {
    status,
    requestId: headerValue(headers, 'x-request-id'),
    retryAfterMs: parseRetryAfterMs(
      headerValue(headers, 'retry-after'),
      headerValue(headers, 'retry-after-ms'),
    ),
    body: parsed === undefined ? redact(body) : redactDeep(parsed, 0),
  });
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The human part of an error body, if it has one. */
function errorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const inner = (error as { message?: unknown }).message;
    if (typeof inner === 'string') return inner;
  }
  return typeof message === 'string' ? message : undefined;
}

function redactDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_BODY_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]));
}
