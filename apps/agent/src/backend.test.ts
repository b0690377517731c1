import { describe, expect, it } from 'vitest';
import { openBackend, XAI_HTTP_URL, XAI_WS_URL } from './backend.js';

describe('openBackend', () => {
  it('uses api.x.ai with the key from XAI_API_KEY', async () => {
    const backend = await openBackend({ env: { XAI_API_KEY: ' xai-test-key ' } });
    expect(backend).toMatchObject({
      kind: 'xai',
      apiKey: 'xai-test-key',
      httpUrl: XAI_HTTP_URL,
      wsUrl: XAI_WS_URL,
    });
    expect(backend.simulator).toBeUndefined();
    await backend.close();
  });

  it('starts the simulator in-process without a key, or when forced', async () => {
    for (const options of [{ env: {} }, { env: { XAI_API_KEY: 'xai-test-key' }, forceSimulator: true }]) {
      const backend = await openBackend(options);
      try {
        expect(backend.kind).toBe('simulator');
        expect(backend.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
        expect(backend.wsUrl).toBe(backend.httpUrl.replace('http:', 'ws:'));
        const health = await fetch(`${backend.httpUrl}/chat/completions`, { method: 'POST' });
        expect(health.status).toBe(401); // the simulator answers (and wants a key)
        await health.arrayBuffer();
      } finally {
        await backend.close();
        await backend.close(); // idempotent
      }
    }
  });
});
