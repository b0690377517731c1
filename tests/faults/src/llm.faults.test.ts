import {
  type APIError,
  ChatContext,
  type ConfigurationError,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
  type LLMMetrics,
} from '@x/core';
import { XAILLM, type XAILLMOptions } from '@x/llm';
import { describe, expect, it } from 'vitest';
import { type Cell, defineMatrix } from './support/matrix.js';
import { type Scenario, scenario } from './support/scenario.js';
import { SECRET_KEY } from './support/secret.js';
import { thrownBy, until } from './support/util.js';
import { watchFile } from './support/watch.js';

const watch = watchFile();

/** The simulator's deterministic reply to a user message. */
const reply = (text: string) => `You said: ${text}. What else can I do for you?`;
const QUESTION = 'tell me about the fault suite';
const AGAIN = 'are you still there';

interface Client {
  llm: XAILLM;
  errors: APIError[];
  metrics: LLMMetrics[];
}

function client(s: Scenario, options: XAILLMOptions = {}): Client {
  const llm = s.track(
    new XAILLM({
      apiKey: SECRET_KEY,
      baseURL: s.sim.httpUrl,
      ...options,
      connectOptions: { maxRetry: 2, retryIntervalMs: 50, timeoutMs: 3000, ...options.connectOptions },
    }),
  );
  const errors: APIError[] = [];
  const metrics: LLMMetrics[] = [];
  llm.on('error', (error) => {
    errors.push(error);
    watch.record(error);
  });
  llm.on('metrics', (m) => {
    metrics.push(m);
    watch.record(m);
  });
  return { llm, errors, metrics };
}

interface Answer {
  text: string;
  error: unknown;
  ms: number;
}

/** One chat turn: the streamed text, and the error that ended it (if any). */
async function ask(llm: XAILLM, question: string): Promise<Answer> {
  const ctx = ChatContext.empty();
  ctx.addMessage({ role: 'user', content: question });
  const started = performance.now();
  let text = '';
  try {
    for await (const chunk of llm.chat(ctx)) {
      watch.record(chunk);
      text += chunk.content;
    }
    return { text, error: undefined, ms: performance.now() - started };
  } catch (error) {
    watch.record(error);
    return { text, error, ms: performance.now() - started };
  }
}

/** The client still works after the fault: a new request gets the whole reply. */
async function expectUsable(c: Client): Promise<void> {
  const after = await ask(c.llm, AGAIN);
  expect(after.error).toBeUndefined();
  expect(after.text).toBe(reply(AGAIN));
}

/** The whole reply arrived despite the fault, with no error event. */
async function expectRecovers(c: Client): Promise<Answer> {
  const answer = await ask(c.llm, QUESTION);
  expect(answer.error).toBeUndefined();
  expect(answer.text).toBe(reply(QUESTION));
  expect(c.errors).toEqual([]);
  return answer;
}

/** Exactly one typed error ended the stream: thrown once and emitted once (the same object). */
function expectOneTypedError(c: Client, answer: Answer): APIError {
  expect(isAPIError(answer.error)).toBe(true);
  expect(c.errors).toEqual([answer.error]);
  return answer.error as APIError;
}

