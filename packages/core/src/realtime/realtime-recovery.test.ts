import { createAudioFrame } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { functionTool } from '../chat/function-tool.js';
import {
  APIConnectionError,
  type APIError,
  isAPITimeoutError,
  isConfigurationError,
} from '../errors/errors.js';
import type { RealtimeMetrics } from '../metrics/types.js';
import {
  FakeRealtimeModel,
  type FakeRealtimeModelOptions,
  type FakeRealtimeSent,
} from '../testing/realtime/fake-realtime.js';
import type {
  RealtimeAgentSpeechEndedEvent,
  RealtimeEvents,
  RealtimeInputDroppedEvent,
  RealtimeReconnectedEvent,
  RealtimeTranscription,
} from './events.js';
import type { RealtimeResponseRequest } from './reply-tracker.js';

const RATE = 24_000;
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Recorder {
  transcripts: RealtimeTranscription[];
  ended: RealtimeAgentSpeechEndedEvent[];
  metrics: RealtimeMetrics[];
  reconnects: RealtimeReconnectedEvent[];
  errors: APIError[];
  dropped: RealtimeInputDroppedEvent[];
  finals(role: 'user' | 'assistant'): string[];
}

function record(model: FakeRealtimeModel): Recorder {
  const r: Recorder = {
    transcripts: [],
    ended: [],
    metrics: [],
    reconnects: [],
    errors: [],
    dropped: [],
    finals: (role) => r.transcripts.filter((t) => t.role === role && t.final).map((t) => t.text),
  };
  model.on('transcription', (t) => r.transcripts.push(t));
  model.on('agent_speech_ended', (e) => r.ended.push(e));
  model.on('metrics', (m) => r.metrics.push(m));
  model.on('reconnected', (e) => r.reconnects.push(e));
  model.on('error', (e) => r.errors.push(e));
  model.on('input_dropped', (e) => r.dropped.push(e));
  return r;
}

function make(options: FakeRealtimeModelOptions = {}): { model: FakeRealtimeModel; rec: Recorder } {
  const model = new FakeRealtimeModel({ output: output(), ...options });
  open.push(model);
  return { model, rec: record(model) };
}

function output(): MemoryAudioOutput {
  const out = new MemoryAudioOutput();
  open.push(out);
  return out;
}

function until(model: FakeRealtimeModel, event: keyof RealtimeEvents, timeoutMs = 3000): Promise<unknown[]> {
  return model.waitFor(event, { timeoutMs }) as Promise<unknown[]>;
}

