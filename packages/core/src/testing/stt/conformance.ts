import assert from 'node:assert/strict';
import { createAudioFrame } from '@x/audio';
import { isAPIError } from '../../errors/errors.js';
import type { STTMetrics } from '../../metrics/types.js';
import type { STT } from '../../stt/stt.js';
import type { SpeechEvent } from '../../stt/types.js';

export interface STTConformanceSetup {
  /** A new STT. `interimResults` asks for interim transcripts (providers that cannot may ignore it). */
  createSTT(options: { interimResults: boolean }): STT | Promise<STT>;
  /**
   * Mono PCM16 at `sampleRate` in which `text` is spoken, such that `stt` recognises it. Called
   * after `createSTT`; a scripted fake may queue `text` on `stt`.
   */
  speech(text: string, sampleRate: number, stt: STT): Int16Array | Promise<Int16Array>;
  /** The provider emits interim transcripts when asked. Default false. */
  interimResults?: boolean;
  /** An STT whose connection is refused for authentication (to check typed fatal errors). */
  createUnauthorizedSTT?(): STT | Promise<STT>;
  /** Phrases spoken by the checks (short ones keep the suite fast). */
  phrases?: { short: string; long: string; other: string };
  /** Compares transcripts after this; default lower-case, punctuation removed, spaces collapsed. */
  normalize?(text: string): string;
  /** Longest wait for any one thing. Default 10 000 ms. */
  timeoutMs?: number;
}

export interface STTConformanceCheck {
  name: string;
  run: () => Promise<void>;
}

const DEFAULT_PHRASES = { short: 'hello world', long: 'the quick brown fox jumps', other: 'good morning' };

function defaultNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Recorder {
  events: SpeechEvent[];
  metrics: STTMetrics[];
  /** `locked` and `final` texts joined: the whole transcript, each word once. */
  text(): string;
  finals(): SpeechEvent[];
  stop(): void;
}

function record(stt: STT, normalize: (text: string) => string): Recorder {
  const events: SpeechEvent[] = [];
  const metrics: STTMetrics[] = [];
  const onTranscript = (event: SpeechEvent) => events.push(event);
  const onMetrics = (m: STTMetrics) => metrics.push(m);
  // Recoverable errors are reported here; fatal ones surface through the calls below.
  const onError = () => {};
  stt.on('transcript', onTranscript);
  stt.on('metrics', onMetrics);
  stt.on('error', onError);
  return {
    events,
    metrics,
    text: () =>
      normalize(
        events
          .filter((event) => event.type !== 'interim')
          .map((event) => event.text)
          .join(' '),
      ),
    finals: () => events.filter((event) => event.type === 'final'),
    stop: () => {
      stt.off('transcript', onTranscript);
      stt.off('metrics', onMetrics);
      stt.off('error', onError);
    },
  };
}

/** Interleaves a mono signal into `channels` identical channels. */
function toChannels(mono: Int16Array, channels: number): Int16Array {
  if (channels === 1) return mono;
  const out = new Int16Array(mono.length * channels);
  for (let i = 0; i < mono.length; i++) {
    for (let c = 0; c < channels; c++) out[i * channels + c] = mono[i]!;
  }
  return out;
}

/** Pushes interleaved PCM in frames of `frameSizes` sample frames (cycled). */
function pushInFrames(
  stt: STT,
  samples: Int16Array,
  sampleRate: number,
  channels: number,
  frameSizes: readonly number[],
): void {
  let offset = 0;
  let index = 0;
  const total = samples.length / channels;
  while (offset < total) {
    const size = Math.min(frameSizes[index % frameSizes.length]!, total - offset);
    index += 1;
    stt.pushAudio(
      createAudioFrame(samples.slice(offset * channels, (offset + size) * channels), sampleRate, channels),
    );
    offset += size;
  }
}

function silenceSamples(ms: number, sampleRate: number, channels = 1): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000) * channels);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new assert.AssertionError({ message: `${what} took over ${ms} ms` })),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function checkTimes(event: SpeechEvent, audioMs: number): void {
  assert.ok(Number.isFinite(event.startMs) && event.startMs >= 0, `startMs ${event.startMs} must be ≥ 0`);
  assert.ok(event.endMs > event.startMs, `endMs ${event.endMs} must be after startMs ${event.startMs}`);
  assert.ok(
    event.endMs <= audioMs + 1,
    `endMs ${event.endMs} must not pass the audio pushed (${audioMs} ms)`,
  );
  for (const word of event.words) {
    assert.ok(
      word.startMs >= event.startMs - 1 && word.endMs <= event.endMs + 1,
      'words lie within the event',
    );
    assert.ok(word.endMs >= word.startMs, 'word ends after it starts');
  }
}

