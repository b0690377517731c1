import {
  type APIError,
  type ConfigurationError,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  MemoryAudioOutput,
  type SynthesisResult,
} from '@x/core';
import { VoiceRecognizer } from '@x/simulator';
import { XAITTS, type XAITTSOptions } from '@x/tts';
import { describe, expect, it } from 'vitest';
import { type Cell, defineMatrix } from './support/matrix.js';
import { type Scenario, scenario } from './support/scenario.js';
import { SECRET_KEY } from './support/secret.js';
import { rejectionOf, thrownBy } from './support/util.js';
import { watchFile } from './support/watch.js';

const watch = watchFile();

const RATE = 24_000;
const FIRST = 'hello from the fault suite';
const SECOND = 'the next utterance is clean';

interface Client {
  tts: XAITTS;
  errors: APIError[];
  reconnects: number;
}

function client(s: Scenario, options: XAITTSOptions = {}): Client {
  const tts = s.track(
    new XAITTS({
      apiKey: SECRET_KEY,
      baseURL: s.sim.wsUrl,
      codec: 'pcm',
      sampleRate: RATE,
      clearTimeoutMs: 500,
      ...options,
      connectOptions: { maxRetry: 2, retryIntervalMs: 50, timeoutMs: 3000, ...options.connectOptions },
    }),
  );
  const c: Client = { tts, errors: [], reconnects: 0 };
  tts.on('error', (error) => {
    c.errors.push(error);
    watch.record(error);
  });
  tts.on('reconnected', () => c.reconnects++);
  tts.on('metrics', (m) => watch.record(m));
  tts.on('first_audio', (e) => watch.record(e));
  return c;
}

interface Spoken {
  result?: SynthesisResult;
  error?: unknown;
  /** What the simulator's recogniser hears in the audio the output received. */
  heard: string;
  ms: number;
}

async function speak(s: Scenario, c: Client, text: string): Promise<Spoken> {
  const output = s.track(new MemoryAudioOutput());
  const started = performance.now();
  const outcome: Spoken = { heard: '', ms: 0 };
  try {
    outcome.result = await c.tts.synthesize(text, { output });
  } catch (error) {
    watch.record(error);
    outcome.error = error;
  }
  outcome.ms = performance.now() - started;
  if (output.frames.length > 0) {
    const audio = output.audio();
    expect(audio.sampleRate).toBe(RATE);
    const recognizer = new VoiceRecognizer({ sampleRate: audio.sampleRate });
    recognizer.push(audio.data);
    recognizer.flush();
    outcome.heard = recognizer.text;
  }
  return outcome;
}

/** The whole text came back as audio, with no error. */
async function expectSpoken(s: Scenario, c: Client, text: string): Promise<Spoken> {
  const outcome = await speak(s, c, text);
  expect(outcome.error).toBeUndefined();
  expect(outcome.result?.interrupted).toBe(false);
  expect(outcome.heard).toBe(text);
  return outcome;
}

/** The call failed with exactly one typed error: rejected once and emitted once. */
function expectOneTypedError(c: Client, outcome: Spoken): APIError {
  expect(isAPIError(outcome.error)).toBe(true);
  expect(c.errors).toEqual([outcome.error]);
  return outcome.error as APIError;
}

/** After the failure the TTS speaks the next text exactly (no stale audio of the failed one). */
async function expectUsable(s: Scenario, c: Client): Promise<void> {
  const errorsBefore = c.errors.length;
  await expectSpoken(s, c, SECOND);
  expect(c.errors).toHaveLength(errorsBefore);
}

