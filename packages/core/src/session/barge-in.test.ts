import { describe, expect, it } from 'vitest';
import { ManualClock } from '../audio-io/clock.js';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { messageText } from '../chat/chat-context.js';
import { functionTool } from '../chat/function-tool.js';
import type { LLMMetrics, TurnMetrics } from '../metrics/types.js';
import { FakeLLM, type FakeLLMResponse } from '../testing/llm/fake-llm.js';
import { FakeSTT } from '../testing/stt/fake-stt.js';
import { FakeTTS } from '../testing/tts/fake-tts.js';
import { AgentSession } from './agent-session.js';
import type { SpeechHandle } from './speech-handle.js';
import type { AgentSessionOptions } from './options.js';
import { recordEvents, silenceFrames, speechFrames, until } from './test-helpers.js';

/**
 * FakeTTS speaks 5 ms per character: "Hello there." = 60 ms, the second sentence (39 characters)
 * 195 ms. The output is paced by a manual clock, so only `clock.advance` plays audio.
 */
const REPLY = [
  'Hello there. This is a long ',
  'second sentence for you. And ',
  'a ',
  'third ',
  'one ',
  'here.',
];

interface Setup {
  session?: Partial<AgentSessionOptions>;
  /** The LLM writes for ~500 ms and the TTS delivers sentence 2 over ~285 ms. */
  slow?: boolean;
  /** What the user says (FakeSTT script). */
  transcripts?: string[];
  responses?: FakeLLMResponse[];
}

function setup({ session: options = {}, slow = false, transcripts = [], responses }: Setup = {}) {
  const clock = new ManualClock();
  const stt = new FakeSTT({ transcripts });
  const llm = new FakeLLM({
    responses: responses ?? [{ text: REPLY, chunkDelayMs: slow ? 100 : 0 }, { text: 'Okay.' }],
  });
  const tts = new FakeTTS({ chunkIntervalMs: slow ? 15 : 2 });
  const output = new MemoryAudioOutput({ realtime: clock });
  const session = new AgentSession({
    stt,
    llm,
    tts,
    output,
    vad: { minSpeechMs: 40, minSilenceMs: 200 },
    minInterruptionSpeechMs: 100,
    ...options,
  });
  const events = recordEvents(session);
  return { clock, stt, llm, tts, output, session, events };
}

/** Pushes user speech frame by frame; returns after how many frames the output stopped (or -1). */
function speakUntilStopped(session: AgentSession, output: MemoryAudioOutput, frames: number): number {
  const speech = speechFrames(frames * 20);
  for (const [index, frame] of speech.entries()) {
    session.pushAudio(frame);
    if (!output.playing) return index + 1;
  }
  return -1;
}

