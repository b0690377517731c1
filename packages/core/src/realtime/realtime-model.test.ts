import { createAudioFrame } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { functionTool } from '../chat/function-tool.js';
import { APIConnectionError, APIStatusError } from '../errors/errors.js';
import type { RealtimeMetrics } from '../metrics/types.js';
import { FakeRealtimeModel, type FakeRealtimeModelOptions } from '../testing/realtime/fake-realtime.js';
import type { RealtimeEvents } from './events.js';

const RATE = 24_000;
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

function make(options: FakeRealtimeModelOptions = {}): {
  model: FakeRealtimeModel;
  events: string[];
  log: unknown[][];
} {
  const model = new FakeRealtimeModel(options);
  open.push(model);
  const events: string[] = [];
  const log: unknown[][] = [];
  for (const name of [
    'user_speech_started',
    'user_speech_ended',
    'agent_speech_started',
    'agent_speech_ended',
    'transcription',
    'function_executed',
    'text_output',
    'reconnected',
    'error',
    'metrics',
  ] as const) {
    model.on(name, ((...args: unknown[]) => {
      const first = args[0] as { role?: string; final?: boolean } | undefined;
      events.push(
        name === 'transcription'
          ? `transcription:${first?.role}:${first?.final ? 'final' : 'interim'}`
          : name,
      );
      log.push([name, ...args]);
    }) as RealtimeEvents[typeof name]);
  }
  return { model, events, log };
}

function output(options: ConstructorParameters<typeof MemoryAudioOutput>[0] = {}): MemoryAudioOutput {
  const out = new MemoryAudioOutput(options);
  open.push(out);
  return out;
}

/** 48 kHz stereo: a loud tone then silence, as a microphone would deliver it. */
function spokenFrames(toneMs = 200, silenceMs = 400): ReturnType<typeof createAudioFrame>[] {
  const rate = 48_000;
  const frames = [];
  const frameSamples = 960; // 20 ms
  const total = ((toneMs + silenceMs) * rate) / 1000;
  for (let at = 0; at < total; at += frameSamples) {
    const data = new Int16Array(frameSamples * 2);
    if (at < (toneMs * rate) / 1000) {
      for (let i = 0; i < frameSamples; i++) {
        const v = Math.round(8000 * Math.sin((2 * Math.PI * 300 * (at + i)) / rate));
        data[2 * i] = v;
        data[2 * i + 1] = v;
      }
    }
    frames.push(createAudioFrame(data, rate, 2));
  }
  return frames;
}

