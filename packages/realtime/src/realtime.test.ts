import { afterEach, describe, expect, it } from 'vitest';
import {
  clientEventsOf,
  type Harness,
  harness,
  recognize,
  spokenFrames,
  until,
} from './test-support/helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
async function start(...args: Parameters<typeof harness>): Promise<Harness> {
  const h = await harness(...args);
  open.push(h);
  return h;
}

describe('XAIRealtime against the simulator', () => {
  it('a spoken turn at 48 kHz stereo: user transcript, audio reply decoded to the expected text, events in order', async () => {
    const h = await start();
    await h.model.connect();
    for (const frame of spokenFrames('what time is it')) h.model.pushAudio(frame);
    await h.model.waitFor('metrics', { timeoutMs: 8000 });
    await until(() => h.names().includes('agent_speech_ended'));
    expect(h.names().filter((n) => !n.endsWith(':interim'))).toEqual([
      'user_speech_started',
      'user_speech_ended',
      'transcription:user:final',
      'agent_speech_started',
      'transcription:assistant:final',
      'agent_speech_ended',
      'metrics',
    ]);
    const user = h.events.find((e) => e.name === 'transcription')?.args[0] as { text: string };
    expect(user.text).toBe('what time is it');
    expect(recognize(h.output.audio())).toBe('You said: what time is it.');
    const events = clientEventsOf(h.sim);
    expect(events[0]?.type).toBe('session.update');
  });
});
