import assert from 'node:assert/strict';
import type { AudioFrame } from '@x/audio';
import { MemoryAudioOutput } from '../../audio-io/memory-output.js';
import type { TTSMetrics } from '../../metrics/types.js';
import type { TTS } from '../../tts/tts.js';
import { FLUSH, type FirstAudioEvent, type FlushMarker } from '../../tts/types.js';

export interface TTSConformanceSetup {
  /** A fresh TTS; each check closes the one it made. */
  create(): TTS | Promise<TTS>;
  /** The words heard in audio the TTS produced (mono PCM16 at the TTS's rate). */
  transcribe(audio: AudioFrame): string | Promise<string>;
  /** How two texts are compared (default: lower case, punctuation dropped, spaces collapsed). */
  normalize?: (text: string) => string;
  /** Bound of every wait in a check (default 5000 ms). */
  timeoutMs?: number;
}

export interface ConformanceCheck {
  name: string;
  run: () => Promise<void>;
}

const SHORT = 'Hello there, friend.';
const LONG =
  'This is a long sentence that keeps going for quite a while, so that it can be cut short ' +
  'in the middle by an interruption before it ends.';
const NEXT = 'The next one is clean.';

export function defaultNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Checks every TTS must pass, written with `node:assert/strict` so any runner can use them:
 * `for (const check of ttsConformanceChecks(setup)) it(check.name, check.run);`
 */
