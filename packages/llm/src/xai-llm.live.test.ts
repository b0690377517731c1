import { APIStatusError, ChatContext } from '@x/core';
import { llmConformanceChecks } from '@x/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { XAILLM } from './index.js';

/**
 * Runs against the real api.x.ai when XAI_API_KEY is set; skipped otherwise.
 * `XAI_LIVE_MODEL` picks another model (default: the XAILLM default).
 */
const live = Boolean(process.env.XAI_API_KEY);
const model = process.env.XAI_LIVE_MODEL;

describe.skipIf(!live)('XAILLM live (api.x.ai)', () => {
  afterAll(async () => {
    // fetch keeps idle keep-alive sockets to api.x.ai for a few seconds; let them close so the
    // leak check does not count them (bounded wait).
    const deadline = Date.now() + 10_000;
    while (process.getActiveResourcesInfo().includes('TCPSocketWrap') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 15_000);

  const checks = llmConformanceChecks({
    createLLM: () => new XAILLM({ temperature: 0, ...(model ? { model } : {}) }),
    timeoutMs: 45_000,
    cancelWithinMs: 3000,
  });
  for (const check of checks) it(check.name, check.run, 60_000);

  it("an invalid key is a 400 APIStatusError with xAI's message and without the key", async () => {
    const badKey = 'xai-invalid-0000000000000000000000000000';
    const llm = new XAILLM({ apiKey: badKey, connectOptions: { maxRetry: 0 } });
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'user', content: 'hi' });
    let error: unknown;
    try {
      for await (const _ of llm.chat(ctx)) {
        // nothing expected
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(APIStatusError);
    expect((error as APIStatusError).status).toBeGreaterThanOrEqual(400);
    expect((error as Error).message).toMatch(/API key/i);
    expect((error as Error).message).not.toContain(badKey);
    expect(JSON.stringify((error as APIStatusError).body)).not.toContain(badKey);
  }, 30_000);
});
