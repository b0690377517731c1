import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIStatusError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  type APIError,
} from '../errors/errors.js';
import type { STTMetrics } from '../metrics/types.js';
import { FakeSTT } from '../testing/stt/fake-stt.js';
import { frames, quiet, tone } from './test-helpers.js';
import type { AudioDroppedEvent, ReconnectedEvent, SpeechEvent } from './types.js';

function collect(stt: FakeSTT) {
  const transcripts: SpeechEvent[] = [];
  const metrics: STTMetrics[] = [];
  const errors: APIError[] = [];
  const reconnects: ReconnectedEvent[] = [];
  const drops: AudioDroppedEvent[] = [];
  stt.on('transcript', (e) => transcripts.push(e));
  stt.on('metrics', (m) => metrics.push(m));
  stt.on('error', (e) => errors.push(e));
  stt.on('reconnected', (e) => reconnects.push(e));
  stt.on('audio_dropped', (e) => drops.push(e));
  return {
    transcripts,
    metrics,
    errors,
    reconnects,
    drops,
    finals: () => transcripts.filter((t) => t.type === 'final'),
  };
}

function push(stt: FakeSTT, samples: Int16Array, rate: number, channels = 1, frameMs = 20): void {
  for (const frame of frames(samples, rate, channels, frameMs)) stt.pushAudio(frame);
}

