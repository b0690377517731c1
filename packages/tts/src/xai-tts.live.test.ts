import { rms } from '@x/audio';
import { FLUSH, MemoryAudioOutput, type TTSMetrics } from '@x/core';
import { describe, expect, it } from 'vitest';
import { XAITTS } from './xai-tts.js';

// Talks to the real xAI service; runs only when XAI_API_KEY is set (skipped otherwise).
const live = Boolean(process.env.XAI_API_KEY);

describe.skipIf(!live)('XAITTS against api.x.ai (live)', () => {
  it('speaks streamed text with a speech tag, then a second utterance on the same socket', async () => {
    const tts = new XAITTS({ voice: 'eve', codec: 'pcm', sampleRate: 24000 });
    const output = new MemoryAudioOutput();
    const metrics: TTSMetrics[] = [];
    tts.on('metrics', (m) => metrics.push(m));
    try {
      async function* llm() {
        yield 'Hello from the [pa';
        yield 'use] TypeScript client.';
        yield FLUSH;
        yield 'And a second sentence.';
      }
      const result = await tts.synthesize(llm(), { output });
      expect(result.utterances).toHaveLength(2);
      expect(output.segments).toHaveLength(2);
      for (let i = 0; i < 2; i++) {
        const audio = output.segmentAudio(i);
        expect(audio.sampleRate).toBe(24000);
        expect((audio.samplesPerChannel / 24000) * 1000).toBeGreaterThan(500);
        expect(rms(audio.data)).toBeGreaterThan(0.005);
      }
      expect(metrics).toHaveLength(2);
      expect(metrics[0]!.ttfbMs).not.toBeNull();
      expect(tts.connectionCount).toBe(1);
    } finally {
      await tts.close();
    }
  }, 30_000);

  it('µ-law at 8 kHz: interrupt stops the audio and the next utterance still speaks', async () => {
    const tts = new XAITTS({ codec: 'mulaw', sampleRate: 8000 });
    const output = new MemoryAudioOutput();
    try {
      const first = tts.synthesize(
        'This is a long sentence that will be interrupted before it can finish speaking.',
        {
          output,
        },
      );
      await output.waitFor('frame', { timeoutMs: 15_000 });
      tts.interrupt();
      expect((await first).interrupted).toBe(true);
      await tts.synthesize('Short answer.', { output });
      const audio = output.segmentAudio(1);
      expect(audio.sampleRate).toBe(8000);
      expect(rms(audio.data)).toBeGreaterThan(0.005);
    } finally {
      await tts.close();
    }
  }, 30_000);
});