describe('AgentSession barge-in', () => {
  it('stops playout within one frame, cancels LLM and TTS, and keeps only what was heard', async () => {
    const { clock, llm, tts, output, session, events } = setup({ slow: true });
    await session.start(new Agent({ instructions: 'x' }));
    const handle = session.generateReply({ userInput: 'Tell me something' });
    // Sentence 1 has fully arrived, sentence 2 is still arriving, the LLM is still writing.
    await until(() => output.receivedMs >= 100, 'agent audio');
    expect(llm.activeGenerations).toBe(1);
    clock.advance(100); // 60 ms of sentence 1 + 40 ms of sentence 2 played

    // The VAD reports speech after 40 ms; it lasts 100 ms after 5 frames of 20 ms.
    const stoppedAfter = speakUntilStopped(session, output, 10);
    expect(stoppedAfter).toBe(5);
    expect(output.segments[0]).toMatchObject({ interrupted: true, playedMs: 100 });

    const result = await handle;
    expect(result).toEqual({ interrupted: true, text: 'Hello there. This is' });
    expect(tts.clears).toBe(1);
    expect(llm.activeGenerations).toBe(0);
    const llmMetrics = events
      .filter((e) => e.event === 'component_metrics' && e.args[0]?.type === 'llm')
      .map((e) => e.args[0] as LLMMetrics);
    expect(llmMetrics.map((m) => m.cancelled)).toEqual([true]);
    const receivedAtCut = output.receivedMs;
    await new Promise((resolve) => setTimeout(resolve, 80)); // late TTS chunks must not play
    expect(output.receivedMs).toBe(receivedAtCut);
    expect(tts.utterances).toEqual(['Hello there.', 'This is a long second sentence for you.']);

    const items = session.chatContext.items.map((item) =>
      item.type === 'message'
        ? { role: item.role, text: messageText(item), interrupted: item.interrupted }
        : item,
    );
    expect(items).toEqual([
      { role: 'user', text: 'Tell me something', interrupted: false },
      { role: 'assistant', text: 'Hello there. This is', interrupted: true },
    ]);
    const final = events.find((e) => e.event === 'agent_transcript' && e.args[0]?.final);
    expect(final?.args[0]).toEqual({
      text: 'Hello there. This is',
      final: true,
      interrupted: true,
      speechId: handle.id,
    });
    const turn = events.find((e) => e.event === 'metrics')?.args[0] as TurnMetrics;
    expect(turn.interrupted).toBe(true);
    expect(session.userState).toBe('speaking');
    await session.close();
  });

  it('answers what the user said when cutting in', async () => {
    const { clock, output, session, tts } = setup({ transcripts: ['Wait, what about tomorrow'] });
    await session.start(new Agent({ instructions: 'x' }));
    const first = session.generateReply({ userInput: 'Weather today?' });
    await until(() => output.receivedMs >= 60, 'agent audio');
    clock.advance(60);
    // (Wrapped: a handle is thenable, so resolving a promise with it would wait for the speech.)
    const created = new Promise<{ handle: SpeechHandle }>((resolve) =>
      session.on('speech_created', (handle) => resolve({ handle })),
    );
    expect(speakUntilStopped(session, output, 20)).toBe(5);
    for (const frame of silenceFrames(600)) session.pushAudio(frame);
    const { handle: second } = await created;
    expect(second.request).toMatchObject({ userTurn: { text: 'Wait, what about tomorrow' } });
    await until(() => {
      clock.advance(50);
      return second.status === 'done';
    }, 'the second reply to play out');
    expect((await first).text).toBe('Hello there.');
    expect(tts.utterances.at(-1)).toBe('Okay.');
    expect(
      session.chatContext.items.map((i) =>
        i.type === 'message' ? [i.role, messageText(i), i.interrupted] : [],
      ),
    ).toEqual([
      ['user', 'Weather today?', false],
      ['assistant', 'Hello there.', true],
      ['user', 'Wait, what about tomorrow', false],
      ['assistant', 'Okay.', false],
    ]);
    await session.close();
  });

  it('cut off while a tool runs: the tool is abandoned, its call answered, the history cut', async () => {
    const { clock, output, session, events } = setup({
      responses: [{ text: 'Let me look that up for you.', toolCalls: [{ name: 'lookup', arguments: {} }] }],
    });
    let release!: () => void;
    const toolCanFinish = new Promise<void>((resolve) => {
      release = resolve;
    });
    let toolSignal: AbortSignal | undefined;
    const lookup = functionTool({
      name: 'lookup',
      description: 'A slow lookup that ignores cancellation.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      execute: async (_args, { signal }) => {
        toolSignal = signal;
        await toolCanFinish;
        return 'found';
      },
    });
    await session.start(new Agent({ instructions: 'x', tools: [lookup] }));
    const handle = session.generateReply({ userInput: 'Find it' });
    // 'Let me look that up for you.' is 28 characters: 140 ms of audio.
    await until(() => output.receivedMs >= 140 && toolSignal !== undefined, 'the first round');
    clock.advance(50);
    expect(speakUntilStopped(session, output, 10)).toBe(5);
    const result = await handle; // does not wait for the tool
    expect(result).toEqual({ interrupted: true, text: 'Let me' });
    expect(toolSignal?.aborted).toBe(true);
    const items = session.chatContext.items.map((item) =>
      item.type === 'message'
        ? [item.role, messageText(item), item.interrupted]
        : item.type === 'function_call'
          ? ['call', item.name]
          : ['output', JSON.parse(item.output).error ? 'error' : item.output, item.isError],
    );
    expect(items).toEqual([
      ['user', 'Find it', false],
      ['assistant', 'Let me', true],
      ['call', 'lookup'],
      ['output', 'error', true],
    ]);
    expect(events.filter((e) => e.event === 'function_executed')).toHaveLength(0);
    release();
    await session.close();
  });

  it('does not interrupt for speech shorter than minInterruptionSpeechMs', async () => {
    const { clock, output, session, events } = setup();
    await session.start(new Agent({ instructions: 'x' }));
    const handle = session.generateReply();
    await until(() => output.receivedMs >= 60, 'agent audio');
    clock.advance(30);
    // 80 ms of speech (the VAD reports it), then silence.
    expect(speakUntilStopped(session, output, 4)).toBe(-1);
    for (const frame of silenceFrames(400)) session.pushAudio(frame);
    expect(output.playing).toBe(true);
    expect(events.some((e) => e.event === 'user_state_changed' && e.args[0]?.newState === 'speaking')).toBe(
      true,
    );
    // Let the whole reply play out.
    await until(() => {
      clock.advance(50);
      return handle.status === 'done';
    }, 'the reply to play out');
    const result = await handle;
    expect(result.interrupted).toBe(false);
    expect(result.text).toBe('Hello there. This is a long second sentence for you. And a third one here.');
    expect(output.segments.map((s) => s.interrupted)).toEqual([false]);
    await session.close();
  });

  it('with allowInterruptions=false the agent talks over the user; interrupt() still stops it', async () => {
    const { clock, output, session, llm } = setup({ session: { allowInterruptions: false }, slow: true });
    await session.start(new Agent({ instructions: 'x' }));
    const handle = session.generateReply();
    await until(() => output.receivedMs >= 60, 'agent audio');
    clock.advance(20);
    expect(speakUntilStopped(session, output, 20)).toBe(-1);
    expect(handle.status).toBe('running');
    expect(llm.activeGenerations).toBe(1);
    handle.interrupt();
    expect(output.playing).toBe(false);
    const result = await handle;
    expect(result).toEqual({ interrupted: true, text: '' }); // 20 ms of "Hello there." is not a word
    await session.close();
  });

  it('a say() can refuse interruptions while replies in the same session allow them', async () => {
    const { clock, output, session } = setup();
    await session.start(new Agent({ instructions: 'x' }));
    const say = session.say('Please listen to this important notice.', { allowInterruptions: false });
    const reply = session.generateReply();
    await until(() => output.receivedMs >= 100, 'agent audio');
    clock.advance(50);
    // Long user speech: the say() keeps playing; the queued reply is dropped.
    expect(speakUntilStopped(session, output, 15)).toBe(-1);
    expect(reply.status).toBe('done');
    expect((await reply).interrupted).toBe(true);
    await until(() => {
      clock.advance(50);
      return say.status === 'done';
    }, 'the say() to play out');
    expect(await say).toEqual({ interrupted: false, text: 'Please listen to this important notice.' });
    await session.close();
  });
});
