import {
  type APIError,
  type ConfigurationError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  MemoryAudioOutput,
  type RealtimeTranscription,
} from '@x/core';
import { XAIRealtime, type XAIRealtimeConfig } from '@x/realtime';
import { VoiceRecognizer } from '@x/simulator';
import { describe, expect, it } from 'vitest';
import { concat, silence, spoken, stream } from './support/audio.js';
import { type Cell, defineMatrix } from './support/matrix.js';
import { type Scenario, scenario } from './support/scenario.js';
import { SECRET_KEY } from './support/secret.js';
import { rejectionOf, thrownBy, until } from './support/util.js';
import { watchFile } from './support/watch.js';

const watch = watchFile();

const RATE = 24_000;
/** Samples per `input_audio_buffer.append` (40 ms at 24 kHz): audio is padded to whole batches. */
const BATCH = 960;
const FIRST = 'what time is it';
const SECOND = 'second part';
const answer = (text: string) => `You said: ${text}.`;

interface Client {
  model: XAIRealtime;
  output: MemoryAudioOutput;
  errors: APIError[];
  unknown: string[];
  reconnects: number;
  /** Samples of input audio the client sent again on a new connection (`reconnected.replayedInputMs`). */
  replayedSamples: number;
  transcripts: RealtimeTranscription[];
  pushed: number;
  /** Streams `samples` (padded to whole 40 ms batches) at `speed` × real time. */
  say(samples: Int16Array, speed?: number): Promise<void>;
  finals(role: 'user' | 'assistant'): string[];
}

function client(s: Scenario, config: XAIRealtimeConfig = {}): Client {
  const output = s.track(new MemoryAudioOutput());
  const model = s.track(
    new XAIRealtime({
      apiKey: SECRET_KEY,
      baseURL: `${s.sim.wsUrl}?sim_speed=max`,
      output,
      ...config,
      connectOptions: { maxRetry: 2, retryIntervalMs: 50, timeoutMs: 4000, ...config.connectOptions },
    }),
  );
  const c: Client = {
    model,
    output,
    errors: [],
    unknown: [],
    reconnects: 0,
    replayedSamples: 0,
    transcripts: [],
    pushed: 0,
    say: async (samples, speed = 2) => {
      const padded = concat(samples, new Int16Array((BATCH - (samples.length % BATCH)) % BATCH));
      c.pushed += await stream((frame) => model.pushAudio(frame), padded, RATE, { speed });
    },
    finals: (role) => c.transcripts.filter((t) => t.role === role && t.final).map((t) => t.text),
  };
  model.on('error', (error) => {
    c.errors.push(error);
    watch.record(error);
  });
  model.on('unknown_event', (event) => {
    c.unknown.push(event.type);
    watch.record(event.type);
  });
  model.on('reconnected', (event) => {
    c.reconnects++;
    c.replayedSamples += Math.round((event.replayedInputMs * RATE) / 1000);
    watch.record(event);
  });
  model.on('transcription', (t) => {
    c.transcripts.push(t);
    watch.record(t);
  });
  model.on('metrics', (m) => watch.record(m));
  model.on('function_executed', (e) => watch.record(e));
  return c;
}

/** Audio the simulator received over every realtime connection, in samples (pcm16). */
function receivedSamples(s: Scenario): number {
  return s.sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0) / 2;
}

/**
 * Every sample pushed reached the simulator, none twice (the last appends may still be in flight
 * on the loopback socket: wait for them, bounded, then compare exactly).
 */
async function expectAllAudioReceived(s: Scenario, c: Client): Promise<void> {
  await until(() => receivedSamples(s) >= c.pushed, 2000, 'the pushed audio to reach the simulator').catch(
    () => undefined,
  );
  expect(receivedSamples(s)).toBe(c.pushed);
}

/**
 * Every sample pushed reached the simulator; the only audio counted twice is the unanswered turn the
 * client sent again on the new connection, and no more than it says it replayed.
 */
