import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../backend.js';
import type { PipelineMode } from '../session-factory.js';
import { FakePhone } from '../test-support/fake-phone.js';
import { heardReplies, words } from '../test-support/recognize.js';
import { delay, waitUntil } from '../util/wait-until.js';
import { type AgentServer, startAgentServer } from '../web/server.js';
import { PhoneCall } from './phone-call.js';

const QUESTION = "What's the weather in Paris?";
const BARGE_IN = 'Stop, I have heard enough';

interface CallRun {
  phone: FakePhone;
  call: PhoneCall;
  clearIndex: number;
}

/** Two phone calls at once (one per pipeline) on one server, against the simulator. */
describe('telephony media stream (Twilio protocol)', () => {
  let backend: Backend;
  let server: AgentServer;
  const calls: PhoneCall[] = [];
  const runs = new Map<PipelineMode, CallRun>();

  async function callAgent(mode: PipelineMode): Promise<CallRun> {
    const streamSid = `MZ${mode}`;
    const phone = await FakePhone.call(`${server.telephonyUrl}?mode=${mode}`, { streamSid, greeting: false });
    try {
      await delay(200);
      await phone.say(QUESTION);
      await waitUntil(() => phone.events.some((e) => e.type === 'media'), {
        timeoutMs: 10_000,
        label: `${mode}: the agent's answer`,
      });
      const firstAudioAt = phone.events.find((e) => e.type === 'media')!.atMs;
      await waitUntil(() => phone.elapsedMs >= firstAudioAt + 700, {
        timeoutMs: 5000,
        label: 'agent speech',
      });
      await phone.say(BARGE_IN);
      await waitUntil(() => phone.events.some((e) => e.type === 'clear'), {
        timeoutMs: 5000,
        label: `${mode}: clear after the barge-in`,
      });
      const call = calls.find((c) => c.streamSid === streamSid);
      if (!(call instanceof PhoneCall) || !call.log) throw new Error(`${mode}: no call on the server`);
      const log = call.log;
      await waitUntil(
        () =>
          log.agentState === 'listening' && log.agentLines.length >= 2 && !log.agentLines.at(-1)!.interrupted,
        { timeoutMs: 10_000, label: `${mode}: the answer to the barge-in` },
      );
      // The answer was fully sent; wait for it to be "played" (the last mark) before hanging up.
      await waitUntil(() => phone.events.at(-1)?.type === 'mark', {
        timeoutMs: 5000,
        label: 'the final mark',
      });
      return { phone, call, clearIndex: phone.events.findIndex((e) => e.type === 'clear') };
    } finally {
      await phone.hangUp();
    }
  }

  beforeAll(async () => {
    backend = await openBackend({ forceSimulator: true });
    server = await startAgentServer({
      backend,
      port: 0,
      host: '127.0.0.1',
      onCall: (call) => {
        if (call instanceof PhoneCall) calls.push(call);
      },
    });
    const [cascaded, realtime] = await Promise.all([callAgent('cascaded'), callAgent('realtime')]);
    runs.set('cascaded', cascaded);
    runs.set('realtime', realtime);
  }, 40_000);

  afterAll(async () => {
    await server?.close();
    await backend?.close();
  });

  it('ends each call when the phone hangs up', async () => {
    await waitUntil(() => server.activeCalls === 0, { timeoutMs: 3000, label: 'calls to end' });
    expect(calls).toHaveLength(2);
  });

  for (const mode of ['cascaded', 'realtime'] as const) {
    describe(mode, () => {
      it('hears the caller from 8 kHz µ-law media and calls the tool', () => {
        const { call, phone } = runs.get(mode)!;
        expect(phone.problems).toEqual([]);
        expect(call.log!.userLines).toEqual([QUESTION, BARGE_IN]);
        const tools = call.log!.toolCalls;
        expect(tools.map((t) => [t.name, JSON.parse(t.arguments)])).toEqual([
          ['get_weather', { city: 'Paris' }],
        ]);
      });

      it('answers with media messages whose audio says the agent transcript', () => {
        const { call, phone, clearIndex } = runs.get(mode)!;
        const [first, second] = call.log!.agentLines;
        // After the clear: the answer to the barge-in, whole.
        const after = heardReplies(phone.audio(clearIndex), 8000).map((r) => r.text);
        expect(after).toEqual([second!.text]);
        expect(second!.interrupted).toBe(false);
        // Before it: the weather answer, cut off. The audio sent may run ahead of what was played
        // (the phone buffers it); the transcript keeps what was heard: the same start of the reply.
        expect(first!.interrupted).toBe(true);
        const before = heardReplies(phone.audio(0, clearIndex), 8000).map((r) => r.text);
        expect(before).toHaveLength(1);
        const sent = words(before[0]!);
        const heard = words(first!.text);
        expect(heard.length).toBeGreaterThanOrEqual(1);
        expect(sent.length).toBeGreaterThanOrEqual(heard.length - 2);
        expect(sent.slice(0, heard.length - 1)).toEqual(heard.slice(0, heard.length - 1));
      });

      it('sends clear on barge-in, after the caller started talking over the agent', () => {
        const { phone, clearIndex } = runs.get(mode)!;
        const clears = phone.events.filter((e) => e.type === 'clear');
        expect(clears).toHaveLength(1);
        expect(phone.events.slice(0, clearIndex).some((e) => e.type === 'media')).toBe(true);
        expect(phone.events.slice(clearIndex).some((e) => e.type === 'media')).toBe(true);
      });

      it('marks the end of each answer and reads the marks echoed back', () => {
        const { phone, call } = runs.get(mode)!;
        const marks = phone.events.flatMap((e) => (e.type === 'mark' ? [e.name] : []));
        expect(marks.length).toBeGreaterThanOrEqual(1);
        expect(call.marksPlayed).toEqual(marks);
      });
    });
  }
});
