import { describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { messageText } from '../chat/chat-context.js';
import { isConfigurationError } from '../errors/errors.js';
import { FakeLLM } from '../testing/llm/fake-llm.js';
import { FakeRealtimeModel } from '../testing/realtime/fake-realtime.js';
import { FakeSTT } from '../testing/stt/fake-stt.js';
import { FakeTTS } from '../testing/tts/fake-tts.js';
import { AgentSession } from './agent-session.js';
import type { AgentSessionOptions } from './options.js';
import { recordEvents, speechFrames, until } from './test-helpers.js';

function components() {
  return {
    stt: new FakeSTT(),
    llm: new FakeLLM({ responses: [{ text: 'Hi, I am the reply.' }] }),
    tts: new FakeTTS(),
    output: new MemoryAudioOutput(),
  };
}

function configurationError(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    if (isConfigurationError(error)) return error.option;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('AgentSession speech API', () => {
  it('queues say() and generateReply() and plays them one at a time, in order', async () => {
    const { stt, llm, tts, output } = components();
    const session = new AgentSession({ stt, llm, tts, output });
    const events = recordEvents(session);
    await session.start(new Agent({ instructions: 'x' }));
    const first = session.say('First of all, welcome.');
    const second = session.generateReply({ userInput: 'hello' });
    const third = session.say('And finally, goodbye.', { addToChatContext: false });
    expect([first.status, second.status, third.status]).toEqual(['running', 'queued', 'queued']);
    expect(session.currentSpeech).toBe(first);

    expect(await third).toEqual({ interrupted: false, text: 'And finally, goodbye.' });
    expect(await first.done()).toEqual({ interrupted: false, text: 'First of all, welcome.' });
    expect((await second).text).toBe('Hi, I am the reply.');
    expect(tts.utterances).toEqual([
      'First of all, welcome.',
      'Hi, I am the reply.',
      'And finally, goodbye.',
    ]);
    expect(output.segments.map((_, i) => tts.decode(output.segmentAudio(i)))).toEqual(tts.utterances);
    expect(
      session.chatContext.items.map((i) => (i.type === 'message' ? [i.role, messageText(i)] : [])),
    ).toEqual([
      ['assistant', 'First of all, welcome.'],
      ['user', 'hello'],
      ['assistant', 'Hi, I am the reply.'],
    ]);
    const created = events.filter((e) => e.event === 'speech_created').map((e) => e.args[0]);
    expect(created).toEqual([first, second, third]);
    // say() has no LLM or user turn: those fields are empty, the TTS ones are set.
    const sayMetrics = events.find((e) => e.event === 'metrics')?.args[0];
    expect(sayMetrics).toMatchObject({
      turnId: first.id,
      sttLatencyMs: null,
      llmTtftMs: null,
      endOfSpeechToFirstAudioMs: null,
      ttsCharacters: 'First of all, welcome.'.length,
    });
    await session.close();
  });

  it('interrupting a queued speech skips it but keeps the user message in order', async () => {
    const { stt, llm, tts, output } = components();
    const session = new AgentSession({ stt, llm, tts, output });
    await session.start(new Agent({ instructions: 'x' }));
    const first = session.say('Speaking first here.');
    const reply = session.generateReply({ userInput: 'question' });
    const last = session.say('Speaking last here.');
    reply.interrupt();
    expect(await reply).toEqual({ interrupted: true, text: '' });
    await last;
    expect(first.status).toBe('done');
    expect(llm.requests).toHaveLength(0);
    expect(tts.utterances).toEqual(['Speaking first here.', 'Speaking last here.']);
    expect(session.chatContext.items.map((i) => (i.type === 'message' ? messageText(i) : ''))).toEqual([
      'Speaking first here.',
      'question',
      'Speaking last here.',
    ]);
    await session.close();
  });

  it('session.interrupt() stops the current speech and drops the queue', async () => {
    const { stt, tts } = components();
    const llm = new FakeLLM({ responses: [{ text: ['Slow ', 'reply ', 'here.'], chunkDelayMs: 100 }] });
    const output = new MemoryAudioOutput();
    const session = new AgentSession({ stt, llm, tts, output });
    await session.start(new Agent({ instructions: 'x' }));
    const reply = session.generateReply();
    const queued = session.say('Never said.');
    await until(() => llm.activeGenerations === 1, 'the LLM request');
    session.interrupt();
    expect(await reply).toMatchObject({ interrupted: true });
    expect(await queued).toEqual({ interrupted: true, text: '' });
    expect(llm.activeGenerations).toBe(0);
    expect(tts.utterances).toEqual([]);
    expect(session.agentState).toBe('listening');
    await session.close();
  });

  it('validates options and calls with typed errors', async () => {
    const { stt, llm, tts, output } = components();
    const options: AgentSessionOptions = { stt, llm, tts, output };
    expect(configurationError(() => new AgentSession({ stt, llm, output } as AgentSessionOptions))).toBe(
      'tts',
    );
    expect(configurationError(() => new AgentSession({ ...options, output: {} as never }))).toBe('output');
    expect(configurationError(() => new AgentSession({ ...options, minInterruptionSpeechMs: -1 }))).toBe(
      'minInterruptionSpeechMs',
    );
    expect(configurationError(() => new AgentSession({ ...options, maxToolRounds: 1.5 }))).toBe(
      'maxToolRounds',
    );
    expect(configurationError(() => new AgentSession({ ...options, endOfTurnDelayMs: Number.NaN }))).toBe(
      'endOfTurnDelayMs',
    );
    expect(configurationError(() => new AgentSession({ ...options, vad: { thresholdDbfs: 3 } }))).toBe('vad');
    const realtime = new FakeRealtimeModel();
    expect(configurationError(() => new AgentSession({ ...options, realtime }))).toBe('stt');
    expect(configurationError(() => new AgentSession({ realtime, output, allowInterruptions: false }))).toBe(
      'allowInterruptions',
    );

    const session = new AgentSession(options);
    expect(() => session.say('too early')).toThrow(/start/);
    await expect(session.start({} as Agent)).rejects.toMatchObject({ option: 'agent' });
    await session.start(new Agent({ instructions: 'x' }));
    await expect(session.start(new Agent({ instructions: 'x' }))).rejects.toThrow(/already/);
    expect(configurationError(() => session.say('  '))).toBe('text');
    expect(configurationError(() => session.say('hi', { allowInterruptions: 'no' as never }))).toBe(
      'allowInterruptions',
    );
    expect(configurationError(() => session.generateReply({ userInput: 3 as never }))).toBe('userInput');
    await session.close();
    expect(() => session.say('too late')).toThrow(/closed/);
    await realtime.close();
  });

  it('close() stops input, speech and components and leaves no listeners behind', async () => {
    const { stt, tts, output } = components();
    const llm = new FakeLLM({ responses: [{ text: ['Never ', 'finished.'], chunkDelayMs: 5000 }] });
    const session = new AgentSession({ stt, llm, tts, output });
    const events = recordEvents(session);
    let inputClosed = false;
    async function* microphone() {
      try {
        for (;;) {
          for (const frame of speechFrames(40)) yield frame;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        inputClosed = true;
      }
    }
    await session.start(new Agent({ instructions: 'x' }), { input: microphone() });
    const reply = session.generateReply();
    await until(() => stt.audioPushedMs > 0 && llm.activeGenerations === 1, 'input and the LLM request');
    await session.close();
    await session.close(); // idempotent

    expect(await reply).toMatchObject({ interrupted: true });
    await until(() => inputClosed, 'the input to be released');
    for (const event of ['transcript', 'speech_started', 'metrics', 'error'] as const) {
      expect(stt.listenerCount(event)).toBe(0);
    }
    expect(llm.listenerCount('metrics') + llm.listenerCount('error')).toBe(0);
    expect(tts.listenerCount('metrics') + tts.listenerCount('error')).toBe(0);
    expect(stt.state).toBe('closed');
    expect(tts.closed).toBe(true);
    expect(llm.activeGenerations).toBe(0);
    expect(events.at(-1)?.event).toBe('close');
    session.pushAudio(speechFrames(20)[0]!); // ignored
  });

  it('closeComponents: false leaves the components open for the caller', async () => {
    const { stt, llm, tts, output } = components();
    const session = new AgentSession({ stt, llm, tts, output, closeComponents: false });
    await session.start(new Agent({ instructions: 'x' }));
    await session.say('Just one thing.');
    await session.close();
    expect(tts.closed).toBe(false);
    expect(tts.listenerCount('metrics')).toBe(0);
    await tts.synthesize('still works', { output });
    expect(tts.utterances.at(-1)).toBe('still works');
    await Promise.all([stt.close(), llm.close(), tts.close()]);
  });
});
