import type { AudioFrame } from '@x/audio';
import {
  FLUSH,
  findSpeechTags,
  isAPIConnectionError,
  isAPIStatusError,
  isAPITimeoutError,
  MemoryAudioOutput,
  type TTSMetrics,
} from '@x/core';
import { ttsConformanceChecks } from '@x/core/testing';
import { type Simulator, startSimulator, VoiceRecognizer } from '@x/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XAI_TTS_SAMPLE_RATES, type XAITTSOptions } from './options.js';
import { XAITTS } from './xai-tts.js';

function transcribe(audio: AudioFrame): string {
  const recognizer = new VoiceRecognizer({ sampleRate: audio.sampleRate });
  recognizer.push(audio.data);
  recognizer.flush();
  return recognizer.text;
}

let sim: Simulator;
const open: XAITTS[] = [];

beforeAll(async () => {
  // 100 ms audio chunks every 5 ms: 20× faster than real time, slow enough to interrupt mid-utterance.
  sim = await startSimulator({ ttsChunkDelayMs: 5 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((tts) => tts.close()));
  sim.clearFaults();
  sim.log.clear();
});
afterAll(() => sim.close());

function makeTTS(options: XAITTSOptions = {}): XAITTS {
  const tts = new XAITTS({
    apiKey: 'test-key',
    baseURL: sim.wsUrl,
    connectOptions: { maxRetry: 2, retryIntervalMs: 20, timeoutMs: 2000 },
    ...options,
  });
  open.push(tts);
  return tts;
}

const ttsConnections = () => sim.log.connections.filter((c) => c.endpoint === 'tts');
const textEvents = (i: number) =>
  (ttsConnections()[i]?.clientEvents ?? []) as Array<{ type: string; delta?: string }>;

async function* chunks(pieces: readonly (string | typeof FLUSH)[]): AsyncIterable<string | typeof FLUSH> {
  for (const piece of pieces) {
    await new Promise((resolve) => setImmediate(resolve));
    yield piece;
  }
}

describe('XAITTS round trips through the simulator', () => {
  for (const codec of ['pcm', 'mulaw'] as const) {
    for (const sampleRate of XAI_TTS_SAMPLE_RATES) {
      it(`${codec} at ${sampleRate} Hz: PCM frames at the rate, recognised back to the text`, async () => {
        const tts = makeTTS({ codec, sampleRate });
        const output = new MemoryAudioOutput();
        const result = await tts.synthesize('Round trip, ok?', { output });
        expect(output.frames.length).toBeGreaterThan(0);
        expect(output.frames.every((f) => f.sampleRate === sampleRate && f.channels === 1)).toBe(true);
        // 20 ms frames except the last.
        const perFrame = (sampleRate * 20) / 1000;
        expect(output.frames.slice(0, -1).every((f) => f.samplesPerChannel === Math.round(perFrame))).toBe(
          true,
        );
        expect(transcribe(output.audio())).toBe('Round trip, ok?');
        expect(result.characters).toBe(15);
        const [connection] = ttsConnections();
        expect(connection?.query).toMatchObject({
          voice: 'eve',
          language: 'en',
          codec,
          sample_rate: String(sampleRate),
        });
        expect(connection?.headers.authorization).toBeDefined();
        expect(textEvents(0)).toEqual([
          { type: 'text.delta', delta: 'Round trip, ok?' },
          { type: 'text.done' },
        ]);
      });
    }
  }

  it('resamples for an output that asks for another rate', async () => {
    const tts = makeTTS({ sampleRate: 24000 });
    const output = new MemoryAudioOutput({ sampleRate: 8000 });
    await tts.synthesize('Phone call', { output });
    expect(output.frames.every((f) => f.sampleRate === 8000)).toBe(true);
    expect(transcribe(output.audio())).toBe('Phone call');
  });

  it('keeps a speech tag split across LLM-sized chunks whole on the wire, so it is not spoken', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    const pieces = ['Well [pa', 'use] then, <whi', 'sper>quiet', 'ly</whis', 'per> done', ' [s', 'igh]'];
    await tts.synthesize(chunks(pieces), { output });
    const deltas = textEvents(0)
      .filter((e) => e.type === 'text.delta')
      .map((e) => e.delta ?? '');
    const sent = deltas.join('');
    expect(sent).toBe(pieces.join(''));
    const tags = findSpeechTags(sent).map(([start, end]) => sent.slice(start, end));
    expect(tags).toEqual(['[pause]', '<whisper>', '</whisper>', '[sigh]']);
    for (const tag of tags) expect(deltas.some((d) => d.includes(tag))).toBe(true);
    const heard = transcribe(output.audio());
    expect(heard).not.toMatch(/pause|whisper|sigh|\[|</);
    expect(heard.replace(/\s+/g, ' ')).toBe('Well then, quietly done');
  });

  it('speaks FLUSH-separated utterances of one stream as separate segments with their own metrics', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    const metrics: TTSMetrics[] = [];
    tts.on('metrics', (m) => metrics.push(m));
    const result = await tts.synthesize(chunks(['First ', 'one.', FLUSH, 'Second ', 'one.']), { output });
    expect(result.utterances).toHaveLength(2);
    expect(output.segments).toHaveLength(2);
    expect(transcribe(output.segmentAudio(0))).toBe('First one.');
    expect(transcribe(output.segmentAudio(1))).toBe('Second one.');
    expect(metrics.map((m) => [m.provider, m.charactersCount, m.cancelled])).toEqual([
      ['xai', 10, false],
      ['xai', 11, false],
    ]);
    expect(textEvents(0).filter((e) => e.type === 'text.done')).toHaveLength(2);
    expect(ttsConnections()).toHaveLength(1);
  });

  it('interrupt mid-utterance: text.clear sent, no stale audio, the next utterance is exactly the new text', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    const long = 'This sentence is long enough to be cut off in the middle of it by the user.';
    const first = tts.synthesize(long, { output });
    await output.waitFor('frame', { timeoutMs: 2000 });
    tts.interrupt();
    const framesAtInterrupt = output.segments[0]!.frames.length;
    const result = await first;
    expect(result.interrupted).toBe(true);
    expect(result.utterances[0]!.audioDurationMs).toBeLessThan(2000);
    await tts.synthesize('Second sentence.', { output });
    expect(output.segments[0]!.frames.length).toBe(framesAtInterrupt);
    expect(output.segments[0]!.interrupted).toBe(true);
    expect(transcribe(output.segmentAudio(1))).toBe('Second sentence.');
    expect(textEvents(0).map((e) => e.type)).toEqual([
      'text.delta',
      'text.done',
      'text.clear',
      'text.delta',
      'text.done',
    ]);
    expect(ttsConnections()).toHaveLength(1);
  });

  it('reuses one socket across utterances, and prewarm opens it ahead', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    await tts.prewarm();
    expect(ttsConnections()).toHaveLength(1);
    for (const text of ['One.', 'Two.', 'Three.']) await tts.synthesize(text, { output });
    expect(ttsConnections()).toHaveLength(1);
    expect(tts.connectionCount).toBe(1);
    expect(
      output.segments.map((s, i) => transcribe(output.segmentAudio(i)) + (s.interrupted ? '!' : '')),
    ).toEqual(['One.', 'Two.', 'Three.']);
  });

  it('refreshes a socket older than maxConnectionAgeMs between utterances', async () => {
    const tts = makeTTS({ maxConnectionAgeMs: 60 });
    const output = new MemoryAudioOutput();
    await tts.synthesize('Early.', { output });
    await tts.synthesize('Still young.', { output });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await tts.synthesize('After refresh.', { output });
    expect(ttsConnections()).toHaveLength(2);
    expect(ttsConnections()[0]!.closedAt).toBeDefined();
    expect(transcribe(output.segmentAudio(2))).toBe('After refresh.');
  });

  it('opens a socket with the query for a per-call voice', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    await tts.synthesize('Eve here.', { output });
    await tts.synthesize('Rex here.', { output, voice: 'Rex' });
    await tts.synthesize('Rex again.', { output, voice: 'rex' });
    expect(ttsConnections().map((c) => c.query.voice)).toEqual(['eve', 'rex']);
    expect(transcribe(output.segmentAudio(2))).toBe('Rex again.');
  });

  it('a socket dropped mid-utterance fails that utterance with APIConnectionError; the next one reconnects', async () => {
    const tts = makeTTS();
    const output = new MemoryAudioOutput();
    let reconnected = 0;
    tts.on('reconnected', () => reconnected++);
    sim.injectFault('tts', { kind: 'drop', afterMessages: 2 });
    const started = performance.now();
    const error = await tts
      .synthesize('This one is dropped by the server half way.', { output })
      .catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(output.segments[0]!.frames.length).toBeGreaterThan(0);
    await tts.synthesize('Back again.', { output });
    expect(output.segments).toHaveLength(2);
    expect(transcribe(output.segmentAudio(1))).toBe('Back again.');
    expect(ttsConnections()).toHaveLength(2);
    expect(reconnected).toBe(1);
  });

  it('fails fast on a refused key (401) without retrying, with a typed status error', async () => {
    const tts = makeTTS();
    sim.injectFault('tts', { kind: 'handshake', status: 401 }, { times: 5 });
    const error = await tts
      .synthesize('Hello.', { output: new MemoryAudioOutput() })
      .catch((e: unknown) => e);
    expect(isAPIStatusError(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(String((error as Error).message)).not.toContain('test-key');
    expect(ttsConnections()).toHaveLength(1);
    await expect(tts.prewarm()).rejects.toMatchObject({ status: 401 });
  });

  it('retries 429 handshakes (honouring retry-after) before any audio, then speaks', async () => {
    const tts = makeTTS();
    sim.injectFault('tts', { kind: 'handshake', status: 429, retryAfterS: 0 }, { times: 2 });
    const output = new MemoryAudioOutput();
    await tts.synthesize('Third time lucky.', { output });
    expect(ttsConnections().map((c) => c.accepted)).toEqual([false, false, true]);
    expect(transcribe(output.audio())).toBe('Third time lucky.');
  });

  it('retries 503 and gives up after connectOptions.maxRetry with the last status error', async () => {
    const tts = makeTTS({ connectOptions: { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 2000 } });
    sim.injectFault('tts', { kind: 'handshake', status: 503 }, { times: 3 });
    const error = await tts.synthesize('Nope.', { output: new MemoryAudioOutput() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(ttsConnections()).toHaveLength(2);
  });

  it('a stalled server fails the call with APITimeoutError instead of hanging', async () => {
    const tts = makeTTS({ responseTimeoutMs: 150 });
    sim.injectFault('tts', { kind: 'stall', ms: 5000, afterMessages: 1 });
    const started = performance.now();
    const error = await tts
      .synthesize('This will stall after the first chunk.', { output: new MemoryAudioOutput() })
      .catch((e: unknown) => e);
    expect(isAPITimeoutError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('tolerates unknown and malformed server messages', async () => {
    const tts = makeTTS();
    sim.injectFault('tts', { kind: 'unknown_event', afterMessages: 1 });
    sim.injectFault('tts', { kind: 'malformed', afterMessages: 2 });
    const output = new MemoryAudioOutput();
    await tts.synthesize('Still fine.', { output });
    expect(transcribe(output.audio())).toBe('Still fine.');
  });

  it('reports first_audio with a TTFB from the first text sent, not from the call', async () => {
    const tts = makeTTS();
    await tts.prewarm();
    const output = new MemoryAudioOutput();
    const ttfbs: number[] = [];
    tts.on('first_audio', (e) => ttfbs.push(e.ttfbMs));
    async function* slowLLM() {
      await new Promise((resolve) => setTimeout(resolve, 200));
      yield 'Thinking done.';
    }
    const started = performance.now();
    const result = await tts.synthesize(slowLLM(), { output });
    expect(ttfbs).toHaveLength(1);
    expect(ttfbs[0]!).toBeLessThan(performance.now() - started - 190);
    expect(result.ttfbMs).toBe(ttfbs[0]);
  });
});

describe('XAITTS passes the @x/core TTS conformance checks on the simulator', () => {
  for (const check of ttsConformanceChecks({
    create: () => makeTTS(),
    transcribe,
    timeoutMs: 5000,
  })) {
    it(check.name, check.run);
  }
});
