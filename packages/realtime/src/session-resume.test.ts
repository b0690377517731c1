import { Agent, AgentSession, type AgentTranscriptEvent, type TurnMetrics } from '@x/core';
import { type Simulator, startSimulator } from '@x/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { countServerMessages, harness } from './test-support/helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

describe('AgentSession on XAIRealtime: a reply cut by a dropped socket', () => {
  it('is resumed as the same turn: one turn record, not interrupted, the whole reply as the result', async () => {
    const sim: Simulator = await startSimulator();
    open.push(sim);
    const question = 'tell me something long please';
    const messages = await countServerMessages(sim, [question]);
    sim.log.clear();
    const h = await harness({}, { sim });
    open.push(h);
    const session = new AgentSession({ realtime: h.model, output: h.output });
    open.push(session);
    const turns: TurnMetrics[] = [];
    const transcripts: AgentTranscriptEvent[] = [];
    session.on('metrics', (m) => turns.push(m));
    session.on('agent_transcript', (t) => transcripts.push(t));
    // Inside the reply: after its first audio and a transcript word.
    sim.injectFault('realtime', { kind: 'drop', afterMessages: messages.firstAudioOfReply[0]! + 2 });
    await session.start(new Agent({ instructions: 'Answer.' }));

    const result = await session.generateReply({ userInput: question });

    const answer = `You said: ${question}.`;
    expect(result).toEqual({ interrupted: false, text: answer });
    expect(sim.log.connections.filter((c) => c.endpoint === 'realtime')).toHaveLength(2);
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ mode: 'realtime', interrupted: false });
    expect(transcripts.filter((t) => t.final)).toEqual([
      { text: answer, final: true, interrupted: false, speechId: transcripts[0]!.speechId },
    ]);
    expect(new Set(transcripts.map((t) => t.speechId)).size).toBe(1);
    const assistant = session.chatContext.items.filter((i) => i.type === 'message' && i.role === 'assistant');
    expect(assistant.at(-1)).toMatchObject({ content: answer });
  });
});
