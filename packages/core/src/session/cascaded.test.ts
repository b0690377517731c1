import { describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { messageText } from '../chat/chat-context.js';
import { functionTool } from '../chat/function-tool.js';
import { APIError, APIStatusError } from '../errors/errors.js';
import type { LLMMetrics, TurnMetrics } from '../metrics/types.js';
import { FakeLLM, type FakeLLMOptions } from '../testing/llm/fake-llm.js';
import { FakeSTT } from '../testing/stt/fake-stt.js';
import { FakeTTS } from '../testing/tts/fake-tts.js';
import { AgentSession } from './agent-session.js';
import type { AgentSessionOptions } from './options.js';
import { nextEvent, pushAll, recordEvents, silenceFrames, speechFrames, until } from './test-helpers.js';

function setup(llmOptions: FakeLLMOptions, options: Partial<AgentSessionOptions> = {}) {
  const stt = new FakeSTT({ transcripts: ['What is the weather in Paris'] });
  const llm = new FakeLLM(llmOptions);
  const tts = new FakeTTS();
  const output = new MemoryAudioOutput();
  const session = new AgentSession({ stt, llm, tts, output, endOfTurnDelayMs: 0, ...options });
  const events = recordEvents(session);
  return { stt, llm, tts, output, session, events };
}

/** The conversation as [role or kind, text] pairs. */
function history(session: AgentSession): Array<[string, string]> {
  return session.chatContext.items.map((item) =>
    item.type === 'message'
      ? [`${item.role}${item.interrupted ? ' (interrupted)' : ''}`, messageText(item)]
      : item.type === 'function_call'
        ? ['call', `${item.name} ${item.arguments}`]
        : ['output', item.output],
  );
}

const weatherTool = (calls: string[]) =>
  functionTool<{ location: string }, { location: string; temperature_c: number }>({
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
      additionalProperties: false,
    },
    execute: ({ location }) => {
      calls.push(location);
      return { location, temperature_c: 21 };
    },
  });