async function expectAllAudioReceivedWithReplay(s: Scenario, c: Client): Promise<void> {
  await until(
    () => receivedSamples(s) >= c.pushed + c.replayedSamples,
    2000,
    'the pushed and replayed audio',
  ).catch(() => undefined);
  expect(c.replayedSamples).toBeGreaterThan(0);
  expect(receivedSamples(s)).toBeGreaterThanOrEqual(c.pushed);
  expect(receivedSamples(s)).toBeLessThanOrEqual(c.pushed + c.replayedSamples);
}

/** Text the recogniser hears in one segment (reply) of the agent's audio. */
function heard(output: MemoryAudioOutput, segment: number): string {
  const audio = output.segmentAudio(segment);
  const recognizer = new VoiceRecognizer({ sampleRate: audio.sampleRate });
  recognizer.push(audio.data);
  recognizer.flush();
  return recognizer.text;
}

/** One spoken turn: the user's words are recognised and the agent's spoken reply is exact. */
async function expectTurn(c: Client, text: string, speed = 2): Promise<void> {
  const repliesBefore = c.finals('assistant').length;
  await c.say(concat(spoken(text, RATE), silence(500, RATE)), speed);
  await until(() => c.finals('assistant').length > repliesBefore, 8000, `the reply to "${text}"`);
  expect(c.finals('user').at(-1)).toBe(text);
  expect(c.finals('assistant').at(-1)).toBe(answer(text));
  await until(() => c.output.segments.length > repliesBefore, 2000, 'the reply audio');
  expect(heard(c.output, c.output.segments.length - 1)).toBe(answer(text));
}

/** Connect, then one turn works: the session is usable. */
async function expectUsable(c: Client): Promise<void> {
  await c.model.connect();
  expect(c.model.connectionState).toBe('ready');
  await expectTurn(c, FIRST);
}

