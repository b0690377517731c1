import {
  type APIError,
  type ConfigurationError,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  type SpeechEvent,
} from '@x/core';
import { XAISTT, type XAISTTOptions } from '@x/stt';
import { describe, expect, it } from 'vitest';
import { concat, silence, spoken, stream } from './support/audio.js';
import { type Cell, defineMatrix } from './support/matrix.js';
import { type Scenario, scenario } from './support/scenario.js';
import { SECRET_KEY } from './support/secret.js';
import { rejectionOf, thrownBy, until } from './support/util.js';
import { watchFile } from './support/watch.js';

const watch = watchFile();

const RATE = 16_000;
const FIRST = 'the quick brown fox jumps over the lazy dog';
const SECOND = 'after the fault';

interface Client {
  stt: XAISTT;
  /** Every `error` event (recoverable reports and the fatal one). */
  errors: APIError[];
  transcripts: SpeechEvent[];
  reconnects: number;
  /** Samples pushed (mono, at the wire rate: no conversion, so bytes on the wire = 2 × samples). */
  pushed: number;
  /** Streams `samples` at `speed` × real time. */
  say(samples: Int16Array, speed?: number): Promise<void>;
  /** Locked and final texts joined: every word once. */
  text(): string;
  finals(): string[];
}

function client(s: Scenario, options: XAISTTOptions = {}): Client {
  const stt = s.track(
    new XAISTT({
      apiKey: SECRET_KEY,
      baseURL: s.sim.wsUrl,
      sampleRate: RATE,
      ...options,
      connectOptions: { maxRetry: 2, retryIntervalMs: 50, timeoutMs: 3000, ...options.connectOptions },
    }),
  );
  const c: Client = {
    stt,
    errors: [],
    transcripts: [],
    reconnects: 0,
    pushed: 0,
    say: async (samples, speed = 4) => {
      c.pushed += await stream((frame) => stt.pushAudio(frame), samples, RATE, { speed });
    },
    text: () =>
      c.transcripts
        .filter((e) => e.type !== 'interim' && e.text !== '')
        .map((e) => e.text)
        .join(' '),
    finals: () => c.transcripts.filter((e) => e.type === 'final').map((e) => e.utteranceText ?? e.text),
  };
  stt.on('error', (error) => {
    c.errors.push(error);
    watch.record(error);
  });
  stt.on('transcript', (event) => {
    c.transcripts.push(event);
    watch.record(event);
  });
  stt.on('reconnected', (event) => {
    c.reconnects++;
    watch.record(event);
  });
  stt.on('metrics', (m) => watch.record(m));
  return c;
}

/** Audio bytes the simulator received over every STT connection. */
function receivedBytes(s: Scenario): number {
  return s.sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0);
}

/** Nothing pushed was lost: the server got at least every sample (replays may add more). */
function expectNoAudioLost(s: Scenario, c: Client): void {
  expect(c.pushed).toBeGreaterThan(0);
  expect(receivedBytes(s)).toBeGreaterThanOrEqual(c.pushed * 2);
}

/** Both utterances came back exactly (nothing lost, nothing repeated), with no fatal error. */
async function speakTwoUtterances(c: Client): Promise<void> {
  await c.say(concat(spoken(FIRST, RATE), silence(300, RATE)));
  await c.say(spoken(SECOND, RATE));
  await c.stt.flush();
  expect(c.finals()).toEqual([FIRST, SECOND]);
  expect(c.text()).toBe(`${FIRST} ${SECOND}`);
  expect(c.stt.fatalError).toBeNull();
}

/** Recoverable reports only: typed and retryable. */
function expectOnlyRecoverable(c: Client): void {
  for (const error of c.errors) {
    expect(isAPIError(error)).toBe(true);
    expect(error.retryable).toBe(true);
  }
}

/** The STT stopped with exactly one typed fatal error: emitted once, thrown by pushAudio and flush. */
async function expectFatal(c: Client): Promise<APIError> {
  const flushed = await rejectionOf(c.stt.flush());
  const fatal = c.stt.fatalError;
  expect(fatal).not.toBeNull();
  expect(flushed).toBe(fatal);
  expect(fatal!.retryable).toBe(false);
  expect(c.errors.filter((e) => !e.retryable)).toEqual([fatal]);
  expect(
    thrownBy(() =>
      c.stt.pushAudio({ data: new Int16Array(160), sampleRate: RATE, channels: 1, samplesPerChannel: 160 }),
    ),
  ).toBe(fatal);
  watch.record(flushed);
  return fatal!;
}