describe('AgentSession (cascaded)', () => {
  it('runs a full turn: user audio → transcript → LLM → TTS audio at the output, with events in order', async () => {
    const { llm, tts, output, session, events } = setup({
      responses: [{ text: 'It is sunny in Paris. Enjoy your day!' }],
    });
    await session.start(new Agent({ instructions: 'You are a weather bot.' }));
    const metricsEvent = nextEvent(session, 'metrics');
    const backToListening = nextEvent(session, 'agent_state_changed', (e) => e.newState === 'listening');
    pushAll(session, [...speechFrames(600), ...silenceFrames(600)]);
    const [metrics] = await metricsEvent;
    await backToListening;

    // The reply's audio reached the output, sentence by sentence, in one segment.
    expect(tts.utterances).toEqual(['It is sunny in Paris.', 'Enjoy your day!']);
    expect(output.segments).toHaveLength(1);
    expect(tts.decode(output.audio())).toBe('It is sunny in Paris.Enjoy your day!');

    // The LLM saw the agent's instructions and the user's words.
    expect(llm.requests[0]?.ctx.toOpenAIMessages()).toEqual([
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: 'What is the weather in Paris' },
    ]);
    expect(history(session)).toEqual([
      ['user', 'What is the weather in Paris'],
      ['assistant', 'It is sunny in Paris. Enjoy your day!'],
    ]);

    // Events in order.
    const key = (e: (typeof events)[number]) => {
      const arg = e.args[0] as Record<string, unknown> | undefined;
      if (e.event === 'agent_state_changed' || e.event === 'user_state_changed') {
        return `${e.event}:${arg?.newState}`;
      }
      if (e.event === 'user_transcript' || e.event === 'agent_transcript') {
        return arg?.final ? `${e.event}:final` : `${e.event}:interim`;
      }
      return e.event;
    };
    const order = events.map(key).filter((k) => !k.endsWith(':interim') && k !== 'component_metrics');
    expect(order).toEqual([
      'user_state_changed:speaking',
      'user_state_changed:listening',
      'user_transcript:final',
      'speech_created',
      'agent_state_changed:thinking',
      'agent_state_changed:speaking',
      'agent_transcript:final',
      'metrics',
      'agent_state_changed:listening',
    ]);
    const finals = events.filter((e) => key(e).endsWith(':final')).map((e) => e.args[0]);
    expect(finals).toEqual([
      { text: 'What is the weather in Paris', final: true },
      {
        text: 'It is sunny in Paris. Enjoy your day!',
        final: true,
        interrupted: false,
        speechId: expect.any(String),
      },
    ]);
    const interims = events.filter((e) => key(e) === 'user_transcript:interim');
    expect(interims.length).toBeGreaterThan(0);

    // The turn record has every field set.
    expect(metrics).toMatchObject({ type: 'turn', mode: 'cascaded', interrupted: false, ttsCharacters: 36 });
    for (const field of ['sttLatencyMs', 'llmTtftMs', 'ttsTtfbMs', 'endOfSpeechToFirstAudioMs'] as const) {
      expect(metrics[field], field).toBeTypeOf('number');
      expect(metrics[field] as number, field).toBeGreaterThanOrEqual(0);
    }
    // The user's speech ended 600 ms of audio before the last frame was pushed.
    expect(metrics.endOfSpeechToFirstAudioMs).toBeGreaterThanOrEqual(590);
    expect(metrics.usage?.totalTokens).toBeGreaterThan(0);
    const components = events.filter((e) => e.event === 'component_metrics').map((e) => e.args[0]?.type);
    expect(new Set(components)).toEqual(new Set(['stt', 'llm', 'tts']));
    await session.close();
  });

  it('runs the tool loop: calls the tool, feeds the result back and speaks the answer', async () => {
    const calls: string[] = [];
    const { llm, tts, session, events } = setup({
      responses: [
        { text: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: { location: 'Paris' } }] },
        { text: 'It is 21 degrees in Paris.' },
      ],
    });
    await session.start(new Agent({ instructions: 'Use tools.', tools: [weatherTool(calls)] }));
    const result = await session.generateReply({ userInput: 'Weather in Paris?' });

    expect(calls).toEqual(['Paris']);
    expect(result).toEqual({ interrupted: false, text: 'Let me check. It is 21 degrees in Paris.' });
    const executed = events.filter((e) => e.event === 'function_executed').map((e) => e.args[0]);
    expect(executed).toEqual([
      {
        name: 'get_weather',
        callId: expect.any(String),
        arguments: '{"location":"Paris"}',
        output: '{"location":"Paris","temperature_c":21}',
        isError: false,
      },
    ]);
    expect(history(session)).toEqual([
      ['user', 'Weather in Paris?'],
      ['assistant', 'Let me check.'],
      ['call', 'get_weather {"location":"Paris"}'],
      ['output', '{"location":"Paris","temperature_c":21}'],
      ['assistant', 'It is 21 degrees in Paris.'],
    ]);
    // The second request carried the tool's output back to the model.
    const second = llm.requests[1]?.ctx.toOpenAIMessages();
    expect(second?.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: executed[0] && 'callId' in executed[0] ? executed[0].callId : '',
      content: '{"location":"Paris","temperature_c":21}',
    });
    expect(tts.utterances).toEqual(['Let me check.', 'It is 21 degrees in Paris.']);
    const [turn] = events.filter((e) => e.event === 'metrics').map((e) => e.args[0] as TurnMetrics);
    const llmMetrics = events
      .filter((e) => e.event === 'component_metrics' && e.args[0]?.type === 'llm')
      .map((e) => e.args[0] as LLMMetrics);
    expect(llmMetrics).toHaveLength(2);
    expect(turn?.llmTtftMs).toBe(llmMetrics[0]?.ttftMs);
    expect(turn?.usage?.totalTokens).toBe(
      (llmMetrics[0]?.usage?.totalTokens ?? 0) + (llmMetrics[1]?.usage?.totalTokens ?? 0),
    );
    await session.close();
  });

  it('stops a model that calls tools forever after maxToolRounds', async () => {
    const pings: number[] = [];
    const ping = functionTool({
      name: 'ping',
      description: 'Ping.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      execute: () => {
        pings.push(pings.length);
        return 'pong';
      },
    });
    const { llm, session, events } = setup(
      { respond: () => ({ toolCalls: [{ name: 'ping', arguments: {} }] }) },
      { maxToolRounds: 2 },
    );
    await session.start(new Agent({ instructions: 'x', tools: [ping] }));
    const result = await session.generateReply({ userInput: 'go' });
    expect(pings).toHaveLength(2);
    expect(llm.requests.map((r) => r.toolChoice)).toEqual([undefined, undefined, 'none']);
    expect(result.interrupted).toBe(false);
    const errors = events.filter((e) => e.event === 'error').map((e) => e.args[0]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: 'llm', recoverable: true });
    expect(String((errors[0] as { error: Error }).error.message)).toMatch(/maxToolRounds/);
    // Every call in the history has its output.
    const kinds = session.chatContext.items.map((i) => i.type);
    expect(kinds).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'function_call',
      'function_call_output',
    ]);
    await session.close();
  });

  it('streams sentences to the TTS while the LLM is still writing', async () => {
    const { llm, tts, output, session } = setup({
      responses: [
        {
          text: ['Hello there. ', 'This ', 'is ', 'the ', 'second ', 'sentence.'],
          chunkDelayMs: 40,
        },
      ],
    });
    await session.start(new Agent({ instructions: 'x' }));
    let atFirstAudio: { llmStreams: number; sent: string[] } | undefined;
    output.once('frame', () => {
      atFirstAudio = { llmStreams: llm.activeGenerations, sent: [...tts.utterances] };
    });
    const handle = session.generateReply();
    await handle;
    expect(atFirstAudio).toEqual({ llmStreams: 1, sent: ['Hello there.'] });
    expect(tts.utterances).toEqual(['Hello there.', 'This is the second sentence.']);
    await session.close();
  });

  it('reports a failing turn and keeps the session running', async () => {
    const failure = new APIError('model overloaded', { retryable: false });
    const { tts, session, events } = setup({
      responses: [{ error: failure }, { text: 'Back again.' }],
    });
    await session.start(new Agent({ instructions: 'x' }));
    const first = await session.generateReply({ userInput: 'one' });
    expect(first.error).toBe(failure);
    expect(first.interrupted).toBe(false);
    const errors = events.filter((e) => e.event === 'error').map((e) => e.args[0]);
    expect(errors).toEqual([{ error: failure, source: 'llm', recoverable: true }]);
    const second = await session.generateReply({ userInput: 'two' });
    expect(second).toEqual({ interrupted: false, text: 'Back again.' });
    expect(tts.utterances).toEqual(['Back again.']);
    expect(history(session)).toEqual([
      ['user', 'one'],
      ['user', 'two'],
      ['assistant', 'Back again.'],
    ]);
    await session.close();
  });

  it('reports a TTS failure as an error of the turn', async () => {
    const { tts, session, events } = setup({ responses: [{ text: 'This will not be heard well.' }] });
    tts.dropAfter(1);
    await session.start(new Agent({ instructions: 'x' }));
    const result = await session.generateReply();
    expect(result.error?.message).toMatch(/dropped/);
    expect(events.some((e) => e.event === 'error' && e.args[0]?.source === 'tts')).toBe(true);
    await session.close();
  });

  it('forwards an STT that stopped for good as an unrecoverable error; the agent can still speak', async () => {
    const refused = new APIStatusError('unauthorized', { status: 401 });
    const stt = new FakeSTT({ connectErrors: [refused] });
    const llm = new FakeLLM({ responses: [{ text: 'I cannot hear you.' }] });
    const tts = new FakeTTS();
    const session = new AgentSession({ stt, llm, tts, output: new MemoryAudioOutput() });
    const events = recordEvents(session);
    await session.start(new Agent({ instructions: 'x' }));
    pushAll(session, speechFrames(200));
    await until(() => stt.state === 'failed', 'the STT to fail');
    pushAll(session, speechFrames(200)); // no throw
    const errors = events.filter((e) => e.event === 'error').map((e) => e.args[0]);
    expect(errors).toEqual([{ error: refused, source: 'stt', recoverable: false }]);
    expect(await session.generateReply()).toEqual({ interrupted: false, text: 'I cannot hear you.' });
    await session.close();
  });

  it('waits endOfTurnDelayMs and joins speech that resumes within it into one turn', async () => {
    const stt = new FakeSTT({ transcripts: ['I want', 'a pizza'], endpointingMs: 200 });
    const llm = new FakeLLM();
    const tts = new FakeTTS();
    const output = new MemoryAudioOutput();
    // 300 ms of the pause have passed (audio clock) when the final transcript arrives; 300 are left.
    const session = new AgentSession({ stt, llm, tts, output, endOfTurnDelayMs: 600 });
    await session.start(new Agent({ instructions: 'x' }));
    const created = nextEvent(session, 'speech_created');
    // Two utterances 300 ms apart (of audio), pushed in real time around the pause.
    pushAll(session, [...speechFrames(300), ...silenceFrames(300)]);
    await nextEvent(session, 'user_transcript', (e) => e.final);
    await new Promise((resolve) => setTimeout(resolve, 50)); // within the delay
    pushAll(session, [...speechFrames(300), ...silenceFrames(300)]);
    const [handle] = await created;
    expect(handle.request).toMatchObject({ kind: 'reply', userTurn: { text: 'I want a pizza' } });
    await handle;
    expect(llm.requests).toHaveLength(1);
    expect(history(session)[0]).toEqual(['user', 'I want a pizza']);
    await session.close();
  });

  it('counts the silence before the final transcript towards endOfTurnDelayMs (no wait on top of the STT)', async () => {
    const stt = new FakeSTT({ transcripts: ['hello there'], endpointingMs: 200 });
    const session = new AgentSession({
      stt,
      llm: new FakeLLM(),
      tts: new FakeTTS(),
      output: new MemoryAudioOutput(),
      endOfTurnDelayMs: 250,
    });
    await session.start(new Agent({ instructions: 'x' }));
    const created = nextEvent(session, 'speech_created');
    // 400 ms of silence after the speech (audio clock) are in when the final transcript arrives.
    pushAll(session, [...speechFrames(300), ...silenceFrames(400)]);
    await nextEvent(session, 'user_transcript', (e) => e.final);
    const finalAt = performance.now();
    const [handle] = await created;
    expect(handle.request).toMatchObject({ kind: 'reply', userTurn: { text: 'hello there' } });
    // Waiting the whole delay after the final transcript took 250 ms (bound loose for a busy machine).
    expect(performance.now() - finalAt).toBeLessThan(200);
    await handle;
    await session.close();
  });
});
