import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  ConfigurationError,
  inRange,
  parseRetryAfterMs,
  resolveApiKey,
} from '@x/core';
import { DEFAULT_BASE_URL, httpBaseURL } from './config.js';

export interface CreateClientSecretOptions {
  /** Lifetime of the token, 1–3600 s (default 600). */
  expiresAfterS?: number;
  /** Default: the `XAI_API_KEY` environment variable. */
  apiKey?: string;
  /** Default `wss://api.x.ai/v1` (ws/wss is mapped to http/https). */
  baseURL?: string;
  /** Longest wait for the answer (default 10 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ClientSecret {
  /** The token; a browser connects with the WebSocket subprotocol `xai-client-secret.<value>`. */
  value: string;
  expiresAt: Date;
}

/**
 * Mints an ephemeral token for browser use: `POST {httpBase}/realtime/client_secrets` with
 * `{"expires_after": {"seconds": N}}`, authenticated with the API key.
 */
export async function createClientSecret(options: CreateClientSecretOptions = {}): Promise<ClientSecret> {
  const seconds = inRange('expiresAfterS', options.expiresAfterS ?? 600, 1, 3600, { integer: true });
  const timeoutMs = inRange('timeoutMs', options.timeoutMs ?? 10_000, 1, 600_000);
  const apiKey = resolveApiKey(options.apiKey);
  let base: string;
  try {
    base = httpBaseURL(options.baseURL ?? DEFAULT_BASE_URL);
  } catch {
    throw new ConfigurationError('baseURL', options.baseURL, 'an absolute URL such as wss://api.x.ai/v1');
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let response: Response;
    try {
      response = await fetch(`${base}/realtime/client_secrets`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ expires_after: { seconds } }),
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut) throw new APITimeoutError(`client secret request timed out after ${timeoutMs} ms`);
      if (options.signal?.aborted) throw options.signal.reason;
      throw new APIConnectionError(`client secret request failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    if (!response.ok) {
      const record = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown };
      const message =
        typeof record.error === 'string'
          ? record.error
          : typeof (record.error as { message?: unknown } | undefined)?.message === 'string'
            ? (record.error as { message: string }).message
            : text.slice(0, 300);
      throw new APIStatusError(`client secret request failed with HTTP ${response.status}: ${message}`, {
        status: response.status,
        body,
        requestId: response.headers.get('x-request-id'),
        retryAfterMs: parseRetryAfterMs(
          response.headers.get('retry-after'),
          response.headers.get('retry-after-ms'),
        ),
      });
    }
    const record = body as {
      value?: unknown;
      expires_at?: unknown;
      client_secret?: { value?: unknown; expires_at?: unknown };
    };
    // Flat shape per xAI's docs; the nested `client_secret` shape is tolerated.
    const value = record.value ?? record.client_secret?.value;
    const expiresAt = record.expires_at ?? record.client_secret?.expires_at;
    if (typeof value !== 'string' || typeof expiresAt !== 'number') {
      throw new APIConnectionError('client secret response has no value/expires_at', {
        retryable: false,
        body,
      });
    }
    return { value, expiresAt: new Date(expiresAt * 1000) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