const cells: Cell[] = [
  {
    fault: 'socket dropped mid-utterance',
    outcome: 'one APIConnectionError for that call; the next call reconnects and is clean',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'drop', afterMessages: 2 });
      const c = client(s);
      const error = expectOneTypedError(c, await speak(s, c, FIRST));
      expect(isAPIConnectionError(error)).toBe(true);
      await expectUsable(s, c);
      expect(c.reconnects).toBe(1);
      expect(s.sim.log.connections.map((r) => r.dropped === true)).toEqual([true, false]);
    },
  },
  {
    fault: 'handshake 401',
    outcome: 'one APIStatusError 401, not retried; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'handshake', status: 401 });
      const c = client(s);
      const error = expectOneTypedError(c, await speak(s, c, FIRST));
      expect(isAPIStatusError(error) && error.status).toBe(401);
      expect(error.retryable).toBe(false);
      expect(s.sim.log.connections).toHaveLength(1);
      await expectUsable(s, c);
    },
  },
  {
    fault: 'handshake 429 (retry-after 0.3 s)',
    outcome: 'recovers, honouring retry-after',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'handshake', status: 429, retryAfterS: 0.3 });
      const c = client(s);
      const outcome = await expectSpoken(s, c, FIRST);
      expect(outcome.ms).toBeGreaterThanOrEqual(280);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([429, 'ok']);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'handshake 429 on every attempt',
    outcome: 'one APIStatusError 429 after maxRetry retries; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'handshake', status: 429, retryAfterS: 0.05 }, { times: 3 });
      const c = client(s);
      const error = expectOneTypedError(c, await speak(s, c, FIRST));
      expect(isAPIStatusError(error) && error.status).toBe(429);
      expect(isAPIStatusError(error) && error.retryAfterMs).toBe(50);
      expect(s.sim.log.connections).toHaveLength(3);
      await expectUsable(s, c);
    },
  },
  {
    fault: 'handshake 500',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'handshake', status: 500 });
      const c = client(s);
      await expectSpoken(s, c, FIRST);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([500, 'ok']);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'handshake 500 on every attempt',
    outcome: 'one APIStatusError 500 after maxRetry retries; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'handshake', status: 500 }, { times: 3 });
      const c = client(s);
      const error = expectOneTypedError(c, await speak(s, c, FIRST));
      expect(isAPIStatusError(error) && error.status).toBe(500);
      expect(s.sim.log.connections).toHaveLength(3);
      await expectUsable(s, c);
    },
  },
  {
    fault: 'malformed JSON',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'malformed', afterMessages: 0 });
      s.sim.injectFault('tts', { kind: 'malformed', afterMessages: 2 });
      const c = client(s);
      await expectSpoken(s, c, FIRST);
      await expectSpoken(s, c, SECOND);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'unknown event types',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'unknown_event', afterMessages: 0 });
      s.sim.injectFault('tts', { kind: 'unknown_event', afterMessages: 2 });
      const c = client(s);
      await expectSpoken(s, c, FIRST);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '5 s stall before any audio, responseTimeoutMs 1500',
    outcome: 'one APITimeoutError; the next call is clean',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'stall', ms: 5000, afterMessages: 0 });
      const c = client(s, { responseTimeoutMs: 1500 });
      const outcome = await speak(s, c, FIRST);
      const error = expectOneTypedError(c, outcome);
      expect(isAPITimeoutError(error)).toBe(true);
      expect(outcome.ms).toBeLessThan(4000);
      expect(outcome.heard).toBe('');
      await expectUsable(s, c);
    },
  },
  {
    fault: '5 s stall mid-utterance, responseTimeoutMs 1500',
    outcome: 'one APITimeoutError; the next call is clean (no stale audio)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'stall', ms: 5000, afterMessages: 2 });
      const c = client(s, { responseTimeoutMs: 1500 });
      const outcome = await speak(s, c, FIRST);
      const error = expectOneTypedError(c, outcome);
      expect(isAPITimeoutError(error)).toBe(true);
      expect(outcome.ms).toBeLessThan(4000);
      await expectUsable(s, c);
    },
  },
  {
    fault: '5 s stall mid-utterance, responseTimeoutMs 8000',
    outcome: 'recovers (rides the stall out)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'stall', ms: 5000, afterMessages: 2 });
      const c = client(s, { responseTimeoutMs: 8000 });
      const outcome = await expectSpoken(s, c, FIRST);
      expect(outcome.ms).toBeGreaterThanOrEqual(4900);
      expect(c.errors).toEqual([]);
      await expectUsable(s, c);
      expect(s.sim.log.connections).toHaveLength(1);
    },
  },
  {
    fault: '10 MB message',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('tts', { kind: 'huge', bytes: 10 * 1024 * 1024, afterMessages: 1 });
      const c = client(s);
      await expectSpoken(s, c, FIRST);
      await expectSpoken(s, c, SECOND);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'bad options',
    outcome: 'ConfigurationError naming the option, before any connection',
    run: async (s) => {
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ voice: 'bob' }, 'voice'],
        [{ language: 'not a language' }, 'language'],
        [{ codec: 'mp3' }, 'codec'],
        [{ sampleRate: 12345 }, 'sampleRate'],
        [{ optimizeStreamingLatency: 2 }, 'optimizeStreamingLatency'],
        [{ textNormalization: 'yes' }, 'textNormalization'],
        [{ baseURL: 'https://api.x.ai/v1' }, 'baseURL'],
        [{ maxConnectionAgeMs: 0 }, 'maxConnectionAgeMs'],
        [{ clearTimeoutMs: -1 }, 'clearTimeoutMs'],
        [{ responseTimeoutMs: 0 }, 'responseTimeoutMs'],
        [{ frameDurationMs: -20 }, 'frameDurationMs'],
        [{ connectOptions: { retryIntervalMs: -1 } }, 'connectOptions.retryIntervalMs'],
      ];
      for (const [options, option] of bad) {
        const error = thrownBy(
          () => new XAITTS({ apiKey: SECRET_KEY, baseURL: s.sim.wsUrl, ...options } as XAITTSOptions),
        );
        watch.record(error);
        expect(isConfigurationError(error), option).toBe(true);
        expect((error as ConfigurationError).option, option).toBe(option);
      }
      const saved = process.env.XAI_API_KEY;
      delete process.env.XAI_API_KEY;
      try {
        const error = thrownBy(() => new XAITTS({ baseURL: s.sim.wsUrl }));
        watch.record(error);
        expect(isConfigurationError(error)).toBe(true);
        expect((error as Error).message).toMatch(/XAI_API_KEY/);
      } finally {
        if (saved !== undefined) process.env.XAI_API_KEY = saved;
      }
      // Bad per-call options: typed, before any connection; the TTS stays usable.
      const c = client(s);
      const badVoice = await rejectionOf(
        c.tts.synthesize(FIRST, { output: s.track(new MemoryAudioOutput()), voice: 'bob' }),
      );
      expect(isConfigurationError(badVoice) && badVoice.option).toBe('voice');
      const noOutput = await rejectionOf(c.tts.synthesize(FIRST));
      expect(isConfigurationError(noOutput) && noOutput.option).toBe('output');
      expect(s.sim.log.connections).toHaveLength(0);
      await expectUsable(s, c);
    },
  },
];

describe('XAITTS × simulator faults', () => {
  defineMatrix('TTS', cells, (cell) => scenario(watch, cell.simulator ?? {}, cell.run));

  it('scanned every error, event and log line for the key', () => {
    expect(watch.scanned).toBeGreaterThan(50);
    watch.assertClean();
  });
});
