import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIStatusError, APITimeoutError } from '../errors/errors.js';
import { backoffMs, resolveConnectOptions } from './connect-options.js';
import { withRetry } from './with-retry.js';

const fast = resolveConnectOptions({ maxRetry: 3, retryIntervalMs: 10, timeoutMs: 200 });

describe('withRetry', () => {
  it('retries retryable errors and returns the first success', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new APIStatusError('busy', { status: 503 });
        return 'ok';
      },
      { connectOptions: fast, onRetry: (_e, retry) => retries.push(retry) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry non-retryable errors, nor once output was delivered', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new APIStatusError('bad key', { status: 401 });
        },
        { connectOptions: fast },
      ),
    ).rejects.toMatchObject({ status: 401 });
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new APIConnectionError('dropped');
        },
        { connectOptions: fast, canRetry: () => false },
      ),
    ).rejects.toThrow('dropped');
    expect(calls).toBe(1);
  });

  it('gives up after maxRetry retries with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new APIConnectionError(`attempt ${calls}`);
        },
        { connectOptions: fast },
      ),
    ).rejects.toThrow('attempt 4');
    expect(calls).toBe(4);
  });

  it('times out a hanging attempt with APITimeoutError and aborts its signal', async () => {
    const signals: AbortSignal[] = [];
    const error = await withRetry(
      (signal) =>
        new Promise<never>((_resolve, reject) => {
          signals.push(signal);
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
      {
        connectOptions: resolveConnectOptions({ maxRetry: 1, retryIntervalMs: 1, timeoutMs: 20 }),
        label: 'connect',
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toBe('connect timed out after 20 ms');
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('honours retry-after and stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = withRetry(
      async () => {
        throw new APIStatusError('slow down', { status: 429, retryAfterMs: 5000 });
      },
      { connectOptions: fast, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(pending).rejects.toThrow('user cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('backs off with a short first pause, then doubling, and prefers retry-after', () => {
    const options = resolveConnectOptions({ retryIntervalMs: 1000 });
    expect([0, 1, 2, 3].map((n) => backoffMs(n, options))).toEqual([100, 1000, 2000, 4000]);
    expect(backoffMs(2, options, 250)).toBe(250);
  });

  it('rejects invalid connect options with a ConfigurationError', () => {
    expect(() => resolveConnectOptions({ maxRetry: -1 })).toThrow(/connectOptions.maxRetry/);
    expect(() => resolveConnectOptions({ timeoutMs: 0 })).toThrow(/connectOptions.timeoutMs/);
  });
});
