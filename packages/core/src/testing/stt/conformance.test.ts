import { AssertionError } from 'node:assert';
import type { AudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { APIStatusError, ConfigurationError } from '../../errors/errors.js';
import { tone } from '../../stt/test-helpers.js';
import type { STTConnection, STTConnectionHandlers, STTEvents } from '../../stt/types.js';
import { sttConformanceChecks, type STTConformanceSetup } from './conformance.js';
import { FakeSTT, type FakeSTTOptions } from './fake-stt.js';

/** The fake "speaks" a word as 150 ms of tone and queues the text it will recognise. */
function fakeSetup(
  make: (options: FakeSTTOptions) => FakeSTT = (options) => new FakeSTT(options),
  overrides: Partial<STTConformanceSetup> = {},
): STTConformanceSetup {
  return {
    createSTT: ({ interimResults }) => make({ interimResults }),
    speech: (text, sampleRate, stt) => {
      (stt as FakeSTT).addTranscript(text);
      return tone(150 * text.split(' ').length, sampleRate);
    },
    interimResults: true,
    createUnauthorizedSTT: () =>
      new FakeSTT({ connectErrors: [new APIStatusError('invalid key', { status: 401 })] }),
    timeoutMs: 3000,
    ...overrides,
  };
}

async function failures(setup: STTConformanceSetup): Promise<Map<string, unknown>> {
  const failed = new Map<string, unknown>();
  for (const check of sttConformanceChecks(setup)) {
    try {
      await check.run();
    } catch (error) {
      failed.set(check.name, error);
    }
  }
  return failed;
}

async function expectCheckFails(setup: STTConformanceSetup, namePart: RegExp): Promise<void> {
  const failed = await failures(setup);
  const names = [...failed.keys()];
  const match = names.find((name) => namePart.test(name));
  expect(match, `expected a failing check matching ${namePart}; failing: ${names.join(' | ')}`).toBeDefined();
  expect(failed.get(match!)).toBeInstanceOf(AssertionError);
}

describe('sttConformanceChecks against FakeSTT', () => {
  for (const check of sttConformanceChecks(fakeSetup())) it(check.name, check.run);

  it('includes the interim and typed-error checks when the setup allows them', () => {
    const names = sttConformanceChecks(fakeSetup()).map((check) => check.name);
    expect(names.length).toBe(10);
    expect(names.some((name) => /interim transcripts come before/.test(name))).toBe(true);
    expect(names.some((name) => /typed, fatal error/.test(name))).toBe(true);
  });
});

describe('sttConformanceChecks fail against broken STTs', () => {
  it('a wrong transcript', async () => {
    await expectCheckFails(
      fakeSetup(undefined, {
        speech: (text, sampleRate, stt) => {
          (stt as FakeSTT).addTranscript(`${text} extra`);
          return tone(300, sampleRate);
        },
      }),
      /spoken text/,
    );
  });

  it('an STT that only takes its own sample rate', async () => {
    class OneRateSTT extends FakeSTT {
      override pushAudio(frame: AudioFrame): void {
        if (frame.sampleRate !== this.audioFormat.sampleRate || frame.channels !== 1) {
          throw new ConfigurationError('frame.sampleRate', frame.sampleRate, '16000 mono');
        }
        super.pushAudio(frame);
      }
    }
    await expectCheckFails(
      fakeSetup((o) => new OneRateSTT(o)),
      /any sample rate/,
    );
  });

  it('an STT that drops the odd bytes of odd-sized frames', async () => {
    class EvenOnlySTT extends FakeSTT {
      override pushAudio(frame: AudioFrame): void {
        if (frame.samplesPerChannel % 2 === 1) return;
        super.pushAudio(frame);
      }
    }
    // Dropping whole odd frames loses most of the audio: no final arrives.
    await expectCheckFails(
      fakeSetup((o) => new EvenOnlySTT(o)),
      /odd sizes/,
    );
  });

  it('a flush() that does not wait for the final', async () => {
    class HastyFlushSTT extends FakeSTT {
      override flush(): Promise<void> {
        void super.flush().catch(() => {});
        return Promise.resolve();
      }
    }
    await expectCheckFails(
      fakeSetup((o) => new HastyFlushSTT(o)),
      /flush\(\) resolves once the final/,
    );
  });

  it('no interim transcripts although they were asked for', async () => {
    await expectCheckFails(
      fakeSetup((o) => new FakeSTT({ ...o, interimResults: false })),
      /interim transcripts come before/,
    );
  });

  it('interim transcripts although they were not asked for', async () => {
    await expectCheckFails(
      fakeSetup((o) => new FakeSTT({ ...o, interimResults: true })),
      /no interim/,
    );
  });

  it('a close() that is not idempotent', async () => {
    class TwiceCloseSTT extends FakeSTT {
      #closes = 0;
      override close(): Promise<void> {
        this.#closes += 1;
        if (this.#closes === 2) return Promise.reject(new Error('already closed'));
        return super.close();
      }
    }
    const failed = await failures(fakeSetup((o) => new TwiceCloseSTT(o)));
    expect([...failed.keys()]).toContain(
      'close() delivers the pending final, releases everything and is idempotent',
    );
  });

  it('a close() that drops the pending utterance', async () => {
    class AbruptCloseSTT extends FakeSTT {
      protected override async openConnection(
        handlers: STTConnectionHandlers,
        signal: AbortSignal,
      ): Promise<STTConnection> {
        const connection = await super.openConnection(handlers, signal);
        return {
          sendAudio: (chunk) => connection.sendAudio(chunk),
          finish: async () => connection.close(),
          close: () => connection.close(),
        };
      }
    }
    await expectCheckFails(
      fakeSetup((o) => new AbruptCloseSTT(o)),
      /close\(\) delivers/,
    );
  });

  it('times in the wrong unit', async () => {
    class SecondsSTT extends FakeSTT {
      protected override openConnection(
        handlers: STTConnectionHandlers,
        signal: AbortSignal,
      ): Promise<STTConnection> {
        const inMicroseconds: STTConnectionHandlers = {
          ...handlers,
          transcript: (event) =>
            handlers.transcript({ ...event, startMs: event.startMs * 1000, endMs: event.endMs * 1000 }),
        };
        return super.openConnection(inMicroseconds, signal);
      }
    }
    await expectCheckFails(
      fakeSetup((o) => new SecondsSTT(o)),
      /spoken text/,
    );
  });

  it('no metrics', async () => {
    class SilentMetricsSTT extends FakeSTT {
      override emit<E extends keyof STTEvents & string>(
        event: E,
        ...args: Parameters<STTEvents[E]>
      ): boolean {
        if (event === 'metrics') return false;
        return super.emit(event, ...args);
      }
    }
    await expectCheckFails(
      fakeSetup((o) => new SilentMetricsSTT(o)),
      /metrics/,
    );
  });

  it('untyped errors', async () => {
    class PlainErrorSTT extends FakeSTT {
      override connect(): Promise<void> {
        return Promise.reject(new Error('401 unauthorized'));
      }
    }
    await expectCheckFails(
      fakeSetup(undefined, { createUnauthorizedSTT: () => new PlainErrorSTT() }),
      /typed, fatal error/,
    );
  });

  it('an authentication failure that is retried as if it could succeed', async () => {
    await expectCheckFails(
      fakeSetup(undefined, {
        createUnauthorizedSTT: () =>
          new FakeSTT({
            connectErrors: [new APIStatusError('invalid key', { status: 401, retryable: true })],
          }),
      }),
      /typed, fatal error/,
    );
  });
});
