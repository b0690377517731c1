import { rms } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { type APIError, APITimeoutError, isAPITimeoutError } from '../errors/errors.js';
import { sleep } from '../retry/sleep.js';
import { STT, type STTBaseOptions } from './stt.js';
import { frames, quiet, tone } from './test-helpers.js';
import type { SpeechEvent, STTConnection, STTConnectionHandlers } from './types.js';

/**
 * A provider that answers only when the test tells it to: what `flush()` does when the server
 * stays silent, answers late, or answers in time.
 */
class ManualSTT extends STT {
  handlers: STTConnectionHandlers | null = null;
  /** Per connection: ms of audio received and ms of it above the speech level. */
  readonly received: Array<{ audioMs: number; loudMs: number }> = [];
  readonly #connectDelayMs: number;

  constructor(options: Partial<STTBaseOptions> & { connectDelayMs?: number } = {}) {
    super({
      provider: 'manual',
      audioFormat: { sampleRate: 16_000, channels: 1 },
      flushSilenceMs: 100,
      flushTimeoutMs: 200,
      closeTimeoutMs: 20,
      connectOptions: { maxRetry: 0, retryIntervalMs: 10, timeoutMs: 5000 },
      ...options,
    });
    this.#connectDelayMs = options.connectDelayMs ?? 0;
  }

  protected override async openConnection(
    handlers: STTConnectionHandlers,
    signal: AbortSignal,
  ): Promise<STTConnection> {
    if (this.#connectDelayMs > 0) await sleep(this.#connectDelayMs, signal);
    const record = { audioMs: 0, loudMs: 0 };
    this.received.push(record);
    this.handlers = handlers;
    const release = () => {
      if (this.handlers === handlers) this.handlers = null;
    };
    return {
      requestId: `manual-${this.received.length}`,
      sendAudio: (chunk) => {
        const ms = (chunk.length / 16_000) * 1000;
        record.audioMs += ms;
        if (rms(chunk) > 0.01) record.loudMs += ms;
      },
      finish: async () => release(),
      close: release,
    };
  }

  /** The server's final for the audio from `startMs` to `endMs` (connection-relative). */
  final(text: string, startMs: number, endMs: number): void {
    const event: SpeechEvent = { type: 'final', text, startMs, endMs, words: [] };
    this.handlers?.transcript(event);
  }

  interim(text: string, startMs: number, endMs: number): void {
    this.handlers?.transcript({ type: 'interim', text, startMs, endMs, words: [] });
  }
}

function push(stt: STT, samples: Int16Array): void {
  for (const frame of frames(samples, 16_000)) stt.pushAudio(frame);
}

function record(stt: STT) {
  const finals: string[] = [];
  const errors: APIError[] = [];
  stt.on('transcript', (event) => {
    if (event.type === 'final') finals.push(event.utteranceText ?? event.text);
  });
  stt.on('error', (error) => errors.push(error));
  return { finals, errors };
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { value, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('STT flush() semantics', () => {
  it('speech the server never answers (not even an interim): flush() rejects with APITimeoutError after flushTimeoutMs', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 200 });
    const rec = record(stt);
    await stt.connect();
    push(stt, tone(400, 16_000));
    const outcome = await settle(stt.flush());
    expect(isAPITimeoutError(outcome.error)).toBe(true);
    expect(outcome.error).toBeInstanceOf(APITimeoutError);
    const error = outcome.error as APITimeoutError;
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/no final transcript within 200 ms of flush\(\)/);
    expect(error.message).toMatch(/400 ms of speech audio pending and no transcript at all/);
    expect(outcome.ms).toBeGreaterThanOrEqual(190);
    expect(outcome.ms).toBeLessThan(1000);
    // The speech and the flush silence reached the provider; the STT did not stop.
    expect(stt.received[0]!.loudMs).toBe(400);
    expect(stt.received[0]!.audioMs).toBe(500);
    expect(stt.fatalError).toBeNull();
    expect(stt.state).toBe('connected');
    expect(rec.finals).toEqual([]);
    // A timeout of flush() is the caller's to handle: nothing is emitted as an error event.
    expect(rec.errors).toEqual([]);
    await stt.close();
  });