async function poll(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** What the model sent after the last history restore. */
function afterRestore(model: FakeRealtimeModel): FakeRealtimeSent[] {
  const at = model.sent.map((s) => s.type).lastIndexOf('restore');
  return at < 0 ? [] : model.sent.slice(at + 1);
}

/** Mono 24 kHz frames of 20 ms: a loud tone for `toneMs`, then `silenceMs` of silence. */
function frames(toneMs: number, silenceMs = 0): ReturnType<typeof createAudioFrame>[] {
  const out = [];
  const size = RATE / 50;
  for (let at = 0; at < ((toneMs + silenceMs) * RATE) / 1000; at += size) {
    const data = new Int16Array(size);
    if (at < (toneMs * RATE) / 1000) {
      for (let i = 0; i < size; i++)
        data[i] = Math.round(8000 * Math.sin((2 * Math.PI * 300 * (at + i)) / RATE));
    }
    out.push(createAudioFrame(data, RATE));
  }
  return out;
}

const LONG = 'one two three four five six seven eight nine ten';

describe('RealtimeModel: a reply cut by a dropped connection', () => {
  it('plays what arrived, is marked interrupted everywhere, and is asked for again after the reconnect', async () => {
    const { model, rec } = make({ speed: 1, replies: [{ text: LONG }, { text: 'The whole answer.' }] });
    await model.connect();
    model.sendText('hi');
    await until(model, 'agent_speech_started');
    await sleep(300);
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('socket closed'));

    // The cut reply's speech ends as cut, once the audio that arrived has played.
    await poll(() => rec.ended.length === 1, 'the cut speech to end');
    expect(rec.ended[0]).toMatchObject({ interrupted: true, reason: 'connection_lost' });
    expect(rec.ended[0]!.playedMs).toBeGreaterThan(100);
    expect(rec.ended[0]!.playedMs).toBeLessThan(1200);
    expect(rec.metrics).toHaveLength(1);
    expect(rec.metrics[0]!.interrupted).toBe(true);
    const cut = model.history.find((e) => e.type === 'message' && e.role === 'assistant');
    expect(cut?.type === 'message' && cut.interrupted).toBe(true);
    const heard = cut?.type === 'message' ? cut.text : '';
    expect(heard.length).toBeGreaterThan(0);
    expect(LONG.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(LONG.length);
    // No final transcription presents the partial reply as a complete one.
    expect(rec.finals('assistant')).toEqual([]);

    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info).toMatchObject({ attempts: 1, replayedItems: 2, resumedReply: true, replayedInputMs: 0 });
    const restore = model.sent.findLast((s) => s.type === 'restore');
    expect(restore?.type === 'restore' && restore.entries.map((e) => e.type === 'message' && e.text)).toEqual(
      ['hi', heard],
    );
    expect(afterRestore(model)).toEqual([{ type: 'create_response' }]);

    await poll(() => rec.finals('assistant').length === 1, 'the resumed reply');
    expect(rec.finals('assistant')).toEqual(['The whole answer.']);
    await poll(() => rec.ended.length === 2, 'the resumed speech to end');
    expect(rec.ended[1]).toMatchObject({ interrupted: false });
    expect(rec.ended[1]!.reason).toBeUndefined();
    expect(rec.errors).toEqual([]);
    expect(
      model.history.map((e) => (e.type === 'message' ? [e.role, e.text, e.interrupted] : e.type)),
    ).toEqual([
      ['user', 'hi', false],
      ['assistant', heard, true],
      ['assistant', 'The whole answer.', false],
    ]);
  });

  it('a reply cut before any audio leaves no assistant entry and is asked for again with its instructions', async () => {
    const { model, rec } = make({ replies: [{ text: 'never heard' }, { text: 'Good morning.' }] });
    await model.connect();
    model.createResponse({ instructions: 'Say: good morning' });
    // Dropped before the server's events arrived (they are delivered asynchronously).
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('socket closed'));
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.resumedReply).toBe(true);
    expect(afterRestore(model)).toEqual([{ type: 'create_response', instructions: 'Say: good morning' }]);
    await poll(() => rec.finals('assistant').length === 1, 'the reply');
    expect(rec.finals('assistant')).toEqual(['never heard']);
    expect(rec.ended.map((e) => e.interrupted)).toEqual([false]);
  });

  it('the user taking the turn while reconnecting replaces the resume', async () => {
    const { model, rec } = make({ speed: 1, replies: [{ text: LONG }, { text: 'Answer to new.' }] });
    await model.connect();
    model.sendText('hi');
    await until(model, 'agent_speech_started');
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('socket closed'));
    model.sendText('new question');
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.resumedReply).toBe(false);
    expect(afterRestore(model).map((s) => s.type)).toEqual(['user_message', 'create_response']);
    await poll(() => rec.finals('assistant').length === 1, 'the reply');
    expect(rec.finals('assistant')).toEqual(['Answer to new.']);
  });

  it('interrupt() while reconnecting: nothing is asked for again', async () => {
    const { model } = make({ speed: 1, replies: [{ text: LONG }] });
    await model.connect();
    model.sendText('hi');
    await until(model, 'agent_speech_started');
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('socket closed'));
    model.interrupt();
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.resumedReply).toBe(false);
    expect(afterRestore(model)).toEqual([]);
  });

  it('a cut reply whose tool call is still running gets its one follow-up, not a second request', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const agent = new Agent({
      instructions: 'x',
      tools: [
        functionTool({
          name: 'wait',
          description: 'waits',
          execute: async () => {
            await gate;
            return 'done';
          },
        }),
      ],
    });
    const { model, rec } = make({
      speed: 1,
      replies: [{ toolCalls: [{ name: 'wait', arguments: {} }], text: LONG }, { text: 'Finished.' }],
    });
    model.setAgent(agent);
    await model.connect();
    model.sendText('go');
    await until(model, 'agent_speech_started');
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.resumedReply).toBe(false);
    expect(afterRestore(model)).toEqual([]);
    release();
    await poll(() => rec.finals('assistant').length === 1, 'the follow-up');
    expect(afterRestore(model).map((s) => s.type)).toEqual(['function_call_output', 'create_response']);
    expect(rec.finals('assistant')).toEqual(['Finished.']);
  });
});

