import { createAudioFrame } from '@x/audio';
import {
  type APIError,
  isAPITimeoutError,
  type RealtimeAgentSpeechEndedEvent,
  type RealtimeMetrics,
  type RealtimeReconnectedEvent,
} from '@x/core';
import { type Simulator, startSimulator, synthesizeVoice } from '@x/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clientEventsOf,
  countServerMessages,
  type Harness,
  harness,
  recognize,
  sleep,
  until,
} from './test-support/helpers.js';

const RATE = 24_000;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function start(...args: Parameters<typeof harness>): Promise<Harness> {
  const h = await harness(...args);
  open.push(h);
  return h;
}

async function simulator(): Promise<Simulator> {
  const sim = await startSimulator();
  open.push(sim);
  return sim;
}

function finals(h: Harness, role: 'user' | 'assistant'): string[] {
  return h.events
    .filter((e) => e.name === 'transcription')
    .map((e) => e.args[0] as { role: string; final: boolean; text: string })
    .filter((t) => t.role === role && t.final)
    .map((t) => t.text);
}

function args<T>(h: Harness, name: string): T[] {
  return h.events.filter((e) => e.name === name).map((e) => e.args[0] as T);
}

/** Mono 24 kHz samples: `text` in the simulator's voice after 100 ms of silence, then `silenceMs`. */
function spoken(text: string, silenceMs: number): Int16Array {
  const voice = synthesizeVoice(text, RATE);
  const lead = RATE / 10;
  const out = new Int16Array(lead + voice.length + Math.round((silenceMs * RATE) / 1000));
  out.set(voice, lead);
  return out;
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Pads to whole 40 ms batches (so every pushed sample is sent without a commit). */
function padded(samples: Int16Array): Int16Array {
  return concat(samples, new Int16Array((960 - (samples.length % 960)) % 960));
}

/** Pushes 20 ms frames: all at once, or paced in real time. */
async function push(h: Harness, samples: Int16Array, realTime = false): Promise<number> {
  const started = performance.now();
  for (let at = 0, n = 0; at < samples.length; at += 480, n++) {
    if (realTime) {
      const wait = started + n * 20 - performance.now();
      if (wait > 1) await sleep(wait);
    }
    h.model.pushAudio(createAudioFrame(samples.slice(at, at + 480), RATE));
  }
  return samples.length;
}

function receivedSamples(sim: Simulator, connection: number): number {
  return (
    (sim.log.connections.filter((c) => c.endpoint === 'realtime')[connection]?.audioBytesReceived ?? 0) / 2
  );
}

describe('XAIRealtime recovers the conversation after a dropped connection', () => {
  it('a reply cut by the drop is marked interrupted, and asked for again on the new connection', async () => {
    const sim = await simulator();
    const question = 'tell me something long please';
    const messages = await countServerMessages(sim, [question]);
    sim.log.clear();
    const h = await start({}, { sim });
    // Inside the reply: after its first audio and a transcript word.
    sim.injectFault('realtime', { kind: 'drop', afterMessages: messages.firstAudioOfReply[0]! + 2 });
    await h.model.connect();
    h.model.sendText(question);
    const [info] = (await h.model.waitFor('reconnected', { timeoutMs: 5000 })) as [RealtimeReconnectedEvent];
    expect(info).toMatchObject({ attempts: 1, replayedItems: 2, replayedInputMs: 0, resumedReply: true });
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the resumed reply');
    const answer = `You said: ${question}.`;
    expect(finals(h, 'assistant')).toEqual([answer]);

    // The new connection got the history (the cut reply as far as it was heard), then response.create.
    const second = clientEventsOf(sim, 1);
    expect(second.map((e) => e.type)).toEqual([
      'session.update',
      'conversation.item.create',
      'conversation.item.create',
      'response.create',
    ]);
    const partial = (second[2]!.item as { content: Array<{ text: string }> }).content[0]!.text;
    expect(partial.length).toBeGreaterThan(0);
    expect(answer.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(answer.length);

    // Speech, metrics and history all say the first reply was cut.
    await until(() => args(h, 'agent_speech_ended').length === 2, 3000, 'the resumed speech to end');
    const ended = args<RealtimeAgentSpeechEndedEvent>(h, 'agent_speech_ended');
    expect(ended.map((e) => [e.interrupted, e.reason])).toEqual([
      [true, 'connection_lost'],
      [false, undefined],
    ]);
    await until(() => args(h, 'metrics').length === 2, 3000, 'the metrics');
    expect(args<RealtimeMetrics>(h, 'metrics').map((m) => m.interrupted)).toEqual([true, false]);
    expect(
      h.model.history.map((e) => (e.type === 'message' ? [e.role, e.text, e.interrupted] : e.type)),
    ).toEqual([
      ['user', question, false],
      ['assistant', partial, true],
      ['assistant', answer, false],
    ]);
    // What was heard: the cut start, then the whole answer.
    expect(recognize(h.output.segmentAudio(1))).toBe(answer);
    expect(args<APIError>(h, 'error')).toEqual([]);
  });

  it('a burst of audio in flight: the unacknowledged turns are sent again and both are answered', async () => {
    const sim = await simulator();
    const h = await start({}, { sim });
    // conversation.created, session.updated, speech_started, speech_stopped, committed: then the
    // socket dies while the server still reads the burst (before the first turn's transcript).
    sim.injectFault('realtime', { kind: 'drop', afterMessages: 5 });
    await h.model.connect();
    const samples = padded(concat(spoken('what time is it', 1000), spoken('second part', 600)));
    const pushed = await push(h, samples);
    const [info] = (await h.model.waitFor('reconnected', { timeoutMs: 5000 })) as [RealtimeReconnectedEvent];
    await until(() => finals(h, 'assistant').includes('You said: second part.'), 8000, 'the second reply');
    expect(finals(h, 'user')).toEqual(['what time is it', 'second part']);
    expect(finals(h, 'assistant')).toContain('You said: second part.');
    // No sample is missing: the new connection got everything from the first turn's start on
    // (everything here: the turn starts in the first 100 ms, within the prefix padding).
    await until(() => receivedSamples(sim, 1) >= info.replayedInputMs * 24, 2000, 'the replay to arrive');
    const first = receivedSamples(sim, 0);
    const second = receivedSamples(sim, 1);
    expect(info.replayedInputMs * 24).toBe(pushed);
    expect(second).toBe(pushed);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(pushed);
    expect(h.model.droppedInputMs).toBe(0);
    expect(info.resumedReply).toBe(false); // the server answers the replayed turns itself
    expect(args<APIError>(h, 'error')).toEqual([]);
  });

  it('manual turns: audio sent before the drop is sent again, so the committed turn is whole', async () => {
    const sim = await simulator();
    const h = await start({ turnDetection: null }, { sim });
    sim.injectFault('realtime', { kind: 'drop', afterMs: 300 });
    await h.model.connect();
    const pushed = await push(h, padded(spoken('manual mode works', 100)), true);
    await until(
      () => h.model.connectionState === 'ready' && receivedSamples(sim, 1) >= pushed,
      3000,
      'the audio',
    );
    h.model.commitAudio();
    h.model.createResponse();
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the reply');
    expect(finals(h, 'user')).toEqual(['manual mode works']);
    expect(finals(h, 'assistant')).toEqual(['You said: manual mode works.']);
    const [info] = args<RealtimeReconnectedEvent>(h, 'reconnected');
    expect(info!.replayedInputMs).toBeGreaterThan(200);
    // Nothing was acknowledged on the first connection: the second got every sample.
    expect(receivedSamples(sim, 1)).toBe(pushed);
    expect(receivedSamples(sim, 0)).toBeGreaterThan(0);
  });
});

describe('XAIRealtime responseTimeoutMs', () => {
  it('a server silent mid-reply: one APITimeoutError, a new connection, the reply asked for again', async () => {
    const sim = await simulator();
    const h = await start({ responseTimeoutMs: 500 }, { sim });
    // conversation.created, session.updated, the user item, response.created: then 3 s of nothing.
    sim.injectFault('realtime', { kind: 'stall', ms: 3000, afterMessages: 4 });
    await h.model.connect();
    const started = performance.now();
    h.model.sendText('are you there');
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the reply');
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(480);
    expect(ms).toBeLessThan(2500);
    expect(finals(h, 'assistant')).toEqual(['You said: are you there.']);
    const errors = args<APIError>(h, 'error');
    expect(errors).toHaveLength(1);
    expect(isAPITimeoutError(errors[0])).toBe(true);
    expect(errors[0]!.message).toMatch(/no event from the xai realtime server for \d+ ms/);
    expect(args<RealtimeReconnectedEvent>(h, 'reconnected')).toMatchObject([{ resumedReply: true }]);
    expect(clientEventsOf(sim, 1).map((e) => e.type)).toEqual([
      'session.update',
      'conversation.item.create',
      'response.create',
    ]);
    // The silent connection was closed by the client.
    await until(() => sim.log.connections[0]?.closedAt !== undefined, 2000, 'the stalled socket to close');
  });

  it('0 turns it off: the stall is ridden out on one connection', async () => {
    const sim = await simulator();
    const h = await start({ responseTimeoutMs: 0 }, { sim });
    sim.injectFault('realtime', { kind: 'stall', ms: 800, afterMessages: 4 });
    await h.model.connect();
    h.model.sendText('still there');
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the reply');
    expect(sim.log.connections).toHaveLength(1);
    expect(args(h, 'error')).toEqual([]);
  });
});

describe('XAIRealtime per-reply instructions', () => {
  it('createResponse({instructions}) sends response.instructions; the session instructions stay', async () => {
    const sim = await simulator();
    const h = await start({ instructions: 'Be a helpful agent.', modalities: ['audio'] }, { sim });
    await h.model.connect();
    h.model.createResponse({ instructions: 'Say: good morning to you' });
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the reply');
    expect(finals(h, 'assistant')).toEqual(['good morning to you']);
    expect(recognize(h.output.audio())).toBe('good morning to you');
    const create = clientEventsOf(sim).find((e) => e.type === 'response.create');
    expect(create).toEqual({
      type: 'response.create',
      response: { modalities: ['audio'], instructions: 'Say: good morning to you' },
    });
    expect(clientEventsOf(sim).filter((e) => e.type === 'session.update')).toHaveLength(1);
  });
});