const cells: Cell[] = [
  {
    fault: 'socket dropped mid-stream',
    outcome: 'one APIConnectionError (not retried once output began); usable afterwards',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'drop', afterMessages: 3 });
      const c = client(s);
      const answer = await ask(c.llm, QUESTION);
      const error = expectOneTypedError(c, answer);
      expect(isAPIConnectionError(error)).toBe(true);
      expect(isAPITimeoutError(error)).toBe(false);
      expect(answer.text.length).toBeGreaterThan(0);
      expect(reply(QUESTION).startsWith(answer.text)).toBe(true);
      expect(answer.text).not.toBe(reply(QUESTION));
      expect(s.sim.log.chatRequests).toHaveLength(1);
      expect(s.sim.log.chatRequests[0]!.dropped).toBe(true);
      await expectUsable(c);
    },
  },
  {
    fault: 'socket dropped before any output',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'drop', afterMessages: 0 });
      const c = client(s);
      await expectRecovers(c);
      expect(s.sim.log.chatRequests).toHaveLength(2);
      expect(c.metrics.at(-1)?.retries).toBe(1);
    },
  },
  {
    fault: 'handshake 401',
    outcome: 'one APIStatusError 401, not retried; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'handshake', status: 401 });
      const c = client(s);
      const error = expectOneTypedError(c, await ask(c.llm, QUESTION));
      expect(isAPIStatusError(error) && error.status).toBe(401);
      expect(error.retryable).toBe(false);
      expect(s.sim.log.chatRequests).toHaveLength(1);
      await expectUsable(c);
    },
  },
  {
    fault: 'handshake 429 (retry-after 0.3 s)',
    outcome: 'recovers, honouring retry-after',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'handshake', status: 429, retryAfterS: 0.3 });
      const c = client(s);
      const answer = await expectRecovers(c);
      expect(answer.ms).toBeGreaterThanOrEqual(280);
      expect(s.sim.log.chatRequests.map((r) => r.status)).toEqual([429, 200]);
    },
  },
  {
    fault: 'handshake 429 on every attempt',
    outcome: 'one APIStatusError 429 (retryable) after maxRetry retries',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'handshake', status: 429, retryAfterS: 0.05 }, { times: 10 });
      const c = client(s);
      const error = expectOneTypedError(c, await ask(c.llm, QUESTION));
      expect(isAPIStatusError(error) && error.status).toBe(429);
      expect(isAPIStatusError(error) && error.retryAfterMs).toBe(50);
      expect(error.retryable).toBe(true);
      expect(s.sim.log.chatRequests).toHaveLength(3);
    },
  },
  {
    fault: 'handshake 500',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'handshake', status: 500 });
      const c = client(s);
      await expectRecovers(c);
      expect(s.sim.log.chatRequests.map((r) => r.status)).toEqual([500, 200]);
    },
  },
  {
    fault: 'handshake 500 on every attempt',
    outcome: 'one APIStatusError 500 after maxRetry retries; usable afterwards',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'handshake', status: 500 }, { times: 3 });
      const c = client(s);
      const error = expectOneTypedError(c, await ask(c.llm, QUESTION));
      expect(isAPIStatusError(error) && error.status).toBe(500);
      expect(s.sim.log.chatRequests).toHaveLength(3);
      await expectUsable(c);
    },
  },
  {
    fault: 'malformed JSON before any output',
    outcome: 'recovers (retried)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'malformed', afterMessages: 0 });
      const c = client(s);
      await expectRecovers(c);
      expect(s.sim.log.chatRequests).toHaveLength(2);
    },
  },
  {
    fault: 'malformed JSON mid-stream',
    outcome: 'one typed APIError (not retried once output began); usable afterwards',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'malformed', afterMessages: 3 });
      const c = client(s);
      const answer = await ask(c.llm, QUESTION);
      const error = expectOneTypedError(c, answer);
      expect(error.message).toMatch(/malformed/i);
      expect(reply(QUESTION).startsWith(answer.text)).toBe(true);
      expect(answer.text.length).toBeGreaterThan(0);
      expect(s.sim.log.chatRequests).toHaveLength(1);
      await expectUsable(c);
    },
  },
  {
    fault: 'unknown event types',
    outcome: 'recovers (ignored)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'unknown_event', afterMessages: 0 });
      s.sim.injectFault('chat', { kind: 'unknown_event', afterMessages: 2 });
      const c = client(s);
      await expectRecovers(c);
      expect(s.sim.log.chatRequests).toHaveLength(1);
    },
  },
  {
    fault: '5 s stall before any output, timeoutMs 1500',
    outcome: 'recovers (the stalled attempt times out and is retried)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'stall', ms: 5000, afterMessages: 0 });
      const c = client(s, { connectOptions: { timeoutMs: 1500 } });
      const answer = await expectRecovers(c);
      expect(answer.ms).toBeGreaterThanOrEqual(1400);
      expect(answer.ms).toBeLessThan(4500);
      expect(s.sim.log.chatRequests).toHaveLength(2);
      await until(() => s.sim.log.chatRequests[0]!.aborted, 2000, 'the stalled attempt to be closed');
    },
  },
  {
    fault: '5 s stall mid-stream, timeoutMs 1500',
    outcome: 'one APITimeoutError (not retried once output began); usable afterwards',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'stall', ms: 5000, afterMessages: 3 });
      const c = client(s, { connectOptions: { timeoutMs: 1500 } });
      const answer = await ask(c.llm, QUESTION);
      const error = expectOneTypedError(c, answer);
      expect(isAPITimeoutError(error)).toBe(true);
      expect(answer.ms).toBeLessThan(4500);
      expect(answer.text.length).toBeGreaterThan(0);
      expect(s.sim.log.chatRequests).toHaveLength(1);
      // The client closed the stalled stream itself.
      await until(() => s.sim.log.chatRequests[0]!.aborted, 2000, 'the stalled stream to be closed');
      await expectUsable(c);
    },
  },
  {
    fault: '5 s stall mid-stream, timeoutMs 8000',
    outcome: 'recovers (rides the stall out)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'stall', ms: 5000, afterMessages: 3 });
      const c = client(s, { connectOptions: { timeoutMs: 8000 } });
      const answer = await expectRecovers(c);
      expect(answer.ms).toBeGreaterThanOrEqual(4900);
      expect(s.sim.log.chatRequests).toHaveLength(1);
    },
  },
  {
    fault: '10 MB message',
    outcome: 'recovers (the oversized chunk carries nothing and is skipped)',
    run: async (s) => {
      s.sim.injectFault('chat', { kind: 'huge', bytes: 10 * 1024 * 1024, afterMessages: 2 });
      // The openai SDK decodes one SSE line in time quadratic in its length (10 MB ≈ 1.6 s of CPU,
      // 20 MB ≈ 5.5 s on an idle machine; the server sends 20 MB in 0.1 s), and no chunk reaches the
      // client meanwhile, so the idle timer must be far above that or a loaded machine times out.
      const c = client(s, { connectOptions: { timeoutMs: 15_000 } });
      await expectRecovers(c);
      expect(s.sim.log.chatRequests).toHaveLength(1);
    },
  },
  {
    fault: 'bad options',
    outcome: 'ConfigurationError naming the option, before any request',
    run: async (s) => {
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ temperature: 3 }, 'temperature'],
        [{ model: '' }, 'model'],
        [{ baseURL: 'ftp://example.com' }, 'baseURL'],
        [{ maxCompletionTokens: 0 }, 'maxCompletionTokens'],
        [{ reasoningEffort: 'extreme' }, 'reasoningEffort'],
        [{ parallelToolCalls: 'yes' }, 'parallelToolCalls'],
        [{ extraBody: { model: 'other' } }, 'extraBody.model'],
        [{ connectOptions: { maxRetry: -1 } }, 'connectOptions.maxRetry'],
        [{ connectOptions: { timeoutMs: 0 } }, 'connectOptions.timeoutMs'],
        [{ toolChoice: 'sometimes' }, 'toolChoice'],
      ];
      for (const [options, option] of bad) {
        const error = thrownBy(
          () => new XAILLM({ apiKey: SECRET_KEY, baseURL: s.sim.httpUrl, ...options } as XAILLMOptions),
        );
        watch.record(error);
        expect(isConfigurationError(error), option).toBe(true);
        expect((error as ConfigurationError).option).toBe(option);
        expect((error as Error).message).toContain(option);
      }
      // No key at all: names the option and the environment variable.
      const saved = process.env.XAI_API_KEY;
      delete process.env.XAI_API_KEY;
      try {
        const error = thrownBy(() => new XAILLM({ baseURL: s.sim.httpUrl }));
        watch.record(error);
        expect(isConfigurationError(error)).toBe(true);
        expect((error as Error).message).toMatch(/apiKey/);
        expect((error as Error).message).toMatch(/XAI_API_KEY/);
      } finally {
        if (saved !== undefined) process.env.XAI_API_KEY = saved;
      }
      // A bad per-call option throws at once, before any request.
      const c = client(s);
      const ctx = ChatContext.empty();
      ctx.addMessage({ role: 'user', content: QUESTION });
      const error = thrownBy(() => c.llm.chat(ctx, { toolChoice: { name: 'missing_tool' } }));
      expect(isConfigurationError(error)).toBe(true);
      expect((error as ConfigurationError).option).toBe('toolChoice.name');
      expect(s.sim.log.chatRequests).toHaveLength(0);
      await expectUsable(c);
    },
  },
];

describe('XAILLM × simulator faults', () => {
  defineMatrix('LLM', cells, (cell) => scenario(watch, cell.simulator ?? {}, cell.run));

  it('scanned every error, event and log line for the key', () => {
    expect(watch.scanned).toBeGreaterThan(50);
    watch.assertClean();
  });
});