/**
 * Checks every STT provider must pass. Each check creates its own STT and closes it. Use as
 * `for (const check of sttConformanceChecks(setup)) it(check.name, check.run);`.
 */
export function sttConformanceChecks(setup: STTConformanceSetup): STTConformanceCheck[] {
  const phrases = setup.phrases ?? DEFAULT_PHRASES;
  const normalize = setup.normalize ?? defaultNormalize;
  const timeoutMs = setup.timeoutMs ?? 10_000;

  async function withSTT(interimResults: boolean, body: (stt: STT, rec: Recorder) => Promise<void>) {
    const stt = await setup.createSTT({ interimResults });
    const rec = record(stt, normalize);
    try {
      await body(stt, rec);
    } finally {
      await within(stt.close(), timeoutMs, 'close()').finally(() => rec.stop());
    }
  }

  async function speak(stt: STT, text: string, sampleRate: number): Promise<Int16Array> {
    const samples = await setup.speech(text, sampleRate, stt);
    assert.ok(samples instanceof Int16Array && samples.length > 0, 'setup.speech must return samples');
    return samples;
  }

  const checks: STTConformanceCheck[] = [
    {
      name: 'speech becomes a final transcript with the spoken text',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.short, rate);
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), timeoutMs, 'flush()');
          assert.equal(rec.text(), normalize(phrases.short));
          const finals = rec.finals();
          assert.equal(finals.length, 1, 'one utterance gives one final transcript');
          assert.equal(normalize(finals[0]!.utteranceText ?? ''), normalize(phrases.short));
          checkTimes(finals[0]!, stt.audioPushedMs);
        }),
    },
    {
      name: 'final transcripts report metrics (audio duration and latency)',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.short, rate);
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), timeoutMs, 'flush()');
          assert.equal(rec.metrics.length, rec.finals().length, 'one metrics event per final transcript');
          const m = rec.metrics[0]!;
          assert.equal(m.type, 'stt');
          assert.equal(m.provider, stt.provider);
          const speechMs = (samples.length / rate) * 1000;
          assert.ok(
            m.audioDurationMs >= speechMs * 0.5,
            `audioDurationMs ${m.audioDurationMs} covers the speech`,
          );
          assert.ok(
            m.audioDurationMs <= stt.audioPushedMs + 1,
            'audioDurationMs is not more than was pushed',
          );
          assert.ok(
            m.latencyMs !== null && m.latencyMs >= 0 && m.latencyMs < timeoutMs,
            `latencyMs ${m.latencyMs}`,
          );
        }),
    },
    {
      name: 'frames of any sample rate and channel count are accepted',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const formats: Array<[number, number]> = [
            [8000, 1],
            [44_100, 2],
            [48_000, 2],
            [22_050, 1],
          ];
          const spoken: string[] = [];
          for (const [rate, channels] of formats) {
            const text = spoken.length % 2 === 0 ? phrases.short : phrases.other;
            spoken.push(text);
            const samples = toChannels(await speak(stt, text, rate), channels);
            assert.doesNotThrow(() => {
              pushInFrames(stt, samples, rate, channels, [Math.round(rate / 100)]);
              pushInFrames(stt, silenceSamples(100, rate, channels), rate, channels, [
                Math.round(rate / 100),
              ]);
            }, `${rate} Hz ${channels}-channel frames are accepted`);
            await within(stt.flush(), timeoutMs, 'flush()');
            assert.equal(
              rec.finals().length,
              spoken.length,
              `a final transcript for the ${rate} Hz ${channels}-channel speech`,
            );
          }
          assert.deepEqual(
            rec.finals().map((event) => normalize(event.utteranceText ?? event.text)),
            spoken.map(normalize),
          );
          const finals = rec.finals();
          for (let i = 1; i < finals.length; i++) {
            assert.ok(
              finals[i]!.startMs >= finals[i - 1]!.endMs,
              `utterance ${i} starts (${finals[i]!.startMs}) after the previous ends (${finals[i - 1]!.endMs})`,
            );
          }
        }),
    },
    {
      name: 'frames of odd sizes are accepted',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const rate = 48_000;
          const samples = await speak(stt, phrases.short, rate);
          assert.doesNotThrow(
            () => pushInFrames(stt, samples, rate, 1, [1, 7, 331, 1009, 2, 4801]),
            'frames of odd sizes are accepted',
          );
          await within(stt.flush(), timeoutMs, 'flush()');
          assert.equal(rec.text(), normalize(phrases.short));
        }),
    },
    {
      name: 'flush() resolves once the final transcript has arrived',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.short, rate);
          // No trailing silence: only flush() can end the utterance.
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), timeoutMs, 'flush()');
          assert.equal(rec.finals().length, 1, 'the final arrived before flush() resolved');
          assert.equal(rec.text(), normalize(phrases.short));
        }),
    },
    {
      name: 'flush() without speech resolves promptly and produces nothing',
      run: () =>
        withSTT(false, async (stt, rec) => {
          await within(stt.flush(), 1000, 'flush() before any audio');
          const rate = stt.audioFormat.sampleRate;
          pushInFrames(stt, silenceSamples(300, rate), rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), Math.min(timeoutMs, 3000), 'flush() after silence');
          assert.equal(rec.events.length, 0, 'silence gives no transcript');
        }),
    },
    {
      name: 'close() delivers the pending final, releases everything and is idempotent',
      run: async () => {
        const stt = await setup.createSTT({ interimResults: false });
        const rec = record(stt, normalize);
        try {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.short, rate);
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.connect(), timeoutMs, 'connect()');
          const first = stt.close();
          const second = stt.close();
          await within(Promise.all([first, second]), timeoutMs, 'close()');
          assert.equal(rec.text(), normalize(phrases.short), 'the last utterance is delivered by close()');
          assert.equal(stt.state, 'closed');
          const count = rec.events.length;
          stt.pushAudio(createAudioFrame(samples, rate, 1));
          await within(stt.flush(), 1000, 'flush() after close()');
          await within(stt.close(), 1000, 'a third close()');
          await new Promise((resolve) => setTimeout(resolve, 50));
          assert.equal(rec.events.length, count, 'nothing is emitted after close()');
        } finally {
          rec.stop();
          await stt.close();
        }
      },
    },
  ];

  if (setup.interimResults) {
    checks.push({
      name: 'interim transcripts come before the final when enabled',
      run: () =>
        withSTT(true, async (stt, rec) => {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.long, rate);
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), timeoutMs, 'flush()');
          const types = rec.events.map((event) => event.type);
          const firstInterim = types.indexOf('interim');
          const finalIndex = types.indexOf('final');
          assert.ok(firstInterim >= 0, `an interim transcript arrives (got ${types.join(', ')})`);
          assert.ok(finalIndex > firstInterim, 'the final comes after the interim transcripts');
          assert.equal(types.lastIndexOf('interim') < finalIndex, true, 'no interim after the final');
          assert.equal(rec.text(), normalize(phrases.long));
        }),
    });
    checks.push({
      name: 'no interim transcripts when disabled',
      run: () =>
        withSTT(false, async (stt, rec) => {
          const rate = stt.audioFormat.sampleRate;
          const samples = await speak(stt, phrases.long, rate);
          pushInFrames(stt, samples, rate, 1, [Math.round(rate / 50)]);
          await within(stt.flush(), timeoutMs, 'flush()');
          assert.equal(rec.events.filter((event) => event.type === 'interim').length, 0);
          assert.equal(rec.text(), normalize(phrases.long));
        }),
    });
  }

  if (setup.createUnauthorizedSTT) {
    const create = setup.createUnauthorizedSTT;
    checks.push({
      name: 'a refused connection is a typed, fatal error',
      run: async () => {
        const stt = await create();
        const errors: unknown[] = [];
        stt.on('error', (error) => errors.push(error));
        try {
          const rejection = await within(
            stt.connect().then(
              () => undefined,
              (error: unknown) => error,
            ),
            timeoutMs,
            'connect()',
          );
          assert.ok(rejection !== undefined, 'connect() rejects');
          assert.ok(isAPIError(rejection), `the error is an APIError (got ${String(rejection)})`);
          assert.equal(rejection.retryable, false, 'an authentication failure is not retryable');
          assert.equal(stt.state, 'failed');
          assert.ok(errors.includes(rejection), 'the error event carries the same error');
          const rate = stt.audioFormat.sampleRate;
          assert.throws(
            () => stt.pushAudio(createAudioFrame(silenceSamples(20, rate), rate, 1)),
            (e) => e === rejection,
          );
          await assert.rejects(stt.flush(), (e) => e === rejection);
        } finally {
          await within(stt.close(), timeoutMs, 'close()');
        }
      },
    });
  }

  return checks;
}
