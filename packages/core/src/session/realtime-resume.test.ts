import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { Agent } from '../chat/agent.js';
import { messageText } from '../chat/chat-context.js';
import { APIConnectionError, APIStatusError } from '../errors/errors.js';
import type { RealtimeMetrics, TurnMetrics } from '../metrics/types.js';
import { FakeRealtimeModel, type FakeRealtimeModelOptions } from '../testing/realtime/fake-realtime.js';
import { AgentSession } from './agent-session.js';
import type { AgentTranscriptEvent } from './events.js';
import {
  nextEvent,
  pushAll,
  type Recorded,
  recordEvents,
  silenceFrames,
  speechFrames,
  until,
} from './test-helpers.js';

const FIRST = 'Let me tell you a long story about the tower by the river.';
const RESUMED = 'Here is the story about the tower by the river again.';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

function setup(model: FakeRealtimeModelOptions = {}, output = new MemoryAudioOutput({ realtime: true })) {
  const realtime = new FakeRealtimeModel({
    hear: () => 'tell me a story',
    // The first reply is the one the drop cuts; the one asked for again says something else.
    replies: (input) => ({ text: input.replyIndex === 0 ? FIRST : RESUMED }),
    speed: 1,
    msPerWord: 40,
    ...model,
  });
  const session = new AgentSession({ realtime, output });
  const events = recordEvents(session);
  open.push(session, output);
  return { realtime, output, session, events };
}

const ofType = <E extends Recorded['event']>(events: Recorded[], name: E) =>
  events.filter((e) => e.event === name).map((e) => e.args[0]) as Array<
    Extract<Recorded, { event: E }>['args'][0]
  >;

describe('AgentSession (realtime): a reply cut by a dropped connection and asked for again', () => {
  it('is the same turn continuing: one record, not interrupted, the resumed reply in the history and transcripts', async () => {
    const { realtime, output, session, events } = setup();
    await session.start(new Agent({ instructions: 'Tell stories.' }));
    const turnDone = nextEvent(session, 'metrics', undefined, 5000);
    pushAll(session, [...speechFrames(300), ...silenceFrames(300)]);
    await nextEvent(session, 'agent_state_changed', (e) => e.newState === 'speaking');
    await until(() => output.playedMs >= 120, 'a few words of the first reply to play');
    const reconnected = realtime.waitFor('reconnected', { timeoutMs: 3000 });
    realtime.simulateDrop(new APIConnectionError('socket closed'));
    const [reconnect] = await reconnected;
    expect(reconnect.resumedReply).toBe(true);
    const [turn] = (await turnDone) as [TurnMetrics];

    // One record for the turn, not interrupted; the model's own records say what happened.
    const replies = ofType(events, 'component_metrics') as RealtimeMetrics[];
    expect(replies.map((r) => [r.interrupted, r.interruptionReason])).toEqual([
      [true, 'connection_lost'],
      [false, undefined],
    ]);
    expect(turn).toMatchObject({ mode: 'realtime', interrupted: false });
    expect(turn.endOfSpeechToFirstAudioMs).toBeTypeOf('number');
    expect(turn.usage?.totalTokens).toBe(
      (replies[0]?.usage?.totalTokens ?? 0) + (replies[1]?.usage?.totalTokens ?? 0),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ofType(events, 'metrics')).toHaveLength(1);

    // Transcripts: the resumed reply continues under the cut reply's speech id; one final, whole.
    const transcripts = ofType(events, 'agent_transcript') as AgentTranscriptEvent[];
    expect(new Set(transcripts.map((t) => t.speechId)).size).toBe(1);
    expect(transcripts.some((t) => !t.final && FIRST.startsWith(t.text.trim()))).toBe(true);
    expect(transcripts.filter((t) => t.final)).toEqual([
      { text: RESUMED, final: true, interrupted: false, speechId: transcripts[0]!.speechId },
    ]);

    // The history keeps what was heard of the cut reply (marked interrupted), then the resumed reply.
    const items = session.chatContext.items.flatMap((i) =>
      i.type === 'message' ? [[i.role, messageText(i), i.interrupted ?? false]] : [],
    );
    expect(items[0]).toEqual(['user', 'tell me a story', false]);
    expect(items[1]?.[0]).toBe('assistant');
    expect(items[1]?.[2]).toBe(true);
    expect(FIRST.startsWith(String(items[1]?.[1]))).toBe(true);
    expect(items[2]).toEqual(['assistant', RESUMED, false]);

    // The agent kept working on the turn: no "listening" between the cut and the resumed reply.
    const states = ofType(events, 'agent_state_changed').map((e) => e.newState);
    expect(states).toEqual(['thinking', 'speaking', 'thinking', 'speaking', 'listening']);
  });

  it('generateReply() waits for the resumed reply (cut before any audio) and resolves with it', async () => {
    const { realtime, session, events } = setup({ replyDelayMs: 150 });
    await session.start(new Agent({ instructions: 'Tell stories.' }));
    const reply = session.generateReply({ userInput: 'tell me a story' });
    await until(() => realtime.sent.some((s) => s.type === 'create_response'), 'the request');
    await new Promise((resolve) => setTimeout(resolve, 30)); // created, no audio yet
    realtime.simulateDrop(new APIConnectionError('socket closed'));
    expect(await reply).toEqual({ interrupted: false, text: RESUMED });
    const turns = ofType(events, 'metrics') as TurnMetrics[];
    expect(turns).toHaveLength(1);
    expect(turns[0]?.interrupted).toBe(false);
    // First audio came from the resumed reply: after the drop, the reconnect and its think time
    // (the cut reply's would have come at 150 ms). Timers fire on a 1 ms grid, so allow 1 ms each.
    expect(turns[0]?.endOfSpeechToFirstAudioMs).toBeGreaterThanOrEqual(150 + 30 - 2);
    expect(ofType(events, 'agent_transcript').filter((t) => t.final)).toHaveLength(1);
    expect(realtime.sent.filter((s) => s.type === 'create_response')).toHaveLength(2);
  });

  it('a cut reply that is not asked for again (reconnecting failed for good) ends its turn as interrupted', async () => {
    const { realtime, session, events } = setup({ replyDelayMs: 150 });
    await session.start(new Agent({ instructions: 'Tell stories.' }));
    const reply = session.generateReply({ userInput: 'tell me a story' });
    await until(() => realtime.sent.some((s) => s.type === 'create_response'), 'the request');
    await new Promise((resolve) => setTimeout(resolve, 30));
    realtime.failNextConnects(new APIStatusError('refused', { status: 401 }));
    realtime.simulateDrop(new APIConnectionError('socket closed'));
    const result = await reply;
    expect(result.error?.message).toMatch(/refused/);
    await until(() => ofType(events, 'metrics').length > 0, 'the turn record');
    const turns = ofType(events, 'metrics') as TurnMetrics[];
    expect(turns).toHaveLength(1);
    expect(turns[0]?.interrupted).toBe(true);
    expect(ofType(events, 'agent_state_changed').at(-1)?.newState).toBe('listening');
  });
});