describe('RealtimeModel: user audio across a dropped connection', () => {
  it('sends a turn the server had not acknowledged again, and the new server answers it', async () => {
    const { model, rec } = make({ hear: () => 'the open turn' });
    await model.connect();
    for (const frame of frames(320)) model.pushAudio(frame);
    await sleep(5); // speech_started arrives
    const sentBefore = model.sent.filter((s) => s.type === 'audio').reduce((n, s) => n + s.samples, 0);
    expect(sentBefore).toBe(7680); // 8 batches of 40 ms
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    // The whole turn (from its start: the fake has no prefix padding) went out again.
    expect(info.replayedInputMs).toBe(320);
    expect(info.resumedReply).toBe(false);
    const replayed = afterRestore(model);
    expect(replayed.every((s) => s.type === 'audio')).toBe(true);
    expect(replayed.reduce((n, s) => n + (s.type === 'audio' ? s.samples : 0), 0)).toBe(7680);
    for (const frame of frames(0, 400)) model.pushAudio(frame);
    await poll(() => rec.finals('assistant').length === 1, 'the reply');
    expect(rec.finals('user')).toEqual(['the open turn']);
    expect(rec.finals('assistant')).toEqual(['You said: the open turn']);
    expect(model.droppedInputMs).toBe(0);
    expect(rec.dropped).toEqual([]);
  });

  it('a transcribed turn is not sent again; a turn heard but not transcribed is, and the server answers it itself', async () => {
    const { model, rec } = make({ hear: (turn) => (turn === 0 ? 'first' : 'second') });
    await model.connect();
    for (const frame of frames(200, 400)) model.pushAudio(frame);
    await poll(() => rec.finals('assistant').length === 1, 'the first reply');
    // Silence only since the acknowledged turn: nothing to replay.
    let reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    let [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.replayedInputMs).toBe(0);
    expect(afterRestore(model).map((s) => s.type)).toEqual([]);

    // A whole turn went out, and the drop comes before any of the server's events about it.
    for (const frame of frames(200, 400)) model.pushAudio(frame);
    reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    [info] = (await reconnected) as [RealtimeReconnectedEvent];
    // speech_started had not been delivered either: the audio between turns is replayed from its
    // first sound, and the new server hears the turn and answers it.
    expect(info.replayedInputMs).toBe(600);
    await poll(() => rec.finals('assistant').length === 2, 'the second reply');
    expect(rec.finals('user')).toEqual(['first', 'second']);
    expect(rec.finals('assistant')).toEqual(['You said: first', 'You said: second']);
  });

  it('reports the oldest audio of a turn longer than maxReplayInputMs as dropped when a drop needs it', async () => {
    const { model, rec } = make({ maxReplayInputMs: 1000 });
    await model.connect();
    const tone = frames(1520); // 38 batches of 40 ms
    for (const frame of tone.slice(0, 10)) model.pushAudio(frame);
    await sleep(5); // speech_started: the turn is open from 0 ms
    for (const frame of tone.slice(10)) model.pushAudio(frame);
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.replayedInputMs).toBe(1000);
    expect(rec.dropped).toEqual([{ droppedMs: 520, reason: 'replay_limit' }]);
    expect(model.droppedInputMs).toBe(520);
  });

  it('audio dropped while not connected is reported once, when the connection is ready', async () => {
    const { model, rec } = make({ maxBufferedInputMs: 1000 });
    for (const frame of frames(0, 3000)) model.pushAudio(frame);
    expect(rec.dropped).toEqual([]);
    expect(model.droppedInputMs).toBeGreaterThanOrEqual(1960);
    await model.connect();
    expect(rec.dropped).toHaveLength(1);
    expect(rec.dropped[0]!.reason).toBe('buffer_full');
    expect(rec.dropped[0]!.droppedMs).toBe(model.droppedInputMs);
  });

  it('manual turns: the uncommitted audio and an unacknowledged commit are sent again in order', async () => {
    class SlowEars extends FakeRealtimeModel {
      deaf = true;
      protected override sendCommit(): void {
        // The first connection never transcribes the commit (the drop comes first).
        if (this.deaf) this.sent.push({ type: 'commit' });
        else super.sendCommit();
      }
    }
    const model = new SlowEars({ turnDetection: null, output: output(), hear: () => 'manual turn' });
    open.push(model);
    const rec = record(model);
    await model.connect();
    for (const frame of frames(200)) model.pushAudio(frame);
    model.commitAudio();
    model.createResponse(); // the drop comes before the server answers
    model.deaf = false;
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    const [info] = (await reconnected) as [RealtimeReconnectedEvent];
    expect(info.replayedInputMs).toBe(200);
    expect(info.resumedReply).toBe(true);
    expect(afterRestore(model).map((s) => s.type)).toEqual([
      'audio',
      'audio',
      'audio',
      'audio',
      'audio',
      'commit',
      'create_response',
    ]);
    await poll(() => rec.finals('assistant').length === 1, 'the reply');
    expect(rec.finals('user')).toEqual(['manual turn']);
  });
});

