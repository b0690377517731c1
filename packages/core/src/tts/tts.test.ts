import { mulawDecode, mulawEncode } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import {
  type APIError,
  isAPIConnectionError,
  isAPITimeoutError,
  isConfigurationError,
} from '../errors/errors.js';
import type { TTSMetrics } from '../metrics/types.js';
import { fakeSpeech } from '../testing/tts/fake-speech.js';
import { FakeTTS } from '../testing/tts/fake-tts.js';
import type { TTSConnectRequest } from './tts.js';
import { FLUSH } from './types.js';

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('TTS base', () => {
  it('writes the exact audio in 20 ms frames, keeping odd bytes across deltas', async () => {
    const tts = new FakeTTS({ chunkBytes: 77 });
    const output = new MemoryAudioOutput();
    tts.output = output;
    await tts.synthesize('abc, def');
    const expected = fakeSpeech('abc, def', tts.samplesPerChar);
    expect(Array.from(output.audio().data)).toEqual(Array.from(expected));
    const sizes = output.frames.map((f) => f.samplesPerChannel);
    expect(sizes.slice(0, -1).every((n) => n === 320)).toBe(true);
    expect(sizes.at(-1)).toBeLessThanOrEqual(320);
    expect(tts.sentTexts.join('')).toBe('abc, def');
    await tts.close();
  });

  it('decodes µ-law audio to PCM frames', async () => {
    const tts = new FakeTTS({ encoding: 'mulaw', sampleRate: 8000 });
    const output = new MemoryAudioOutput();
    await tts.synthesize('hello', { output });
    const expected = mulawDecode(mulawEncode(fakeSpeech('hello', tts.samplesPerChar)));
    expect(output.frames.every((f) => f.sampleRate === 8000)).toBe(true);
    expect(Array.from(output.audio().data)).toEqual(Array.from(expected));
    await tts.close();
  });

  it('resamples to the rate the output asks for', async () => {
    const tts = new FakeTTS({ sampleRate: 16000 });
    const memory = new MemoryAudioOutput();
    const asks24k = {
      sampleRate: 24000,
      push: (frame: Parameters<MemoryAudioOutput['push']>[0]) => memory.push(frame),
      flush: () => memory.flush(),
      interrupt: () => memory.interrupt(),
      waitForPlayout: () => memory.waitForPlayout(),
      playedMs: 0,
    };
    const result = await tts.synthesize('some words here', { output: asks24k });
    expect(memory.frames.every((f) => f.sampleRate === 24000)).toBe(true);
    const chars = 'some words here'.length;
    expect(memory.receivedMs).toBeGreaterThan(chars * 5 - 3);
    expect(memory.receivedMs).toBeLessThan(chars * 5 + 3);
    expect(result.audioDurationMs).toBeCloseTo(memory.receivedMs, 6);
    await tts.close();
  });

  it('accepts sync iterables and skips empty utterances', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const result = await tts.synthesize([FLUSH, 'one', '', FLUSH, FLUSH, 'two'], { output });
    expect(result.utterances.map((u) => u.characters)).toEqual([3, 3]);
    expect(tts.utterances).toEqual(['one', 'two']);
    expect(output.segments.map((s) => tts.decode(s.frames[0]!).slice(0, 1))).toEqual(['o', 't']);
    await tts.close();
  });

  it('reuses the connection and opens a new one for another voice', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    await tts.prewarm();
    expect(tts.connections).toBe(1);
    await tts.synthesize('a', { output });
    await tts.synthesize('b', { output, voice: 'fake' });
    expect(tts.connections).toBe(1);
    await tts.synthesize('c', { output, voice: 'ALT' });
    expect(tts.voice).toBe('alt');
    expect(tts.connections).toBe(2);
    await tts.close();
  });

  it('runs calls one at a time in order', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const [a, b] = await Promise.all([
      tts.synthesize('first', { output }),
      tts.synthesize('second', { output }),
    ]);
    expect(a.interrupted || b.interrupted).toBe(false);
    expect(output.segments.map((s) => tts.decode({ ...s.frames[0]!, data: concat(s.frames) }))).toEqual([
      'first',
      'second',
    ]);
    await tts.close();
  });

  it('interrupt() also ends calls queued behind the current one, without speaking them', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const metrics: TTSMetrics[] = [];
    tts.on('metrics', (m) => metrics.push(m));
    const first = tts.synthesize('a long first sentence to speak', { output });
    const second = tts.synthesize('queued', { output });
    await output.waitFor('frame', { timeoutMs: 2000 });
    tts.interrupt();
    expect((await first).interrupted).toBe(true);
    const queued = await second;
    expect(queued).toMatchObject({ interrupted: true, characters: 0, utterances: [] });
    expect(tts.utterances).toEqual(['a long first sentence to speak']);
    expect(tts.clears).toBe(1);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ cancelled: true, charactersCount: 30 });
    expect(metrics[0]!.audioDurationMs).toBeGreaterThan(0);
    await tts.close();
  });

  it('a dropped connection fails the current call with APIConnectionError and the next call works', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const errors: APIError[] = [];
    tts.on('error', (e) => errors.push(e));
    tts.dropAfter(3);
    const error = await caught(tts.synthesize('this will be cut off', { output }));
    expect(isAPIConnectionError(error)).toBe(true);
    expect(errors).toEqual([error]);
    const result = await tts.synthesize('works again', { output });
    expect(result.interrupted).toBe(false);
    expect(tts.decode({ ...output.frames[0]!, data: concat(output.segments[1]!.frames) })).toBe(
      'works again',
    );
    expect(tts.connections).toBe(2);
    await tts.close();
  });

  it('fails with APITimeoutError when the provider goes silent after the text ended', async () => {
    class Mute extends FakeTTS {
      protected override sendUtteranceEnd(): void {}
    }
    const tts = new Mute({ responseTimeoutMs: 50 });
    const output = new MemoryAudioOutput();
    const started = performance.now();
    const error = await caught(tts.synthesize('hello?', { output }));
    expect(isAPITimeoutError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
    await tts.close();
  });

  it('does not time out while waiting for more text from the input', async () => {
    const tts = new FakeTTS({ responseTimeoutMs: 30 });
    const output = new MemoryAudioOutput();
    async function* slow() {
      yield 'first part';
      await delay(80);
      yield ' and the rest';
    }
    const result = await tts.synthesize(slow(), { output });
    expect(result.characters).toBe(23);
    await tts.close();
  });

  it('rejects with the input error when the text stream fails', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const boom = new Error('llm failed');
    async function* failing() {
      yield 'partial ';
      throw boom;
    }
    await expect(tts.synthesize(failing(), { output })).rejects.toBe(boom);
    await expect(tts.synthesize('fine', { output })).resolves.toMatchObject({ interrupted: false });
    await tts.close();
  });

  it('validates output and voice with ConfigurationError, and an aborted signal before start', async () => {
    const tts = new FakeTTS();
    expect(isConfigurationError(await caught(tts.synthesize('x')))).toBe(true);
    const output = new MemoryAudioOutput();
    const bad = await caught(tts.synthesize('x', { output, voice: 'nobody' }));
    expect(isConfigurationError(bad)).toBe(true);
    expect(String(bad)).toMatch(/voice.*nobody.*fake, alt/);
    const reason = new Error('stop');
    await expect(tts.synthesize('x', { output, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(() => new FakeTTS({ responseTimeoutMs: 0 })).toThrow(/responseTimeoutMs/);
    await tts.close();
  });

  it('close interrupts the call in progress and later calls reject', async () => {
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    const pending = tts.synthesize('a sentence being spoken while closing', { output });
    await output.waitFor('frame', { timeoutMs: 2000 });
    await tts.close();
    expect((await pending).interrupted).toBe(true);
    await expect(tts.synthesize('x', { output })).rejects.toThrow(/closed/);
    await expect(tts.prewarm()).rejects.toThrow(/closed/);
  });

  it('close() abandons a connection still being opened for a call that already finished', async () => {
    // An empty call finishes at once while the connection it started keeps opening.
    class RecordingTTS extends FakeTTS {
      readonly signals: AbortSignal[] = [];
      protected override connect(request: TTSConnectRequest): Promise<void> {
        this.signals.push(request.signal);
        return super.connect(request);
      }
    }
    const tts = new RecordingTTS({ connectDelayMs: 5000 });
    const output = new MemoryAudioOutput();
    const result = await tts.synthesize('', { output });
    expect(result.utterances).toEqual([]);
    expect(tts.signals).toHaveLength(1);
    expect(tts.signals[0]!.aborted).toBe(false);
    const started = performance.now();
    await tts.close();
    expect(tts.signals[0]!.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('anchors each utterance TTFB at its own text, not at the previous audio', async () => {
    const tts = new FakeTTS({ firstAudioDelayMs: 5 });
    const output = new MemoryAudioOutput();
    const firsts: number[] = [];
    tts.on('first_audio', (e) => firsts.push(e.ttfbMs));
    async function* twoTurns() {
      yield 'one';
      yield FLUSH;
      await delay(120);
      yield 'two';
    }
    const result = await tts.synthesize(twoTurns(), { output });
    expect(firsts).toHaveLength(2);
    expect(firsts[1]!).toBeLessThan(100);
    expect(result.utterances[1]!.ttfbMs).toBe(firsts[1]);
    await tts.close();
  });
});

function concat(frames: readonly { data: Int16Array }[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.data.length, 0));
  let offset = 0;
  for (const f of frames) {
    out.set(f.data, offset);
    offset += f.data.length;
  }
  return out;
}

describe('TTS base robustness', () => {
  it('a throwing output or listener fails the call instead of escaping into the transport', async () => {
    const tts = new FakeTTS();
    const memory = new MemoryAudioOutput();
    const boom = new Error('speaker unplugged');
    let pushes = 0;
    const broken = {
      sampleRate: undefined,
      push: () => {
        pushes++;
        throw boom;
      },
      flush: () => memory.flush(),
      interrupt: () => memory.interrupt(),
      waitForPlayout: () => memory.waitForPlayout(),
      playedMs: 0,
    };
    await expect(tts.synthesize('hello there', { output: broken })).rejects.toBe(boom);
    expect(pushes).toBe(1);
    const listenerError = new Error('bad listener');
    tts.once('first_audio', () => {
      throw listenerError;
    });
    await expect(tts.synthesize('again', { output: memory })).rejects.toBe(listenerError);
    await expect(tts.synthesize('fine now', { output: memory })).resolves.toMatchObject({
      interrupted: false,
    });
    await tts.close();
  });
});
