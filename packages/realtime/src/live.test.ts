import { Agent, MemoryAudioOutput } from '@x/core';
import { describe, expect, it } from 'vitest';
import { XAIRealtime } from './index.js';

/** Talks to the real xAI service; runs only when XAI_API_KEY is set. */
describe.skipIf(!process.env.XAI_API_KEY)('XAIRealtime live (XAI_API_KEY)', () => {
  it('connects, answers a typed message with audio and a transcript, and closes', async () => {
    const output = new MemoryAudioOutput();
    const model = new XAIRealtime({ output, connectOptions: { maxRetry: 1, timeoutMs: 15_000 } });
    model.setAgent(new Agent({ instructions: 'Answer in one short sentence.' }));
    model.on('error', () => {});
    try {
      await model.connect();
      const transcript = new Promise<string>((resolve) => {
        model.on('transcription', (t) => {
          if (t.role === 'assistant' && t.final) resolve(t.text);
        });
      });
      model.sendText('Say hello.');
      const text = await Promise.race([
        transcript,
        new Promise<string>((_, reject) =>
          setTimeout(() => reject(new Error('no reply in 20 s')), 20_000).unref(),
        ),
      ]);
      expect(text.length).toBeGreaterThan(0);
      await model.waitFor('agent_speech_ended', { timeoutMs: 20_000 });
      expect(output.receivedMs).toBeGreaterThan(100);
    } finally {
      await model.close();
      await output.close();
    }
  }, 60_000);
});