export function ttsConformanceChecks(setup: TTSConformanceSetup): ConformanceCheck[] {
  const normalize = setup.normalize ?? defaultNormalize;
  const timeoutMs = setup.timeoutMs ?? 5000;
  const heard = async (audio: AudioFrame) => normalize(await setup.transcribe(audio));

  const withTTS = async (body: (tts: TTS) => Promise<void>) => {
    const tts = await setup.create();
    try {
      await body(tts);
    } finally {
      await tts.close();
    }
  };

  const bounded = <T>(promise: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };

  const firstFrame = (output: MemoryAudioOutput) =>
    output.frames.length > 0
      ? Promise.resolve()
      : output.waitFor('frame', { timeoutMs }).then(() => undefined);

  return [
    {
      name: 'synthesizes a string into mono PCM16 frames at the declared rate, in order',
      run: () =>
        withTTS(async (tts) => {
          const decoy = new MemoryAudioOutput();
          tts.output = decoy;
          const output = new MemoryAudioOutput();
          const result = await bounded(tts.synthesize(SHORT, { output }), 'synthesize(string)');
          assert.equal(decoy.frames.length, 0, 'audio went to tts.output despite options.output');
          assert.ok(output.frames.length > 0, 'no frames reached the output');
          for (const frame of output.frames) {
            assert.ok(frame.data instanceof Int16Array, 'frame data is not Int16Array');
            assert.equal(frame.sampleRate, tts.sampleRate, 'frame rate differs from tts.sampleRate');
            assert.equal(frame.channels, 1, 'frames are not mono');
            assert.equal(frame.samplesPerChannel, frame.data.length, 'samplesPerChannel is wrong');
          }
          assert.equal(output.segments.length, 1, 'one utterance must be one output segment');
          assert.equal(output.segments[0]?.flushed, true, 'the segment was not flushed');
          assert.equal(result.interrupted, false);
          assert.equal(result.characters, SHORT.length, 'characters counted wrong');
          assert.ok(
            Math.abs(result.audioDurationMs - output.receivedMs) < 1,
            'audioDurationMs ≠ audio written',
          );
          assert.equal(await heard(output.audio()), normalize(SHORT), 'the audio does not say the text');
        }),
    },
    {
      name: 'streams text deltas and speaks each FLUSH-separated utterance as its own segment',
      run: () =>
        withTTS(async (tts) => {
          const output = new MemoryAudioOutput();
          const first = 'Good morning to you.';
          async function* deltas(): AsyncIterable<string | FlushMarker> {
            for (const piece of ['Go', 'od mor', 'ning ', 'to', ' you.']) {
              await tick();
              yield piece;
            }
            yield FLUSH;
            for (const piece of NEXT.split(/(?<= )/)) yield piece;
          }
          const metrics: TTSMetrics[] = [];
          tts.on('metrics', (m) => metrics.push(m));
          const result = await bounded(tts.synthesize(deltas(), { output }), 'synthesize(stream)');
          assert.equal(result.utterances.length, 2, 'expected two utterances');
          assert.equal(output.segments.length, 2, 'expected two output segments');
          assert.equal(await heard(output.segmentAudio(0)), normalize(first));
          assert.equal(await heard(output.segmentAudio(1)), normalize(NEXT));
          assert.deepEqual(
            metrics.map((m) => m.charactersCount),
            [first.length, NEXT.length],
            'one metrics record per utterance with its characters',
          );
        }),
    },
    {
      name: 'never splits a speech tag across messages (the tag is not spoken)',
      run: () =>
        withTTS(async (tts) => {
          const output = new MemoryAudioOutput();
          async function* deltas(): AsyncIterable<string> {
            for (const piece of ['Well [pa', 'use] then, <whi', 'sper>quiet', 'ly</whis', 'per> done.']) {
              await tick();
              yield piece;
            }
          }
          await bounded(tts.synthesize(deltas(), { output }), 'synthesize(tags)');
          assert.equal(await heard(output.audio()), normalize('Well then, quietly done.'));
        }),
    },
    {
      name: 'interrupt stops output at once and the next utterance is clean',
      run: () =>
        withTTS(async (tts) => {
          const output = new MemoryAudioOutput();
          const pending = tts.synthesize(LONG, { output });
          await firstFrame(output);
          tts.interrupt();
          const framesAtInterrupt = output.segments[0]?.frames.length;
          const result = await bounded(pending, 'interrupted synthesize');
          assert.equal(result.interrupted, true, 'result not marked interrupted');
          assert.equal(output.segments[0]?.interrupted, true, 'output segment not interrupted');
          // Speak again at once, as an agent does after a barge-in: nothing of the old text may leak.
          const next = await bounded(tts.synthesize(NEXT, { output }), 'synthesize after interrupt');
          assert.equal(next.interrupted, false);
          await delay(100);
          assert.equal(output.segments[0]?.frames.length, framesAtInterrupt, 'audio added after interrupt()');
          assert.equal(output.segments.length, 2, 'the next utterance must be exactly one new segment');
          assert.equal(
            await heard(output.segmentAudio(1)),
            normalize(NEXT),
            'stale audio in the next utterance',
          );
        }),
    },
    {
      name: 'emits first_audio and metrics, with TTFB anchored at the first text',
      run: () =>
        withTTS(async (tts) => {
          const output = new MemoryAudioOutput();
          const firsts: FirstAudioEvent[] = [];
          const metrics: TTSMetrics[] = [];
          let firstAudioAt = 0;
          tts.on('first_audio', (e) => {
            firstAudioAt = performance.now();
            firsts.push(e);
          });
          tts.on('metrics', (m) => metrics.push(m));
          const textDelayMs = 300;
          async function* late(): AsyncIterable<string> {
            await delay(textDelayMs); // an LLM thinking: not the TTS's latency
            yield SHORT;
          }
          const started = performance.now();
          const result = await bounded(tts.synthesize(late(), { output }), 'synthesize(late text)');
          assert.equal(firsts.length, 1, 'first_audio must fire once per utterance');
          const ttfb = firsts[0]!.ttfbMs;
          assert.ok(Number.isFinite(ttfb) && ttfb >= 0, `bad ttfbMs ${ttfb}`);
          assert.ok(
            ttfb <= firstAudioAt - started - textDelayMs + 20,
            `TTFB ${ttfb.toFixed(1)} ms includes the ${textDelayMs} ms spent waiting for text`,
          );
          assert.equal(metrics.length, 1, 'one metrics record per utterance');
          const m = metrics[0]!;
          assert.equal(m.type, 'tts');
          assert.equal(m.provider, tts.provider);
          assert.equal(m.ttfbMs, ttfb);
          assert.equal(m.charactersCount, SHORT.length);
          assert.equal(m.cancelled, false);
          assert.ok(Math.abs(m.audioDurationMs - output.receivedMs) < 1, 'metrics audioDurationMs is wrong');
          assert.ok(m.durationMs >= ttfb, 'durationMs shorter than TTFB');
          assert.equal(result.ttfbMs, ttfb);
        }),
    },
    {
      name: 'an aborted signal stops the call, rejects with its reason and interrupts the output',
      run: () =>
        withTTS(async (tts) => {
          const output = new MemoryAudioOutput();
          const controller = new AbortController();
          const reason = new Error('caller gave up');
          const pending = tts.synthesize(LONG, { output, signal: controller.signal });
          await firstFrame(output);
          controller.abort(reason);
          await assert.rejects(bounded(pending, 'aborted synthesize'), (error) => error === reason);
          assert.equal(output.segments[0]?.interrupted, true);
          const next = await bounded(tts.synthesize(NEXT, { output }), 'synthesize after abort');
          assert.equal(next.interrupted, false);
          assert.equal(await heard(output.segmentAudio(1)), normalize(NEXT));
        }),
    },
    {
      name: 'close is idempotent and synthesize after close rejects',
      run: async () => {
        const tts = await setup.create();
        const output = new MemoryAudioOutput();
        await bounded(tts.synthesize('Hi.', { output }), 'synthesize before close');
        await bounded(tts.close(), 'close');
        await bounded(tts.close(), 'second close');
        await assert.rejects(tts.synthesize('Again.', { output }));
      },
    },
  ];
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
