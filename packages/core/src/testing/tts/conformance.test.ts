import type { AudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import type { AudioOutput } from '../../audio-io/audio-output.js';
import type { SynthesisInput, SynthesisResult, SynthesizeOptions, TTSEvents } from '../../tts/types.js';
import { type TTSConformanceSetup, ttsConformanceChecks } from './conformance.js';
import { decodeFakeSpeech } from './fake-speech.js';
import { FakeTTS, type FakeTTSOptions } from './fake-tts.js';

function setupFor(make: (options: FakeTTSOptions) => FakeTTS): TTSConformanceSetup {
  let samplesPerChar = 1;
  return {
    create: () => {
      const tts = make({});
      samplesPerChar = tts.samplesPerChar;
      return tts;
    },
    transcribe: (audio: AudioFrame) => decodeFakeSpeech(audio, samplesPerChar),
    timeoutMs: 2000,
  };
}

/** Runs the checks whose name matches `pattern`; returns the names of those that failed. */
async function failures(setup: TTSConformanceSetup, pattern: RegExp): Promise<string[]> {
  const checks = ttsConformanceChecks(setup).filter((check) => pattern.test(check.name));
  expect(checks.length).toBeGreaterThan(0);
  const failed: string[] = [];
  for (const check of checks) {
    try {
      await check.run();
    } catch {
      failed.push(check.name);
    }
  }
  return failed;
}

describe('ttsConformanceChecks against FakeTTS', () => {
  for (const check of ttsConformanceChecks(setupFor((o) => new FakeTTS(o)))) it(check.name, check.run);
});

/** Ignores text.clear: keeps sending the interrupted audio, which then leaks into the next call. */
class IgnoresClear extends FakeTTS {
  protected override sendClear(): void {}
}

/** Sends every chunk in two messages, so a tag can be cut in half (as a naive client would). */
class SplitsMessages extends FakeTTS {
  protected override sendText(text: string): void {
    const half = Math.ceil(text.length / 2);
    super.sendText(text.slice(0, half));
    if (half < text.length) super.sendText(text.slice(half));
  }
}

/** Never reports metrics or first audio. */
class Silent extends FakeTTS {
  override emit<E extends keyof TTSEvents & string>(event: E, ...args: Parameters<TTSEvents[E]>): boolean {
    if (event === 'metrics' || event === 'first_audio') return false;
    return super.emit(event, ...args);
  }
}

/** Writes frames at twice the declared rate. */
class WrongRate extends FakeTTS {
  override async synthesize(
    input: SynthesisInput,
    options: SynthesizeOptions = {},
  ): Promise<SynthesisResult> {
    const output = options.output ?? this.output;
    const inner: AudioOutput = {
      sampleRate: undefined,
      push: (frame) => output?.push({ ...frame, sampleRate: frame.sampleRate * 2 }),
      flush: () => output?.flush(),
      interrupt: () => output?.interrupt(),
      waitForPlayout: () => output!.waitForPlayout(),
      get playedMs() {
        return output?.playedMs ?? 0;
      },
    };
    return super.synthesize(input, { ...options, output: inner });
  }
}

/** close() fails the second time. */
class CloseTwiceFails extends FakeTTS {
  #closed = false;
  override async close(): Promise<void> {
    if (this.#closed) throw new Error('already closed');
    this.#closed = true;
    await super.close();
  }
}

/** Drops the characters after the first ten of each message (garbled audio). */
class Garbles extends FakeTTS {
  protected override sendText(text: string): void {
    super.sendText(text.slice(0, 10));
  }
}

/** TTFB measured from the call, not from the first text. */
class TtfbFromCall extends FakeTTS {
  override async synthesize(
    input: SynthesisInput,
    options: SynthesizeOptions = {},
  ): Promise<SynthesisResult> {
    const started = performance.now();
    const listener = (e: { ttfbMs: number }) => {
      e.ttfbMs = performance.now() - started;
    };
    this.on('first_audio', listener);
    try {
      return await super.synthesize(input, options);
    } finally {
      this.off('first_audio', listener);
    }
  }
}

describe('ttsConformanceChecks catch broken implementations', () => {
  const cases: Array<[string, (o: FakeTTSOptions) => FakeTTS, RegExp]> = [
    ['ignores clear', (o) => new IgnoresClear(o), /interrupt stops output/],
    ['splits tags', (o) => new SplitsMessages(o), /speech tag/],
    ['emits no metrics', (o) => new Silent(o), /first_audio and metrics/],
    ['wrong frame rate', (o) => new WrongRate(o), /declared rate/],
    ['close not idempotent', (o) => new CloseTwiceFails(o), /close is idempotent/],
    ['garbled audio', (o) => new Garbles(o), /synthesizes a string/],
    ['TTFB anchored at the call', (o) => new TtfbFromCall(o), /TTFB anchored/],
  ];
  for (const [label, make, expected] of cases) {
    it(`fails a TTS that ${label}`, async () => {
      const failed = await failures(setupFor(make), expected);
      expect(failed).toHaveLength(1);
    });
  }
});