  it('an interim then silence: the rejection says an interim came', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 100 });
    record(stt);
    await stt.connect();
    push(stt, tone(300, 16_000));
    stt.interim('hel', 0, 200);
    const error = await stt.flush().catch((e: unknown) => e);
    expect(isAPITimeoutError(error)).toBe(true);
    expect((error as Error).message).toMatch(/after an interim transcript/);
    await stt.close();
  });

  it('after the timeout the late final is still delivered and the next flush of silence resolves at once', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 100 });
    const rec = record(stt);
    await stt.connect();
    push(stt, tone(400, 16_000));
    expect(isAPITimeoutError(await stt.flush().catch((e: unknown) => e))).toBe(true);
    stt.final('late words', 0, 400);
    await Promise.resolve();
    expect(rec.finals).toEqual(['late words']);
    push(stt, quiet(300, 16_000));
    const outcome = await settle(stt.flush());
    expect(outcome.error).toBeUndefined();
    expect(outcome.ms).toBeLessThan(50);
    await stt.close();
  });

  it('a flush repeated while the server is still silent waits again and rejects again', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 80 });
    record(stt);
    await stt.connect();
    push(stt, tone(300, 16_000));
    expect(isAPITimeoutError(await stt.flush().catch((e: unknown) => e))).toBe(true);
    const again = await settle(stt.flush());
    expect(isAPITimeoutError(again.error)).toBe(true);
    expect(again.ms).toBeGreaterThanOrEqual(70);
    await stt.close();
  });

  it('speech the server finalises in time: flush() resolves after the final, with it', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 1000 });
    const rec = record(stt);
    await stt.connect();
    push(stt, tone(400, 16_000));
    setTimeout(() => stt.final('on time', 0, 400), 60);
    const outcome = await settle(stt.flush());
    expect(outcome.error).toBeUndefined();
    expect(rec.finals).toEqual(['on time']);
    expect(outcome.ms).toBeGreaterThanOrEqual(50);
    expect(outcome.ms).toBeLessThan(500);
    await stt.close();
  });

  it('pure silence: flush() resolves at once although the server never answers', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 2000 });
    const rec = record(stt);
    await stt.connect();
    push(stt, quiet(600, 16_000));
    const outcome = await settle(stt.flush());
    expect(outcome.error).toBeUndefined();
    expect(outcome.ms).toBeLessThan(50);
    expect(stt.received[0]!.audioMs).toBe(700); // the silence and the flush silence were sent
    expect(rec.finals).toEqual([]);
    await stt.close();
  });

  it('a click shorter than the pending-speech threshold does not make flush() wait', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 2000, chunkMs: 20 });
    await stt.connect();
    push(stt, quiet(200, 16_000));
    push(stt, tone(100, 16_000));
    push(stt, quiet(200, 16_000));
    const outcome = await settle(stt.flush());
    expect(outcome.error).toBeUndefined();
    expect(outcome.ms).toBeLessThan(50);
    expect(stt.received[0]!.loudMs).toBe(100);
    await stt.close();
  });

  it('nothing pushed yet: flush() resolves at once without connecting', async () => {
    const stt = new ManualSTT();
    const outcome = await settle(stt.flush());
    expect(outcome.error).toBeUndefined();
    expect(outcome.ms).toBeLessThan(50);
    expect(stt.state).toBe('idle');
    expect(stt.received).toEqual([]);
    await stt.close();
  });

  it('speech waiting for a connection that is not ready within flushTimeoutMs: APITimeoutError, not a hang', async () => {
    const stt = new ManualSTT({ flushTimeoutMs: 100, connectDelayMs: 400 });
    record(stt);
    push(stt, tone(300, 16_000));
    const outcome = await settle(stt.flush());
    expect(isAPITimeoutError(outcome.error)).toBe(true);
    expect(outcome.ms).toBeLessThan(350);
    expect(stt.state).toBe('connecting');
    // The connection still comes, and the audio is sent on it.
    await stt.connect();
    expect(stt.received[0]!.loudMs).toBe(300);
    await stt.close();
  });
});