const cells: Cell[] = [
  {
    fault: 'socket dropped mid-stream',
    outcome: 'recovers: reconnects, replays the unfinished utterance, no audio lost',
    run: async (s) => {
      // transcript.created, one interim, then the socket is destroyed while audio is streaming.
      s.sim.injectFault('stt', { kind: 'drop', afterMessages: 2 });
      const c = client(s);
      await speakTwoUtterances(c);
      expect(s.sim.log.connections.map((r) => r.dropped === true)).toEqual([true, false]);
      expect(c.reconnects).toBe(1);
      expectNoAudioLost(s, c);
      expectOnlyRecoverable(c);
      expect(c.errors.filter(isAPIConnectionError)).toHaveLength(1);
    },
  },
  {
    fault: 'handshake 401',
    outcome: 'one fatal APIStatusError 401, not retried',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'handshake', status: 401 });
      const c = client(s);
      await c.say(spoken(FIRST, RATE), Number.POSITIVE_INFINITY);
      const fatal = await expectFatal(c);
      expect(isAPIStatusError(fatal) && fatal.status).toBe(401);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([fatal]);
    },
  },
  {
    fault: 'handshake 429 (retry-after 0.3 s)',
    outcome: 'recovers, honouring retry-after; audio pushed meanwhile is kept',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'handshake', status: 429, retryAfterS: 0.3 });
      const c = client(s);
      const started = performance.now();
      await speakTwoUtterances(c);
      expect(performance.now() - started).toBeGreaterThanOrEqual(280);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([429, 'ok']);
      expectNoAudioLost(s, c);
      expectOnlyRecoverable(c);
      expect(c.errors.map((e) => isAPIStatusError(e) && e.status)).toEqual([429]);
    },
  },
  {
    fault: 'handshake 429 on every attempt',
    outcome: 'one fatal APIStatusError 429 after maxRetry retries',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'handshake', status: 429, retryAfterS: 0.05 }, { times: 10 });
      const c = client(s);
      await c.say(spoken(FIRST, RATE), Number.POSITIVE_INFINITY);
      const fatal = await expectFatal(c);
      expect(isAPIStatusError(fatal) && fatal.status).toBe(429);
      expect(s.sim.log.connections).toHaveLength(3);
    },
  },
  {
    fault: 'handshake 500',
    outcome: 'recovers (retried); audio pushed meanwhile is kept',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'handshake', status: 500 });
      const c = client(s);
      await speakTwoUtterances(c);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([500, 'ok']);
      expectNoAudioLost(s, c);
      expectOnlyRecoverable(c);
    },
  },
  {
    fault: 'handshake 500 on every attempt',
    outcome: 'one fatal APIStatusError 500 after maxRetry retries',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'handshake', status: 500 }, { times: 3 });
      const c = client(s);
      await c.say(spoken(FIRST, RATE), Number.POSITIVE_INFINITY);
      const fatal = await expectFatal(c);
      expect(isAPIStatusError(fatal) && fatal.status).toBe(500);
      expect(s.sim.log.connections).toHaveLength(3);
    },
  },
  {
    fault: 'malformed JSON',
    outcome: 'recovers: reported once as a recoverable error, stream goes on',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'malformed', afterMessages: 1 });
      const c = client(s);
      await speakTwoUtterances(c);
      expect(s.sim.log.connections).toHaveLength(1);
      expectOnlyRecoverable(c);
      expect(c.errors).toHaveLength(1);
      expect(c.errors[0]!.message).toMatch(/not JSON/);
      expectNoAudioLost(s, c);
    },
  },
  {
    fault: 'unknown event types',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'unknown_event', afterMessages: 0 });
      s.sim.injectFault('stt', { kind: 'unknown_event', afterMessages: 2 });
      const c = client(s);
      await speakTwoUtterances(c);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '5 s stall before transcript.created, connect timeoutMs 1500',
    outcome: 'recovers: the stalled attempt times out (typed, reported) and is retried; no audio lost',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'stall', ms: 5000, afterMessages: 0 });
      const c = client(s, { connectOptions: { timeoutMs: 1500 } });
      await speakTwoUtterances(c);
      expect(s.sim.log.connections).toHaveLength(2);
      expectNoAudioLost(s, c);
      expectOnlyRecoverable(c);
      expect(c.errors.filter(isAPITimeoutError)).toHaveLength(1);
    },
  },
  {
    fault: '5 s stall mid-utterance, flushTimeoutMs 1500',
    outcome: 'flush() rejects with one APITimeoutError; the late final still arrives and the STT is usable',
    run: async (s) => {
      // transcript.created, one interim, then nothing for 5 s.
      s.sim.injectFault('stt', { kind: 'stall', ms: 5000, afterMessages: 2 });
      const c = client(s, { flushTimeoutMs: 1500 });
      await c.say(spoken(FIRST, RATE));
      const started = performance.now();
      const error = await rejectionOf(c.stt.flush());
      watch.record(error);
      expect(isAPITimeoutError(error)).toBe(true);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(c.stt.fatalError).toBeNull();
      await until(() => c.finals().length === 1, 6000, 'the final after the stall');
      await c.say(spoken(SECOND, RATE));
      await c.stt.flush();
      expect(c.finals()).toEqual([FIRST, SECOND]);
      expect(s.sim.log.connections).toHaveLength(1);
      expectNoAudioLost(s, c);
    },
  },
  {
    fault: '5 s stall before any transcript, flushTimeoutMs 1500',
    outcome: 'flush() rejects with one APITimeoutError (speech was pending and no final came)',
    run: async (s) => {
      // transcript.created, then nothing for 5 s: not even an interim reaches the client.
      s.sim.injectFault('stt', { kind: 'stall', ms: 5000, afterMessages: 1 });
      const c = client(s, { flushTimeoutMs: 1500 });
      await c.say(spoken(FIRST, RATE));
      const outcome: { resolved: boolean; finals?: number; error?: unknown } = await c.stt.flush().then(
        () => ({ resolved: true, finals: c.finals().length }),
        (error: unknown) => {
          watch.record(error);
          return { resolved: false, error };
        },
      );
      // A flush() that resolves must have the final; otherwise it must be a typed timeout.
      if (outcome.resolved) expect(outcome).toEqual({ resolved: true, finals: 1 });
      else expect(isAPITimeoutError(outcome.error)).toBe(true);
    },
  },
  {
    fault: '5 s stall mid-utterance, flushTimeoutMs 8000',
    outcome: 'recovers (rides the stall out)',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'stall', ms: 5000, afterMessages: 2 });
      const c = client(s, { flushTimeoutMs: 8000 });
      const started = performance.now();
      await speakTwoUtterances(c);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4500);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '10 MB message',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('stt', { kind: 'huge', bytes: 10 * 1024 * 1024, afterMessages: 1 });
      const c = client(s);
      await speakTwoUtterances(c);
      expect(s.sim.log.connections).toHaveLength(1);
      expectOnlyRecoverable(c);
    },
  },
  {
    fault: 'bad options',
    outcome: 'ConfigurationError naming the option, before any connection',
    run: async (s) => {
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ sampleRate: 12345 }, 'sampleRate'],
        [{ encoding: 'mp3' }, 'encoding'],
        [{ endpointing: 9000 }, 'endpointing'],
        [{ interimResults: 'yes' }, 'interimResults'],
        [{ language: '' }, 'language'],
        [{ channels: 3 }, 'channels'],
        [{ multichannel: true, channels: 9 }, 'channels'],
        [{ baseURL: 'https://api.x.ai/v1' }, 'baseURL'],
        [{ chunkMs: 0 }, 'chunkMs'],
        [{ maxBufferedAudioMs: -5 }, 'maxBufferedAudioMs'],
        [{ connectOptions: { timeoutMs: 0 } }, 'connectOptions.timeoutMs'],
      ];
      for (const [options, option] of bad) {
        const error = thrownBy(
          () => new XAISTT({ apiKey: SECRET_KEY, baseURL: s.sim.wsUrl, ...options } as XAISTTOptions),
        );
        watch.record(error);
        expect(isConfigurationError(error), option).toBe(true);
        expect((error as ConfigurationError).option, option).toBe(option);
      }
      const saved = process.env.XAI_API_KEY;
      delete process.env.XAI_API_KEY;
      try {
        const error = thrownBy(() => new XAISTT({ baseURL: s.sim.wsUrl }));
        watch.record(error);
        expect(isConfigurationError(error)).toBe(true);
        expect((error as Error).message).toMatch(/apiKey[\s\S]*XAI_API_KEY|XAI_API_KEY[\s\S]*apiKey/);
      } finally {
        if (saved !== undefined) process.env.XAI_API_KEY = saved;
      }
      // A malformed frame is refused with a typed error and the STT stays usable.
      const c = client(s);
      const error = thrownBy(() =>
        c.stt.pushAudio({ data: new Int16Array(3), sampleRate: RATE, channels: 2, samplesPerChannel: 1 }),
      );
      expect(isConfigurationError(error)).toBe(true);
      expect(s.sim.log.connections).toHaveLength(0);
      await speakTwoUtterances(c);
    },
  },
];

describe('XAISTT × simulator faults', () => {
  defineMatrix('STT', cells, (cell) => scenario(watch, cell.simulator ?? {}, cell.run));

  it('scanned every error, event and log line for the key', () => {
    expect(watch.scanned).toBeGreaterThan(50);
    watch.assertClean();
  });
});