/** A fake whose server announces the first reply and then goes silent. */
class StallingFake extends FakeRealtimeModel {
  stalls = 1;
  protected override sendCreateResponse(request: RealtimeResponseRequest = {}): void {
    if (this.stalls > 0) {
      this.stalls--;
      this.sent.push({ type: 'create_response' });
      queueMicrotask(() => this.handleResponseCreated(`stalled_${this.stalls}`));
      return;
    }
    super.sendCreateResponse(request);
  }
}

describe('RealtimeModel: responseTimeoutMs', () => {
  it('a reply with no server event for responseTimeoutMs: one APITimeoutError, reconnect, the reply asked for again', async () => {
    const model = new StallingFake({ responseTimeoutMs: 200, output: output() });
    open.push(model);
    const rec = record(model);
    await model.connect();
    const started = performance.now();
    model.sendText('hello');
    await poll(() => rec.finals('assistant').length === 1, 'the resumed reply');
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1500);
    expect(rec.errors).toHaveLength(1);
    expect(isAPITimeoutError(rec.errors[0])).toBe(true);
    expect(rec.errors[0]!.message).toMatch(/responseTimeoutMs 200/);
    expect(rec.reconnects).toHaveLength(1);
    expect(rec.reconnects[0]!.resumedReply).toBe(true);
    expect(model.connectAttempts).toBe(2);
    expect(rec.finals('assistant')).toEqual(['You said: hello']);
    expect(rec.metrics.map((m) => m.interrupted)).toEqual([true, false]);
  });

  it('waits as long as events keep coming, and not at all when nothing is owed', async () => {
    const { model, rec } = make({ speed: 1, responseTimeoutMs: 150, replies: [{ text: LONG }] });
    await model.connect();
    model.sendText('go');
    await until(model, 'metrics', 5000); // a 1.2 s reply, one event every 20 ms
    await sleep(300); // idle: nothing owed
    expect(rec.errors).toEqual([]);
    expect(rec.reconnects).toEqual([]);
  });

  it('0 turns it off', async () => {
    const model = new StallingFake({ responseTimeoutMs: 0, output: output() });
    open.push(model);
    const rec = record(model);
    await model.connect();
    model.sendText('hello');
    await sleep(300);
    expect(rec.errors).toEqual([]);
    expect(model.connectAttempts).toBe(1);
  });

  it('bad values are ConfigurationErrors naming the option', () => {
    for (const [options, option] of [
      [{ responseTimeoutMs: 50 }, 'responseTimeoutMs'],
      [{ responseTimeoutMs: -1 }, 'responseTimeoutMs'],
      [{ responseTimeoutMs: Number.NaN }, 'responseTimeoutMs'],
      [{ maxReplayInputMs: 10 }, 'maxReplayInputMs'],
    ] as const) {
      let error: unknown;
      try {
        new FakeRealtimeModel(options as FakeRealtimeModelOptions);
      } catch (e) {
        error = e;
      }
      expect(isConfigurationError(error), option).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });
});

describe('RealtimeModel: per-reply instructions and the interrupted flag', () => {
  it('createResponse({instructions}) reaches the provider; a non-string is a TypeError', async () => {
    const { model } = make();
    await model.connect();
    model.createResponse({ instructions: 'Be brief.' });
    model.createResponse();
    expect(model.sent.filter((s) => s.type === 'create_response')).toEqual([
      { type: 'create_response', instructions: 'Be brief.' },
      { type: 'create_response' },
    ]);
    expect(() => model.createResponse({ instructions: 42 as unknown as string })).toThrow(TypeError);
  });

  it('final assistant transcriptions say whether the reply was cut', async () => {
    const { model, rec } = make({ speed: 1, replies: [{ text: 'short one' }, { text: LONG }] });
    await model.connect();
    model.sendText('a');
    await until(model, 'metrics');
    model.sendText('b');
    await until(model, 'agent_speech_started');
    await sleep(100);
    model.interrupt();
    const finals = rec.transcripts.filter((t) => t.role === 'assistant' && t.final);
    expect(finals.map((t) => t.interrupted)).toEqual([false, true]);
    expect(finals[0]!.text).toBe('short one');
    expect(LONG.startsWith(finals[1]!.text)).toBe(true);
    expect(rec.ended.map((e) => e.reason)).toEqual([undefined, 'interrupted']);
    // Interim and user transcriptions carry no flag.
    expect(
      rec.transcripts.filter((t) => !t.final || t.role === 'user').every((t) => t.interrupted === undefined),
    ).toBe(true);
  });
});