const cells: Cell[] = [
  {
    fault: 'socket dropped mid-stream',
    outcome: 'reconnects while audio streams in real time, no input audio lost, the next turn is answered',
    run: async (s) => {
      // created, updated, then the first turn's VAD/transcript/response events; the socket is
      // destroyed inside the first reply, while the microphone keeps streaming.
      s.sim.injectFault('realtime', { kind: 'drop', afterMessages: 14 });
      const c = client(s);
      await c.model.connect();
      await c.say(
        concat(spoken(FIRST, RATE), silence(1000, RATE), spoken(SECOND, RATE), silence(600, RATE)),
        1,
      );
      await until(() => c.finals('assistant').includes(answer(SECOND)), 8000, 'the reply after the drop');
      expect(s.sim.log.connections.map((r) => r.dropped === true)).toEqual([true, false]);
      expect(c.reconnects).toBe(1);
      expect(c.finals('user')).toEqual([FIRST, SECOND]);
      // Every sample pushed reached the simulator (on one connection or the other).
      await expectAllAudioReceived(s, c);
      expect(c.model.droppedInputMs).toBe(0);
      expect(c.errors).toEqual([]);
      await until(() => c.output.segments.length >= 2, 2000, 'the second reply audio');
      expect(heard(c.output, c.output.segments.length - 1)).toBe(answer(SECOND));
    },
  },
  {
    fault: 'socket dropped mid-reply',
    outcome:
      'the cut reply is resumed after the reconnect, or reported (one typed error, or marked interrupted)',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'drop', afterMessages: 14 });
      const c = client(s);
      const ended: Array<{ interrupted: boolean }> = [];
      c.model.on('agent_speech_ended', (e) => ended.push(e));
      await c.model.connect();
      await c.say(concat(spoken(FIRST, RATE), silence(1500, RATE)));
      await until(() => c.reconnects === 1, 4000, 'the reconnect');
      // Give a resumed reply time to arrive.
      await until(() => c.finals('assistant').includes(answer(FIRST)), 3000, 'a resumed reply').catch(
        () => undefined,
      );
      const recovered = c.finals('assistant').includes(answer(FIRST));
      const reported = c.errors.length === 1 && isAPIError(c.errors[0]);
      const assistant = c.model.history.flatMap((e) =>
        e.type === 'message' && e.role === 'assistant' ? [e] : [],
      );
      const markedCut =
        ended.length > 0 && ended.every((e) => e.interrupted) && assistant.every((e) => e.interrupted);
      expect({ recovered, reported, markedCut }).not.toEqual({
        recovered: false,
        reported: false,
        markedCut: false,
      });
      // Whatever the outcome, a partial reply is never presented as a complete one.
      const partialFinals = c.transcripts.filter(
        (t) => t.role === 'assistant' && t.final && t.text !== answer(FIRST) && !markedCut,
      );
      expect(partialFinals.map((t) => t.text)).toEqual([]);
    },
  },
  {
    fault: 'socket dropped while a burst of input audio is in flight',
    outcome:
      'recovers: no input audio lost (the unanswered turn is sent again on the new connection, counted twice only as far as replayed), both turns answered',
    run: async (s) => {
      // The microphone backlog is pushed at once (e.g. after a stall of the capture thread, or the
      // queue flushed after a reconnect); the socket dies while those appends are in flight.
      s.sim.injectFault('realtime', { kind: 'drop', afterMessages: 5 });
      const c = client(s);
      await c.model.connect();
      await c.say(
        concat(spoken(FIRST, RATE), silence(1000, RATE), spoken(SECOND, RATE), silence(600, RATE)),
        Number.POSITIVE_INFINITY,
      );
      await until(() => c.reconnects === 1, 4000, 'the reconnect');
      await expectAllAudioReceivedWithReplay(s, c);
      await until(() => c.finals('assistant').includes(answer(SECOND)), 8000, 'the reply after the drop');
      expect(c.finals('user')).toEqual([FIRST, SECOND]);
    },
  },
  {
    fault: 'socket dropped during the handshake',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'drop', afterMessages: 1 });
      const c = client(s);
      await expectUsable(c);
      expect(s.sim.log.connections).toHaveLength(2);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'handshake 401',
    outcome: 'connect() rejects with one APIStatusError 401, not retried; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'handshake', status: 401 });
      const c = client(s);
      const error = await rejectionOf(c.model.connect());
      watch.record(error);
      expect(isAPIStatusError(error) && error.status).toBe(401);
      expect((error as APIError).retryable).toBe(false);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
      await expectUsable(c);
    },
  },
  {
    fault: 'handshake 429 (retry-after 0.3 s)',
    outcome: 'recovers, honouring retry-after; audio pushed before ready is kept',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'handshake', status: 429, retryAfterS: 0.3 });
      const c = client(s);
      const started = performance.now();
      const connected = c.model.connect();
      await c.say(concat(spoken(FIRST, RATE), silence(500, RATE)), Number.POSITIVE_INFINITY);
      await connected;
      expect(performance.now() - started).toBeGreaterThanOrEqual(280);
      await until(() => c.finals('assistant').length === 1, 8000, 'the reply');
      expect(c.finals('assistant')).toEqual([answer(FIRST)]);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([429, 'ok']);
      await expectAllAudioReceived(s, c);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'handshake 429 on every attempt',
    outcome: 'connect() rejects with one APIStatusError 429 after maxRetry retries; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'handshake', status: 429, retryAfterS: 0.05 }, { times: 3 });
      const c = client(s);
      const error = await rejectionOf(c.model.connect());
      watch.record(error);
      expect(isAPIStatusError(error) && error.status).toBe(429);
      expect(isAPIStatusError(error) && error.retryAfterMs).toBe(50);
      expect(s.sim.log.connections).toHaveLength(3);
      expect(c.errors).toEqual([]);
      await expectUsable(c);
    },
  },
  {
    fault: 'handshake 500',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'handshake', status: 500 });
      const c = client(s);
      await expectUsable(c);
      expect(s.sim.log.connections.map((r) => r.refusedStatus ?? 'ok')).toEqual([500, 'ok']);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'handshake 500 on every attempt',
    outcome: 'connect() rejects with one APIStatusError 500 after maxRetry retries; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'handshake', status: 500 }, { times: 3 });
      const c = client(s);
      const error = await rejectionOf(c.model.connect());
      watch.record(error);
      expect(isAPIStatusError(error) && error.status).toBe(500);
      expect(s.sim.log.connections).toHaveLength(3);
      await expectUsable(c);
    },
  },
  {
    fault: 'malformed JSON',
    outcome: 'recovers: one non-fatal typed error for the frame after the handshake, session goes on',
    run: async (s) => {
      // One during the handshake (ignored: only the handshake events matter there), one after it.
      s.sim.injectFault('realtime', { kind: 'malformed', afterMessages: 0 });
      s.sim.injectFault('realtime', { kind: 'malformed', afterMessages: 2 });
      const c = client(s);
      await expectUsable(c);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toHaveLength(1);
      expect(isAPIError(c.errors[0])).toBe(true);
      expect(c.errors[0]!.message).toMatch(/malformed/);
    },
  },
  {
    fault: 'unknown event types',
    outcome: 'recovers: surfaced as unknown_event, no error',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'unknown_event', afterMessages: 0 });
      s.sim.injectFault('realtime', { kind: 'unknown_event', afterMessages: 5 });
      const c = client(s);
      await expectUsable(c);
      expect(c.unknown).toEqual(['sim.unknown_event']);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '5 s stall in the handshake, handshakeTimeoutMs 1500',
    outcome: 'recovers: the stalled attempt times out (APITimeoutError) and is retried',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'stall', ms: 5000, afterMessages: 0 });
      const c = client(s, { handshakeTimeoutMs: 1500 });
      const started = performance.now();
      await c.model.connect();
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(4500);
      expect(s.sim.log.connections).toHaveLength(2);
      await expectUsable(c);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '5 s stall in the handshake on every attempt, handshakeTimeoutMs 1000',
    outcome: 'connect() rejects with one APITimeoutError after maxRetry retries',
    timeoutMs: 25_000,
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'stall', ms: 5000, afterMessages: 0 }, { times: 2 });
      const c = client(s, { handshakeTimeoutMs: 1000, connectOptions: { maxRetry: 1 } });
      const error = await rejectionOf(c.model.connect());
      watch.record(error);
      expect(isAPITimeoutError(error)).toBe(true);
      expect(s.sim.log.connections).toHaveLength(2);
      expect(c.errors).toEqual([]);
      await expectUsable(c);
    },
  },
  {
    fault: '5 s stall mid-reply, responseTimeoutMs above it (default 15 s)',
    outcome: 'recovers (rides the stall out)',
    run: async (s) => {
      // created, updated, VAD and transcript events, response.created…: then 5 s of nothing.
      s.sim.injectFault('realtime', { kind: 'stall', ms: 5000, afterMessages: 9 });
      const c = client(s);
      await c.model.connect();
      const started = performance.now();
      await expectTurn(c, FIRST, Number.POSITIVE_INFINITY);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4500);
      expect(s.sim.log.connections).toHaveLength(1);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: '5 s stall mid-reply beyond a response timeout',
    outcome: 'detected with one APITimeoutError, then recovers',
    run: async (s) => {
      // created, updated, VAD and transcript events, response.created, output_item.added: then 5 s
      // of nothing. responseTimeoutMs 1500 gives up on the silent socket, reconnects, and asks for
      // the reply again on the new connection.
      s.sim.injectFault('realtime', { kind: 'stall', ms: 5000, afterMessages: 9 });
      const c = client(s, { responseTimeoutMs: 1500 });
      await c.model.connect();
      const started = performance.now();
      await expectTurn(c, FIRST, Number.POSITIVE_INFINITY);
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(4500);
      expect(c.errors).toHaveLength(1);
      expect(isAPITimeoutError(c.errors[0])).toBe(true);
      expect(c.errors[0]!.retryable).toBe(true);
      expect(c.reconnects).toBe(1);
      expect(s.sim.log.connections).toHaveLength(2);
      // The reply was asked for again on the new connection, after the history replay.
      const second = s.sim.log.connections[1]!.clientEvents as Array<{ type: string }>;
      expect(second.map((e) => e.type).filter((t) => t !== 'input_audio_buffer.append')).toEqual([
        'session.update',
        'conversation.item.create',
        'response.create',
      ]);
      await expectAllAudioReceived(s, c);
      expect(c.finals('assistant')).toEqual([answer(FIRST)]);
    },
  },
  {
    fault: '10 MB message',
    outcome: 'recovers: surfaced as unknown_event, no error',
    run: async (s) => {
      s.sim.injectFault('realtime', { kind: 'huge', bytes: 10 * 1024 * 1024, afterMessages: 2 });
      const c = client(s);
      await expectUsable(c);
      expect(c.unknown).toEqual(['sim.huge']);
      expect(c.errors).toEqual([]);
    },
  },
  {
    fault: 'bad options',
    outcome: 'ConfigurationError naming the option, before any connection',
    run: async (s) => {
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ model: 'grok voice' }, 'model'],
        [{ voice: 'Bob' }, 'voice'],
        [{ turnDetection: { threshold: 2 } }, 'turnDetection.threshold'],
        [{ turnDetection: { silenceDurationMs: -1 } }, 'turnDetection.silenceDurationMs'],
        [{ turnDetection: { vad: true } }, 'turnDetection.vad'],
        [{ audioFormat: { type: 'pcm', sampleRate: 12345 } }, 'audioFormat.sampleRate'],
        [{ audioFormat: { type: 'opus' } }, 'audioFormat.type'],
        [{ modalities: ['video'] }, 'modalities'],
        [{ maxNumResults: 0 }, 'maxNumResults'],
        [{ baseURL: 'ftp://example.com' }, 'baseURL'],
        [{ handshakeTimeoutMs: 0 }, 'handshakeTimeoutMs'],
        [{ inputBatchMs: 5 }, 'inputBatchMs'],
        [{ connectOptions: { maxRetry: 1.5 } }, 'connectOptions.maxRetry'],
        [{ voices: 'Ara' }, 'voices'],
      ];
      for (const [options, option] of bad) {
        const error = thrownBy(
          () =>
            new XAIRealtime({ apiKey: SECRET_KEY, baseURL: s.sim.wsUrl, ...options } as XAIRealtimeConfig),
        );
        watch.record(error);
        expect(isConfigurationError(error), option).toBe(true);
        expect((error as ConfigurationError).option, option).toBe(option);
      }
      const saved = process.env.XAI_API_KEY;
      delete process.env.XAI_API_KEY;
      try {
        const error = thrownBy(() => new XAIRealtime({ baseURL: s.sim.wsUrl }));
        watch.record(error);
        expect(isConfigurationError(error)).toBe(true);
        expect((error as Error).message).toMatch(/XAI_API_KEY/);
      } finally {
        if (saved !== undefined) process.env.XAI_API_KEY = saved;
      }
      expect(s.sim.log.connections).toHaveLength(0);
      const c = client(s);
      await expectUsable(c);
    },
  },
];

describe('XAIRealtime × simulator faults', () => {
  defineMatrix('Realtime', cells, (cell) => scenario(watch, cell.simulator ?? {}, cell.run));

  it('scanned every error, event and log line for the key', () => {
    expect(watch.scanned).toBeGreaterThan(50);
    watch.assertClean();
  });
});