function until(model: FakeRealtimeModel, event: keyof RealtimeEvents, timeoutMs = 3000): Promise<unknown[]> {
  return model.waitFor(event, { timeoutMs }) as Promise<unknown[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RealtimeModel (through FakeRealtimeModel)', () => {
  it('runs a spoken turn: converts 48 kHz stereo input, plays the reply in order, emits events in order', async () => {
    const out = output();
    const { model, events } = make({ output: out, hear: () => 'hello there' });
    await model.connect();
    const done = until(model, 'metrics');
    for (const frame of spokenFrames()) model.pushAudio(frame);
    const [metrics] = (await done) as [RealtimeMetrics];
    await sleep(10);
    expect(events.filter((e) => !e.endsWith(':interim'))).toEqual([
      'user_speech_started',
      'user_speech_ended',
      'transcription:user:final',
      'agent_speech_started',
      'transcription:assistant:final',
      'agent_speech_ended',
      'metrics',
    ]);
    // Input reached the fake as 24 kHz mono: 600 ms of audio = 14 400 samples (minus the resampler tail held back).
    const sentSamples = model.sent
      .filter((s) => s.type === 'audio')
      .reduce((n, s) => n + (s.type === 'audio' ? s.samples : 0), 0);
    // (the last partial batch waits for more audio)
    expect(sentSamples).toBe(13_440);
    // Every batch but the last is 40 ms.
    expect(model.sent.find((s) => s.type === 'audio')).toEqual({ type: 'audio', samples: 960 });
    // "You said: hello there" = 4 words × 120 ms of tone.
    expect(out.receivedMs).toBeCloseTo(480, 0);
    expect(metrics.interrupted).toBe(false);
    expect(metrics.ttfbMs).not.toBeNull();
    expect(metrics.usage?.completionTokens).toBeGreaterThan(0);
    expect(model.history.map((e) => (e.type === 'message' ? `${e.role}:${e.text}` : e.type))).toEqual([
      'user:hello there',
      'assistant:You said: hello there',
    ]);
  });

  it('holds audio pushed before ready (bounded) and sends it in order once connected', async () => {
    const { model } = make({ turnDetection: null });
    model.pushAudio(createAudioFrame(new Int16Array(RATE), RATE)); // 1 s before connect
    model.commitAudio();
    model.createResponse();
    expect(model.sent).toEqual([]);
    await model.connect();
    expect(model.sent.map((s) => s.type)).toEqual([...Array(25).fill('audio'), 'commit', 'create_response']);
    expect(model.droppedInputMs).toBe(0);
  });

  it('drops the oldest audio beyond maxBufferedInputMs while not connected', async () => {
    const model = new (class extends FakeRealtimeModel {})({});
    open.push(model);
    // Default bound: 10 s. Push 12 s.
    for (let i = 0; i < 12; i++) model.pushAudio(createAudioFrame(new Int16Array(RATE), RATE));
    expect(model.droppedInputMs).toBeGreaterThanOrEqual(1960);
    expect(model.droppedInputMs).toBeLessThanOrEqual(2000);
  });

  it('manual turns: commitAudio + createResponse; ttfb is measured from the request', async () => {
    const { model, events } = make({ turnDetection: null, hear: () => 'manual words' });
    await model.connect();
    for (const frame of spokenFrames(100, 0)) model.pushAudio(frame);
    model.commitAudio();
    model.createResponse();
    const [metrics] = (await until(model, 'metrics')) as [RealtimeMetrics];
    expect(model.sent.at(-1)).toEqual({ type: 'create_response' });
    expect(model.sent.filter((s) => s.type === 'commit')).toHaveLength(1);
    expect(events).not.toContain('user_speech_started');
    expect(events).toContain('transcription:user:final');
    expect(metrics.ttfbMs).toBeGreaterThanOrEqual(0);
  });

  it('sendText adds a user message and asks for a reply without committing audio', async () => {
    const { model } = make();
    await model.connect();
    model.sendText('Hi');
    await until(model, 'metrics');
    expect(model.sent.map((s) => s.type)).toEqual(['user_message', 'create_response']);
    expect(() => model.sendText('  ')).toThrow(TypeError);
  });

  it('barge-in: user speech stops local playback at once, cancels the reply and cuts the history at what was heard', async () => {
    const out = output({ realtime: true });
    const { model, log } = make({
      output: out,
      speed: 1,
      serverCancelsOnSpeech: false,
      replies: [{ text: 'one two three four five six seven eight nine ten eleven twelve' }],
    });
    await model.connect();
    model.sendText('count please');
    await until(model, 'agent_speech_started');
    await sleep(400);
    const framesBefore = out.frames.length;
    const ended = until(model, 'agent_speech_ended');
    // The user starts talking over the agent.
    for (const frame of spokenFrames(60, 0)) model.pushAudio(frame);
    const [endedEvent] = (await ended) as [{ interrupted: boolean; playedMs: number }];
    expect(endedEvent.interrupted).toBe(true);
    expect(endedEvent.playedMs).toBeGreaterThan(250);
    expect(endedEvent.playedMs).toBeLessThan(1000);
    await sleep(150);
    // No frame after the interruption (the fake keeps no more audio coming either).
    expect(out.frames.length).toBeLessThanOrEqual(framesBefore + 1);
    expect(out.segments.at(-1)?.interrupted).toBe(true);
    expect(model.sent.some((s) => s.type === 'cancel_response')).toBe(true);
    const assistant = model.history.find((e) => e.type === 'message' && e.role === 'assistant');
    expect(assistant).toMatchObject({ interrupted: true, final: true });
    const heard = assistant?.type === 'message' ? assistant.text : '';
    expect(heard.length).toBeGreaterThan(0);
    expect('one two three four five six seven eight nine ten eleven twelve'.startsWith(heard)).toBe(true);
    expect(heard.split(' ').length).toBeLessThan(12);
    const metrics = log.filter((e) => e[0] === 'metrics').map((e) => e[1] as RealtimeMetrics);
    await sleep(20);
    expect(
      [...metrics, ...log.filter((e) => e[0] === 'metrics').map((e) => e[1] as RealtimeMetrics)].some(
        (m) => m.interrupted,
      ),
    ).toBe(true);
  });

  it('interrupt() without a reply in progress sends nothing', async () => {
    const { model } = make();
    await model.connect();
    model.interrupt();
    expect(model.sent).toEqual([]);
  });

  it('tool loop: several calls in one reply → all outputs, then exactly one response.create', async () => {
    const ran: string[] = [];
    const agent = new Agent({
      instructions: 'x',
      tools: [
        functionTool({
          name: 'slow',
          description: 'slow tool',
          parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
          execute: async (args: { n: number }) => {
            await sleep(30);
            ran.push(`slow:${args.n}`);
            return { n: args.n };
          },
        }),
        functionTool({
          name: 'boom',
          description: 'throws',
          execute: () => {
            throw new Error('kaput');
          },
        }),
      ],
    });
    const { model, log } = make({
      replies: [
        {
          toolCalls: [
            { name: 'slow', arguments: { n: 1 } },
            { name: 'slow', arguments: { n: 2 } },
            { name: 'boom', arguments: {} },
            { name: 'missing', arguments: {} },
            { name: 'slow', arguments: '{"n": "not a number"}' },
          ],
        },
        { text: 'All done.' },
      ],
    });
    model.setAgent(agent);
    await model.connect();
    model.sendText('go');
    await until(model, 'agent_speech_ended');
    const types = model.sent.map((s) => s.type);
    expect(types).toEqual([
      'user_message',
      'create_response',
      'function_call_output',
      'function_call_output',
      'function_call_output',
      'function_call_output',
      'function_call_output',
      'create_response',
    ]);
    expect(ran.sort()).toEqual(['slow:1', 'slow:2']);
    const executed = log
      .filter((e) => e[0] === 'function_executed')
      .map((e) => e[1] as { name: string; isError: boolean; output: string });
    expect(executed.map((e) => [e.name, e.isError])).toEqual(
      expect.arrayContaining([
        ['slow', false],
        ['slow', false],
        ['boom', true],
        ['missing', true],
        ['slow', true],
      ]),
    );
    expect(executed.find((e) => e.name === 'boom')?.output).toContain('kaput');
    expect(executed.find((e) => e.name === 'missing')?.output).toContain('Unknown tool');
    const entries = model.history.map((e) => e.type);
    expect(entries.filter((t) => t === 'function_call')).toHaveLength(5);
    expect(entries.filter((t) => t === 'function_call_output')).toHaveLength(5);
  });

  it('runs a call announced twice only once', async () => {
    let runs = 0;
    const agent = new Agent({
      instructions: 'x',
      tools: [functionTool({ name: 'once', description: 'd', execute: () => ++runs })],
    });
    class Twice extends FakeRealtimeModel {
      announce(): void {
        this.handleResponseCreated('r1');
        this.handleFunctionCall('r1', { callId: 'c1', name: 'once', arguments: '{}' });
        this.handleFunctionCall('r1', { callId: 'c1', name: 'once', arguments: '{}' });
        this.handleResponseDone('r1', { status: 'completed' });
      }
    }
    const model = new Twice({ replies: [{ text: 'ok' }] });
    open.push(model);
    model.setAgent(agent);
    await model.connect();
    model.announce();
    await model.waitFor('function_executed', { timeoutMs: 1000 });
    await sleep(20);
    expect(runs).toBe(1);
    expect(model.sent.filter((s) => s.type === 'function_call_output')).toHaveLength(1);
    expect(model.sent.filter((s) => s.type === 'create_response')).toHaveLength(1);
  });

  it('setAgent on a live session sends a session update', async () => {
    const { model } = make();
    await model.connect();
    model.setAgent(new Agent({ instructions: 'new' }));
    expect(model.sent).toEqual([{ type: 'session_update' }]);
    expect(model.agent?.instructions).toBe('new');
  });

  it('retries a retryable connect failure and gives up at once on a fatal one', async () => {
    const retry = make({ connectFailures: [new APIConnectionError('refused')] }).model;
    await retry.connect();
    expect(retry.connectAttempts).toBe(2);
    expect(retry.connectionState).toBe('ready');

    const fatal = make({ connectFailures: [new APIStatusError('bad key', { status: 401 })] }).model;
    await expect(fatal.connect()).rejects.toMatchObject({ status: 401 });
    expect(fatal.connectAttempts).toBe(1);
    expect(fatal.connectionState).toBe('idle');
  });

  it('reconnects after a drop, replays the history, and keeps working', async () => {
    const { model, events } = make();
    await model.connect();
    model.sendText('first');
    await until(model, 'metrics');
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('socket closed'));
    expect(model.connectionState).toBe('reconnecting');
    const secondReply = until(model, 'metrics');
    model.sendText('second'); // queued while reconnecting
    const [info] = (await reconnected) as [{ attempts: number; replayedItems: number }];
    // Replayed: the history before the drop; "second" (typed while down) goes out through the queue.
    expect(info.replayedItems).toBe(2);
    const restore = model.sent.find((s) => s.type === 'restore');
    expect(
      restore?.type === 'restore' && restore.entries.map((e) => (e.type === 'message' ? e.text : e.type)),
    ).toEqual(['first', 'You said: first']);
    await secondReply;
    expect(events).toContain('reconnected');
    const afterRestore = model.sent.slice(model.sent.indexOf(restore!) + 1).map((s) => s.type);
    expect(afterRestore).toEqual(['user_message', 'create_response']);
  });

  it('reports a reconnect that fails for good as an error and closes', async () => {
    const { model } = make();
    await model.connect();
    const failed = until(model, 'error');
    (model as unknown as { openConnection: () => Promise<void> }).openConnection = async () => {
      throw new APIStatusError('revoked', { status: 403 });
    };
    model.simulateDrop(new APIConnectionError('gone'));
    const [error] = (await failed) as [APIStatusError];
    expect(error.status).toBe(403);
    await sleep(0);
    expect(model.connectionState).toBe('closed');
  });

  it('text-only replies come out as text_output and enter the history', async () => {
    class Texting extends FakeRealtimeModel {
      reply(): void {
        this.handleResponseCreated('t1');
        this.handleTextDelta('t1', 'i1', 'Hello ');
        this.handleTextDelta('t1', 'i1', 'world');
        this.handleResponseDone('t1', { status: 'completed' });
      }
    }
    const model = new Texting();
    open.push(model);
    const texts: string[] = [];
    model.on('text_output', (text) => texts.push(text));
    await model.connect();
    model.reply();
    expect(texts).toEqual(['Hello world']);
    expect(model.history).toEqual([
      {
        type: 'message',
        role: 'assistant',
        itemId: 'i1',
        text: 'Hello world',
        final: true,
        interrupted: false,
      },
    ]);
  });

  it('without an output, agent speech still starts and ends and metrics are emitted', async () => {
    const { model, events } = make({ replies: [{ text: 'no speaker here' }] });
    await model.connect();
    model.sendText('hi');
    await until(model, 'metrics');
    expect(events.filter((e) => !e.endsWith(':interim'))).toEqual([
      'agent_speech_started',
      'transcription:assistant:final',
      'agent_speech_ended',
      'metrics',
    ]);
  });

  it('a tool result that arrives while reconnecting is sent after the replay, then the follow-up', async () => {
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
    const { model } = make({
      replies: [{ toolCalls: [{ name: 'wait', arguments: {} }] }, { text: 'Finished.' }],
    });
    model.setAgent(agent);
    await model.connect();
    model.sendText('go');
    await sleep(10);
    const reconnected = until(model, 'reconnected');
    model.simulateDrop(new APIConnectionError('gone'));
    await reconnected;
    const restore = model.sent.find((s) => s.type === 'restore');
    expect(restore?.type === 'restore' && restore.entries.map((e) => e.type)).toEqual([
      'message',
      'function_call',
    ]);
    const afterRestore = () => model.sent.slice(model.sent.indexOf(restore!) + 1).map((s) => s.type);
    expect(afterRestore()).toEqual([]);
    const followUp = until(model, 'transcription');
    release();
    await followUp;
    expect(afterRestore()).toEqual(['function_call_output', 'create_response']);
  });

  it('close() is idempotent, stops playback and rejects later connects', async () => {
    const out = output({ realtime: true });
    const { model, events } = make({ output: out, speed: 1, replies: [{ text: 'a b c d e f g h' }] });
    await model.connect();
    model.sendText('x');
    await until(model, 'agent_speech_started');
    await Promise.all([model.close(), model.close()]);
    expect(events).toContain('agent_speech_ended');
    expect(out.playing).toBe(false);
    await expect(model.connect()).rejects.toThrow(/closed/);
    model.pushAudio(createAudioFrame(new Int16Array(480), RATE));
    expect(model.connected).toBe(false);
  });

  describe('end of the user turn (ttfb anchor)', () => {
    /** Pushes `frames` one per 20 ms, as a microphone would; resolves with each frame's push time. */
    async function pushPaced(
      model: FakeRealtimeModel,
      frames: ReturnType<typeof createAudioFrame>[],
      onFrame?: (index: number) => void,
    ): Promise<number[]> {
      const times: number[] = [];
      const start = performance.now();
      for (let i = 0; i < frames.length; i++) {
        const due = start + 20 * (i + 1);
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        onFrame?.(i);
        times.push(performance.now());
        model.pushAudio(frames[i]!);
      }
      return times;
    }

    it('is when the end of speech was pushed, not when the server VAD said so after its silence', async () => {
      const { model } = make({ silenceMs: 200 });
      await model.connect();
      let endedAt: number | undefined;
      let endedArrival = 0;
      model.on('user_speech_ended', (event) => {
        endedAt = event.endedAtMs;
        endedArrival = performance.now();
      });
      const done = until(model, 'metrics', 5000);
      // 200 ms of speech (10 frames), then silence.
      const pushedAt = await pushPaced(model, spokenFrames(200, 400));
      const [metrics] = (await done) as [RealtimeMetrics];
      const lastSpeechPush = pushedAt[9]!;
      expect(endedAt).toBeDefined();
      // The fake's VAD counts the end at the last loud batch: within one 40 ms batch of the last speech push.
      expect(Math.abs(endedAt! - lastSpeechPush)).toBeLessThanOrEqual(45);
      // The server said so only after 200 ms of silence had been pushed.
      expect(endedArrival - endedAt!).toBeGreaterThanOrEqual(150);
      // So the reply's ttfb holds that wait (the fake answers at once).
      expect(metrics.ttfbMs).toBeGreaterThanOrEqual(150);
      expect(metrics.ttfbMs).toBeLessThan(400);
    });

    it('survives a reconnect: a turn replayed on the new connection keeps its original push time', async () => {
      const { model } = make({ silenceMs: 200 });
      await model.connect();
      let endedAt: number | undefined;
      model.on('user_speech_ended', (event) => {
        endedAt = event.endedAtMs;
      });
      const reconnected = until(model, 'reconnected', 5000);
      const done = until(model, 'metrics', 5000);
      // The connection drops after the speech, before the VAD heard enough silence; the speech is replayed.
      const pushedAt = await pushPaced(model, spokenFrames(200, 500), (i) => {
        if (i === 13) model.simulateDrop(new APIConnectionError('socket closed'));
      });
      await reconnected;
      const [metrics] = (await done) as [RealtimeMetrics];
      expect(model.connectAttempts).toBe(2);
      expect(Math.abs(endedAt! - pushedAt[9]!)).toBeLessThanOrEqual(45);
      expect(metrics.ttfbMs).toBeGreaterThanOrEqual(150);
    });

    it('manual turns: the commit', async () => {
      const { model } = make({ turnDetection: null });
      await model.connect();
      const done = until(model, 'metrics');
      for (const frame of spokenFrames(200, 0)) model.pushAudio(frame);
      await sleep(100);
      model.commitAudio();
      model.createResponse();
      const [metrics] = (await done) as [RealtimeMetrics];
      expect(metrics.ttfbMs).toBeLessThan(50);
    });
  });
});
