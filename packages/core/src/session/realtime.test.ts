import { describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { messageText } from '../chat/chat-context.js';
import { functionTool } from '../chat/function-tool.js';
import { isConfigurationError } from '../errors/errors.js';
import type { RealtimeMetrics, TurnMetrics } from '../metrics/types.js';
import { FakeLLM } from '../testing/llm/fake-llm.js';
import { FakeRealtimeModel, type FakeRealtimeModelOptions } from '../testing/realtime/fake-realtime.js';
import { FakeSTT } from '../testing/stt/fake-stt.js';
import { FakeTTS } from '../testing/tts/fake-tts.js';
import { AgentSession } from './agent-session.js';
import type { AgentSessionOptions } from './options.js';
import {
  nextEvent,
  pushAll,
  type Recorded,
  recordEvents,
  silenceFrames,
  speechFrames,
  until,
} from './test-helpers.js';

const REPLY = 'It is noon. Have a nice lunch.';

function setup(model: FakeRealtimeModelOptions = {}, options: Partial<AgentSessionOptions> = {}) {
  const realtime = new FakeRealtimeModel({
    hear: () => 'what time is it',
    replies: [{ text: REPLY }],
    ...model,
  });
  const output = (options.output as MemoryAudioOutput | undefined) ?? new MemoryAudioOutput();
  const session = new AgentSession({ realtime, output, ...options });
  const events = recordEvents(session);
  return { realtime, output, session, events };
}

const finals = (events: Recorded[], name: 'user_transcript' | 'agent_transcript') =>
  events.filter((e) => e.event === name && e.args[0]?.final).map((e) => e.args[0]);

describe('AgentSession (realtime)', () => {
  it('runs a spoken turn with the same transcript, state and metrics events as cascaded mode', async () => {
    const { realtime, output, session, events } = setup();
    await session.start(new Agent({ instructions: 'Tell the time.' }));
    expect(realtime.output).toBe(output);
    const metricsEvent = nextEvent(session, 'metrics');
    pushAll(session, [...speechFrames(400), ...silenceFrames(300)]);
    const [metrics] = await metricsEvent;

    expect(finals(events, 'user_transcript')).toEqual([{ text: 'what time is it', final: true }]);
    expect(finals(events, 'agent_transcript')).toEqual([
      { text: REPLY, final: true, interrupted: false, speechId: expect.any(String) },
    ]);
    const states = events
      .filter((e) => e.event === 'agent_state_changed' || e.event === 'user_state_changed')
      .map((e) => `${e.event === 'agent_state_changed' ? 'agent' : 'user'}:${e.args[0]?.newState}`);
    expect(states).toEqual([
      'user:speaking',
      'user:listening',
      'agent:thinking',
      'agent:speaking',
      'agent:listening',
    ]);
    expect(metrics).toMatchObject({
      type: 'turn',
      mode: 'realtime',
      interrupted: false,
      ttsCharacters: REPLY.length,
      sttLatencyMs: null,
      llmTtftMs: null,
      ttsTtfbMs: null,
    });
    expect(metrics.endOfSpeechToFirstAudioMs).toBeTypeOf('number');
    const component = events.find((e) => e.event === 'component_metrics')?.args[0] as RealtimeMetrics;
    expect(component.type).toBe('realtime');
    expect(metrics.usage).toEqual(component.usage);
    expect(output.receivedMs).toBeCloseTo(7 * 120, 0); // seven words of tone
    expect(
      session.chatContext.items.map((i) => (i.type === 'message' ? [i.role, messageText(i)] : [])),
    ).toEqual([
      ['user', 'what time is it'],
      ['assistant', REPLY],
    ]);
    // Same kinds of events as a cascaded turn (which also announces its reply with speech_created).
    const kinds = new Set(events.map((e) => e.event));
    expect(kinds).toEqual(
      new Set([
        'user_state_changed',
        'user_transcript',
        'agent_state_changed',
        'agent_transcript',
        'metrics',
        'component_metrics',
      ]),
    );
    await session.close();
    expect(realtime.connectionState).toBe('closed');
  });

  it('forwards tool calls and reports one turn for the call and its follow-up', async () => {
    const calls: string[] = [];
    const clockTool = functionTool<{ zone: string }, string>({
      name: 'get_time',
      description: 'The time.',
      parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
      execute: ({ zone }) => {
        calls.push(zone);
        return '12:00';
      },
    });
    const { session, events } = setup({
      replies: (input) =>
        input.toolOutputs.length > 0
          ? { text: 'It is twelve.' }
          : { toolCalls: [{ name: 'get_time', arguments: { zone: 'UTC' } }] },
    });
    await session.start(new Agent({ instructions: 'x', tools: [clockTool] }));
    const result = await session.generateReply({ userInput: 'What time is it?' });
    expect(result).toEqual({ interrupted: false, text: 'It is twelve.' });
    expect(calls).toEqual(['UTC']);
    expect(events.filter((e) => e.event === 'function_executed').map((e) => e.args[0])).toEqual([
      {
        name: 'get_time',
        callId: expect.any(String),
        arguments: '{"zone":"UTC"}',
        output: '"12:00"',
        isError: false,
      },
    ]);
    const turns = events.filter((e) => e.event === 'metrics').map((e) => e.args[0] as TurnMetrics);
    const replies = events
      .filter((e) => e.event === 'component_metrics')
      .map((e) => e.args[0] as RealtimeMetrics);
    expect(replies).toHaveLength(2);
    expect(turns).toHaveLength(1);
    expect(turns[0]?.usage?.totalTokens).toBe(
      (replies[0]?.usage?.totalTokens ?? 0) + (replies[1]?.usage?.totalTokens ?? 0),
    );
    expect(turns[0]?.endOfSpeechToFirstAudioMs).toBeTypeOf('number');
    await session.close();
  });

  it('records a barge-in cut by the model without cancelling twice', async () => {
    // Real-time playout: the model bounds what was heard by the time since playback started too.
    // The model sends its reply audio in real time too, so it is still generating when cut.
    const output = new MemoryAudioOutput({ realtime: true });
    const { realtime, session, events } = setup({ speed: 1 }, { output });
    await session.start(new Agent({ instructions: 'x' }));
    const reply = session.generateReply();
    await nextEvent(session, 'agent_state_changed', (e) => e.newState === 'speaking');
    await until(() => output.playedMs >= 250, 'two of the seven words to play');
    const interrupted = nextEvent(session, 'metrics');
    pushAll(session, speechFrames(100));
    const [metrics] = await interrupted;

    expect(output.segments[0]?.interrupted).toBe(true);
    expect(output.segments[0]?.playedMs).toBeGreaterThanOrEqual(250);
    // What was heard: a cut of the reply at a word boundary, the same in every record.
    const { text: heard, interrupted: cut } = await reply;
    expect(cut).toBe(true);
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(heard)).toBe(true);
    expect(REPLY[heard.length]).toBe(' ');
    expect(metrics.interrupted).toBe(true);
    expect(finals(events, 'agent_transcript').at(-1)).toEqual({
      text: heard,
      final: true,
      interrupted: true,
      speechId: expect.any(String),
    });
    // The server cancelled its reply on the user's speech (as xAI does); the session's handle did
    // not send another cancel.
    expect(realtime.sent.filter((s) => s.type === 'cancel_response')).toHaveLength(0);
    const assistant = session.chatContext.items.find((i) => i.type === 'message' && i.role === 'assistant');
    expect(assistant).toMatchObject({ content: heard, interrupted: true });
    await session.close();
  });

  it('say() speaks through the optional TTS; per-reply instructions are refused', async () => {
    const tts = new FakeTTS();
    const { session, output, events } = setup({}, { tts });
    await session.start(new Agent({ instructions: 'x' }));
    expect(await session.say('Welcome to the line.')).toEqual({
      interrupted: false,
      text: 'Welcome to the line.',
    });
    expect(tts.decode(output.segmentAudio(0))).toBe('Welcome to the line.');
    expect(events.find((e) => e.event === 'metrics')?.args[0]).toMatchObject({
      mode: 'realtime',
      ttsCharacters: 20,
      ttsTtfbMs: expect.any(Number),
    });
    let caught: unknown;
    try {
      session.generateReply({ instructions: 'be brief' });
    } catch (error) {
      caught = error;
    }
    expect(isConfigurationError(caught) && caught.option).toBe('instructions');
    await session.close();
    expect(tts.closed).toBe(true);

    const bare = setup();
    await bare.session.start(new Agent({ instructions: 'x' }));
    expect(() => bare.session.say('hi')).toThrow(/tts/);
    await bare.session.close();
  });

  it('a reply asked of a closed model ends with an error instead of waiting', async () => {
    const { realtime, session } = setup();
    await session.start(new Agent({ instructions: 'x' }));
    await realtime.close(); // e.g. it gave up reconnecting
    const result = await session.generateReply({ userInput: 'anyone there?' });
    expect(result).toMatchObject({ interrupted: false, text: '' });
    expect(result.error?.message).toMatch(/closed/);
    await session.close();
  });

  it('a cascaded session hands over its history format unchanged', async () => {
    // The realtime model's history and the cascaded history are both ChatContexts of the same items.
    const stt = new FakeSTT();
    const llm = new FakeLLM({ responses: [{ text: 'Fine.' }] });
    const tts = new FakeTTS();
    const cascaded = new AgentSession({ stt, llm, tts, output: new MemoryAudioOutput() });
    await cascaded.start(new Agent({ instructions: 'x' }));
    await cascaded.generateReply({ userInput: 'How are you?' });
    const { session } = setup({ replies: [{ text: 'Good.' }] });
    await session.start(new Agent({ instructions: 'x' }));
    await session.generateReply({ userInput: 'How are you?' });
    const shape = (s: AgentSession) =>
      s.chatContext.items.map((i) => (i.type === 'message' ? [i.role, i.interrupted] : [i.type]));
    expect(shape(session)).toEqual(shape(cascaded));
    await Promise.all([cascaded.close(), session.close()]);
  });

  it('end of speech → first audio starts when the user pushed the end of their speech, not at the VAD event', async () => {
    const { session } = setup({ silenceMs: 200 });
    await session.start(new Agent({ instructions: 'x' }));
    const turnDone = nextEvent(session, 'metrics', undefined, 5000);
    // A microphone: one 20 ms frame per 20 ms; 200 ms of speech, then silence.
    const frames = [...speechFrames(200), ...silenceFrames(400)];
    const start = performance.now();
    for (let i = 0; i < frames.length; i++) {
      const wait = start + 20 * (i + 1) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      session.pushAudio(frames[i]!);
    }
    const [turn] = await turnDone;
    // The fake's VAD says "stopped" after 200 ms of silence and answers at once: the user waited that long.
    expect(turn.endOfSpeechToFirstAudioMs).toBeGreaterThanOrEqual(150);
    expect(turn.endOfSpeechToFirstAudioMs).toBeLessThan(400);
    await session.close();
  });
});
