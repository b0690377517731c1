import { createAudioFrame } from '@x/audio';
import { type APIStatusError, isAPIStatusError } from '@x/core';
import { describe, expect, it } from 'vitest';
import { XAISTT } from './xai-stt.js';

const key = process.env.XAI_API_KEY;

// Talks to api.x.ai; runs only when XAI_API_KEY is set.
describe.skipIf(!key)('XAISTT against xAI (live)', () => {
  it('connects, takes audio, flushes and closes cleanly', async () => {
    const stt = new XAISTT({ sampleRate: 16000 });
    const errors: unknown[] = [];
    stt.on('error', (error) => errors.push(error));
    await stt.connect();
    expect(stt.state).toBe('connected');
    for (let i = 0; i < 25; i++) stt.pushAudio(createAudioFrame(new Int16Array(320), 16000));
    await stt.flush();
    await stt.close();
    expect(stt.state).toBe('closed');
    expect(errors.filter((e) => isAPIStatusError(e))).toEqual([]);
  });

  it('an invalid key is a typed, fatal error without the key in it', async () => {
    const bad = 'xai-invalid-key-for-test-000000';
    const stt = new XAISTT({ apiKey: bad, connectOptions: { maxRetry: 0 } });
    const error = (await stt.connect().catch((e: unknown) => e)) as APIStatusError;
    expect(isAPIStatusError(error)).toBe(true);
    expect([400, 401, 403]).toContain(error.status);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(bad);
    await stt.close();
  });
});