describe('STT base with FakeSTT', () => {
  it('converts any input format to the provider format in fixed chunks, and reports a final with metrics', async () => {
    const stt = new FakeSTT({ transcripts: ['hello world'], interimResults: false });
    const rec = collect(stt);
    // 44.1 kHz stereo in odd 7 ms frames → 16 kHz mono chunks of 100 ms.
    push(stt, tone(600, 44_100, 2), 44_100, 2, 7);
    push(stt, quiet(100, 44_100, 2), 44_100, 2, 7);
    await stt.flush();
    expect(rec.finals().map((f) => f.text)).toEqual(['hello world']);
    const final = rec.finals()[0]!;
    expect(final.utteranceText).toBe('hello world');
    // The speech starts at 0 and lasts 600 ms (allow for the resampler's delay and chunking).
    expect(final.startMs).toBeLessThanOrEqual(100);
    expect(final.endMs).toBeGreaterThanOrEqual(500);
    expect(final.endMs).toBeLessThanOrEqual(stt.audioPushedMs);
    // The fake saw ~1050 ms of audio at its own rate: 600 + 100 + 350 flush silence.
    const received = stt.connections[0]!.audioMs;
    expect(received).toBeGreaterThan(1000);
    expect(received).toBeLessThanOrEqual(1050 + 1);
    expect(rec.metrics).toHaveLength(1);
    expect(rec.metrics[0]).toMatchObject({ type: 'stt', provider: 'fake', requestId: 'fake-1' });
    expect(rec.metrics[0]!.latencyMs).not.toBeNull();
    expect(rec.metrics[0]!.latencyMs!).toBeGreaterThanOrEqual(0);
    expect(rec.metrics[0]!.audioDurationMs).toBeGreaterThan(500);
    await stt.close();
  });

  it('reconnects after a drop mid-utterance, replays the unfinished utterance, and loses nothing', async () => {
    const stt = new FakeSTT({ transcripts: ['one two three'], interimResults: false, dropAfterChunks: [4] });
    const rec = collect(stt);
    push(stt, tone(800, 16_000), 16_000);
    // Let the drop and the reconnection happen while more audio arrives.
    await new Promise((resolve) => setTimeout(resolve, 30));
    push(stt, tone(200, 16_000), 16_000);
    await stt.flush();
    expect(rec.reconnects).toHaveLength(1);
    expect(rec.reconnects[0]!.connection).toBe(2);
    expect(rec.reconnects[0]!.replayedMs).toBeGreaterThanOrEqual(400);
    expect(rec.errors.some((e) => e instanceof APIConnectionError && e.retryable)).toBe(true);
    expect(rec.finals().map((f) => f.text)).toEqual(['one two three']);
    const [first, second] = stt.connections;
    expect(first!.closedByClient).toBe(false);
    // Everything pushed reached a connection: the second got the replay plus the rest.
    expect(second!.audioMs).toBeGreaterThanOrEqual(1000);
    // Times are on the STT's clock: the utterance started at 0 on the first connection.
    expect(rec.finals()[0]!.startMs).toBe(0);
    await stt.close();
  });

  it('keeps timestamps monotonic across connections (times offset by audio sent before)', async () => {
    const stt = new FakeSTT({ transcripts: ['first', 'second'], interimResults: false });
    const rec = collect(stt);
    push(stt, tone(300, 16_000), 16_000);
    await stt.flush();
    const firstEnd = rec.finals()[0]!.endMs;
    stt.dropConnection();
    // Nothing was pending: the STT reconnects only when audio comes.
    await expect.poll(() => stt.state).toBe('idle');
    expect(stt.connections).toHaveLength(1);
    const reconnected = stt.waitFor('reconnected', { timeoutMs: 2000 });
    push(stt, quiet(500, 16_000), 16_000);
    const secondStartExpected = stt.audioPushedMs;
    push(stt, tone(300, 16_000), 16_000);
    await reconnected;
    await stt.flush();
    const second = rec.finals()[1]!;
    expect(second.text).toBe('second');
    expect(second.startMs).toBeGreaterThan(firstEnd);
    expect(Math.abs(second.startMs - secondStartExpected)).toBeLessThanOrEqual(100);
    for (const word of second.words) expect(word.startMs).toBeGreaterThanOrEqual(second.startMs);
    await stt.close();
  });

  it('a session ended cleanly by the server is not an error; the STT connects again for new audio', async () => {
    const stt = new FakeSTT({ transcripts: ['one', 'two'], interimResults: false });
    const rec = collect(stt);
    push(stt, tone(300, 16_000), 16_000);
    await stt.flush();
    stt.dropConnection({ clean: true });
    await expect.poll(() => stt.state).toBe('idle');
    push(stt, tone(300, 16_000), 16_000);
    await stt.flush();
    expect(rec.finals().map((f) => f.text)).toEqual(['one', 'two']);
    expect(rec.errors).toEqual([]);
    expect(rec.reconnects).toHaveLength(1);
    expect(stt.connections).toHaveLength(2);
    await stt.close();
  });

  it('keeps only a second of the silence between utterances for a replay', async () => {
    const stt = new FakeSTT({ transcripts: ['after silence'], interimResults: false });
    const rec = collect(stt);
    await stt.connect();
    push(stt, quiet(5000, 16_000), 16_000);
    push(stt, tone(300, 16_000), 16_000);
    stt.dropConnection();
    await stt.waitFor('reconnected', { timeoutMs: 2000 });
    // 1000 ms of lead-in silence + 300 ms of speech were sent again, not the 5 s of silence.
    expect(rec.reconnects[0]!.replayedMs).toBe(1300);
    await stt.flush();
    expect(rec.finals().map((f) => f.text)).toEqual(['after silence']);
    expect(rec.finals()[0]!.startMs).toBe(5000);
    await stt.close();
  });

  it('bounds the audio held while disconnected and reports what it dropped', async () => {
    const stt = new FakeSTT({ transcripts: ['x'], connectDelayMs: 200, maxBufferedAudioMs: 500 });
    const rec = collect(stt);
    push(stt, tone(1000, 16_000), 16_000);
    expect(stt.droppedAudioMs).toBe(500);
    expect(rec.drops.at(-1)).toEqual({ droppedMs: 100, totalDroppedMs: 500 });
    expect(rec.errors.some((e) => /dropped 100 ms of audio/.test(e.message) && e.retryable)).toBe(true);
    await stt.connect();
    expect(stt.connections[0]!.audioMs).toBe(500);
    await stt.close();
  });

  it('an authentication failure is fatal and typed; pushAudio throws it and flush rejects with it', async () => {
    const refused = new APIStatusError('unauthorized', { status: 401 });
    const stt = new FakeSTT({ connectErrors: [refused, refused] });
    const rec = collect(stt);
    await expect(stt.connect()).rejects.toBe(refused);
    expect(stt.connectAttempts).toBe(1);
    expect(stt.state).toBe('failed');
    expect(rec.errors).toEqual([refused]);
    expect(() => stt.pushAudio(frames(tone(20, 16_000), 16_000)[0]!)).toThrow(refused);
    await expect(stt.flush()).rejects.toBe(refused);
    await stt.close();
    expect(stt.state).toBe('failed');
  });

  it('retries a retryable connection error, then gives up with a fatal error of the same type', async () => {
    const busy = () => new APIStatusError('busy', { status: 503 });
    const ok = new FakeSTT({ connectErrors: [busy()] });
    const okRec = collect(ok);
    await ok.connect();
    expect(ok.connectAttempts).toBe(2);
    expect(okRec.errors.map((e) => e.message)).toEqual(['busy']);
    await ok.close();

    const failing = new FakeSTT({
      connectErrors: [busy(), busy(), busy()],
      connectOptions: { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 1000 },
    });
    const rec = collect(failing);
    const error = await failing.connect().catch((e: unknown) => e);
    expect(isAPIStatusError(error)).toBe(true);
    expect((error as APIStatusError).status).toBe(503);
    expect((error as APIStatusError).retryable).toBe(false);
    expect(failing.connectAttempts).toBe(3);
    expect(rec.errors.at(-1)).toBe(error);
    await failing.close();
  });

  it('gives up when connections keep dropping without producing anything', async () => {
    const stt = new FakeSTT({
      dropAfterChunks: [1, 1, 1, 1],
      connectOptions: { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 1000 },
    });
    const rec = collect(stt);
    push(stt, tone(300, 16_000), 16_000);
    const [fatal] = await stt.waitFor('error', { timeoutMs: 3000 }).then(async function next(args): Promise<
      [APIError]
    > {
      return args[0].retryable ? next(await stt.waitFor('error', { timeoutMs: 3000 })) : args;
    });
    expect(fatal.retryable).toBe(false);
    expect(stt.state).toBe('failed');
    expect(stt.connections.length).toBe(3);
    expect(rec.errors.filter((e) => e.retryable).length).toBeGreaterThanOrEqual(2);
    await stt.close();
  });

  it('locked chunks are delivered once: the final carries only the rest, utteranceText the whole', async () => {
    const stt = new FakeSTT({
      transcripts: ['a b c d e f'],
      interimResults: true,
      lockEveryMs: 300,
      dropAfterChunks: [9],
    });
    const rec = collect(stt);
    push(stt, tone(1200, 16_000), 16_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stt.flush();
    const locked = rec.transcripts.filter((t) => t.type === 'locked');
    expect(locked.map((t) => t.text)).toEqual(['a b c', 'd e']);
    // The second connection got the whole unfinished utterance again and locked the same words:
    // they were recognised as repeats and not delivered twice.
    expect(rec.reconnects).toHaveLength(1);
    expect(rec.reconnects[0]!.replayedMs).toBeGreaterThanOrEqual(900);
    const delivered = rec.transcripts
      .filter((t) => t.type !== 'interim')
      .map((t) => t.text)
      .join(' ');
    expect(delivered).toBe('a b c d e f');
    expect(rec.finals()).toHaveLength(1);
    expect(rec.finals()[0]!.utteranceText).toBe('a b c d e f');
    // Times never go back.
    const nonInterim = rec.transcripts.filter((t) => t.type !== 'interim');
    for (let i = 1; i < nonInterim.length; i++) {
      expect(nonInterim[i]!.startMs).toBeGreaterThanOrEqual(nonInterim[i - 1]!.endMs - 1);
    }
    await stt.close();
  });

  it('flush() rejects with a typed timeout when an utterance is open and no final comes', async () => {
    const stt = new FakeSTT({
      transcripts: ['slow'],
      finalDelayMs: 2000,
      flushTimeoutMs: 150,
      closeTimeoutMs: 50,
    });
    collect(stt);
    push(stt, tone(400, 16_000), 16_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const error = await stt.flush().catch((e: unknown) => e);
    expect(isAPITimeoutError(error)).toBe(true);
    await stt.close();
  });

  it('close() while connecting releases everything; close() is idempotent; nothing is emitted after', async () => {
    const stt = new FakeSTT({ transcripts: ['x'], connectDelayMs: 5000 });
    const rec = collect(stt);
    stt.pushAudio(frames(quiet(100, 16_000), 16_000, 1, 100)[0]!);
    expect(stt.state).toBe('connecting');
    const started = performance.now();
    await Promise.all([stt.close(), stt.close()]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(stt.state).toBe('closed');
    stt.pushAudio(frames(tone(100, 16_000), 16_000, 1, 100)[0]!);
    await stt.flush();
    expect(rec.transcripts).toHaveLength(0);
    expect(stt.connections).toHaveLength(0);
  });

  it('validates its options and frames with ConfigurationError', () => {
    expect(() => new FakeSTT({ chunkMs: 0 })).toThrow(/chunkMs/);
    const stt = new FakeSTT();
    const bad = { data: new Int16Array(3), sampleRate: 16_000, channels: 2, samplesPerChannel: 1 };
    let error: unknown;
    try {
      stt.pushAudio(bad);
    } catch (e) {
      error = e;
    }
    expect(isConfigurationError(error)).toBe(true);
    expect(String(error)).toMatch(/frame\.data/);
    return stt.close();
  });

  it('FakeSTT can inject transcripts without audio (for tests of transcript consumers)', async () => {
    const stt = new FakeSTT();
    const rec = collect(stt);
    stt.injectTranscript({ type: 'final', text: 'typed in' });
    await stt.connect();
    stt.injectTranscript({ type: 'locked', text: 'part one', startMs: 0, endMs: 100 });
    stt.injectTranscript({ type: 'final', text: 'part two', startMs: 100, endMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(rec.transcripts.map((t) => [t.type, t.text])).toEqual([
      ['final', 'typed in'],
      ['locked', 'part one'],
      ['final', 'part two'],
    ]);
    expect(rec.finals()[1]!.utteranceText).toBe('part one part two');
    await stt.close();
  });

  it('passes speech start and end from providers that detect them, on the STT clock', async () => {
    const stt = new FakeSTT({ transcripts: ['hi'] });
    const starts: number[] = [];
    const ends: number[] = [];
    stt.on('speech_started', (e) => starts.push(e.timeMs));
    stt.on('speech_ended', (e) => ends.push(e.timeMs));
    push(stt, quiet(300, 16_000), 16_000);
    push(stt, tone(300, 16_000), 16_000);
    await stt.flush();
    expect(starts).toEqual([300]);
    expect(ends).toEqual([600]);
    await stt.close();
  });
});
