import { describe, expect, it } from 'vitest';
import { ChatContext } from '../chat/chat-context.js';
import { functionTool } from '../chat/function-tool.js';
import {
  APIConnectionError,
  type APIError,
  APIStatusError,
  isAPIError,
  isAPITimeoutError,
  isConfigurationError,
} from '../errors/errors.js';
import type { LLMMetrics } from '../metrics/types.js';
import { FakeLLM, type FakeLLMOptions } from '../testing/llm/fake-llm.js';
import { LLM } from './llm.js';
import type { LLMAttemptOptions, LLMChunk, LLMResponse } from './types.js';

const FAST = { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 2000 };

function ctx(text = 'hello there'): ChatContext {
  const c = ChatContext.empty();
  c.addMessage({ role: 'user', content: text });
  return c;
}

function fake(options: FakeLLMOptions = {}) {
  const llm = new FakeLLM({ connectOptions: FAST, ...options });
  const errors: APIError[] = [];
  const metrics: LLMMetrics[] = [];
  llm.on('error', (e) => errors.push(e));
  llm.on('metrics', (m) => metrics.push(m));
  return { llm, errors, metrics };
}

async function drain(stream: AsyncIterable<LLMResponse>): Promise<LLMResponse[]> {
  const chunks: LLMResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** A provider scripted by a generator function, recording the signals it was given. */
class ScriptedLLM extends LLM {
  readonly provider = 'scripted';
  readonly model = 'm1';
  readonly signals: AbortSignal[] = [];
  readonly attempts: LLMAttemptOptions[] = [];
  constructor(
    private readonly script: (options: LLMAttemptOptions) => AsyncIterable<LLMChunk>,
    connectOptions = FAST,
  ) {
    super({ connectOptions });
  }
  protected override generate(_ctx: ChatContext, options: LLMAttemptOptions): AsyncIterable<LLMChunk> {
    this.signals.push(options.signal);
    this.attempts.push(options);
    return this.script(options);
  }
}

describe('LLM base: streaming and metrics', () => {
  it('streams deltas, reports usage and emits one metrics record with TTFT', async () => {
    const { llm, metrics, errors } = fake({
      responses: [
        {
          text: ['Hi', ' there', '!'],
          ttftMs: 40,
          usage: { promptTokens: 3, completionTokens: 3, totalTokens: 6 },
        },
      ],
    });
    const chunks = await drain(llm.chat(ctx()));
    expect(chunks.map((c) => c.content)).toEqual(['Hi', ' there', '!', '']);
    expect(chunks.at(-1)?.usage).toEqual({ promptTokens: 3, completionTokens: 3, totalTokens: 6 });
    expect(chunks.every((c) => c.role === 'assistant' && Array.isArray(c.toolCalls))).toBe(true);
    expect(metrics).toHaveLength(1);
    const m = metrics[0] as LLMMetrics;
    expect(m).toMatchObject({
      type: 'llm',
      provider: 'fake',
      model: 'fake-model',
      cancelled: false,
      retries: 0,
      usage: { promptTokens: 3, completionTokens: 3, totalTokens: 6 },
    });
    expect(m.requestId).toMatch(/^fake-gen_/);
    expect(m.ttftMs).toBeGreaterThanOrEqual(35);
    expect(m.durationMs).toBeGreaterThanOrEqual(m.ttftMs as number);
    expect(errors).toEqual([]);
    expect(llm.activeGenerations).toBe(0);
  });

  it('passes heartbeats through as liveness only', async () => {
    const llm = new ScriptedLLM(async function* () {
      yield {};
      yield { content: 'a' };
      yield {};
      yield { content: 'b' };
    });
    expect((await drain(llm.chat(ctx()))).map((c) => c.content)).toEqual(['a', 'b']);
  });

  it('yields malformed tool calls with their error and emits a non-fatal error event', async () => {
    const tool = functionTool({ name: 'get_weather', description: 'w', execute: () => 1 });
    const { llm, errors } = fake({
      responses: [{ toolCalls: [{ name: 'get_weather', arguments: '{"location": "Par', callId: 'call_1' }] }],
    });
    const chunks = await drain(llm.chat(ctx(), { tools: [tool] }));
    const calls = chunks.flatMap((c) => c.toolCalls);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      callId: 'call_1',
      name: 'get_weather',
      arguments: undefined,
      rawArguments: '{"location": "Par',
    });
    expect(calls[0]?.error).toMatch(/not valid JSON/);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/tool call "get_weather" \(call_1\) is unusable/);
    expect(errors[0]?.retryable).toBe(false);
  });
});

describe('LLM base: retry', () => {
  it('retries a retryable failure before the first output, then streams', async () => {
    const { llm, metrics, errors } = fake({
      responses: [
        { text: 'ok then', error: new APIStatusError('server error', { status: 500 }), errorAttempts: 2 },
      ],
    });
    const chunks = await drain(llm.chat(ctx()));
    expect(chunks.map((c) => c.content).join('')).toBe('ok then');
    expect(llm.requests.map((r) => r.attempt)).toEqual([0, 1, 2]);
    expect(new Set(llm.requests.map((r) => r.generationId)).size).toBe(1);
    expect(metrics[0]?.retries).toBe(2);
    expect(errors).toEqual([]);
  });

  it('gives up after maxRetry and throws the last error, also as an error event', async () => {
    const failure = new APIConnectionError('refused');
    const { llm, errors, metrics } = fake({ responses: [{ text: 'never', error: failure }] });
    const { error } = await settle(drain(llm.chat(ctx())));
    expect(error).toBe(failure);
    expect(llm.requests).toHaveLength(3); // 1 + maxRetry 2
    expect(errors).toEqual([failure]);
    expect(metrics).toEqual([]);
  });

  it('does not retry a non-retryable status', async () => {
    const failure = new APIStatusError('Incorrect API key provided', { status: 400 });
    const { llm, errors } = fake({ responses: [{ error: failure }] });
    const { error } = await settle(drain(llm.chat(ctx())));
    expect(error).toBe(failure);
    expect(llm.requests).toHaveLength(1);
    expect(errors).toEqual([failure]);
  });

  it('never retries once a chunk was yielded', async () => {
    const failure = new APIConnectionError('connection reset');
    const { llm, errors } = fake({
      responses: [{ text: ['one ', 'two ', 'three'], error: failure, errorAfterChunks: 2 }],
    });
    const received: string[] = [];
    const { error } = await settle(
      (async () => {
        for await (const chunk of llm.chat(ctx())) received.push(chunk.content);
      })(),
    );
    expect(received).toEqual(['one ', 'two ']);
    expect(error).toBe(failure);
    expect(failure.retryable).toBe(true);
    expect(llm.requests).toHaveLength(1);
    expect(errors).toEqual([failure]);
  });

  it('wraps a non-API error as a non-retryable APIError', async () => {
    const { llm } = fake({ responses: [{ error: new TypeError('undefined is not a function') }] });
    const { error } = await settle(drain(llm.chat(ctx())));
    expect(isAPIError(error)).toBe(true);
    expect((error as APIError).retryable).toBe(false);
    expect((error as Error).message).toBe('fake chat failed: undefined is not a function');
    expect(llm.requests).toHaveLength(1);
  });

  it('times out an attempt that produces nothing, aborts it, and retries', async () => {
    const llm = new ScriptedLLM(
      async function* (options) {
        if (options.attempt === 0) {
          await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve()));
          return;
        }
        yield { content: 'second try' };
      },
      { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 60 },
    );
    const chunks = await drain(llm.chat(ctx()));
    expect(chunks.map((c) => c.content)).toEqual(['second try']);
    expect(llm.signals[0]?.aborted).toBe(true);
    expect(isAPITimeoutError(llm.signals[0]?.reason)).toBe(true);
  });

  it('fails with APITimeoutError when the stream goes silent after output began (no retry)', async () => {
    const llm = new ScriptedLLM(
      async function* (options) {
        yield { content: 'start' };
        await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve()));
      },
      { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 80 },
    );
    const received: string[] = [];
    const started = performance.now();
    const { error } = await settle(
      (async () => {
        for await (const chunk of llm.chat(ctx())) received.push(chunk.content);
      })(),
    );
    expect(received).toEqual(['start']);
    expect(isAPITimeoutError(error)).toBe(true);
    expect((error as Error).message).toMatch(/sent nothing for 80 ms/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(llm.attempts).toHaveLength(1);
  });

  it('keeps a stream with heartbeats alive past the idle timeout', async () => {
    const llm = new ScriptedLLM(
      async function* () {
        yield { content: 'a' };
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          yield {};
        }
        yield { content: 'b' };
      },
      { maxRetry: 0, retryIntervalMs: 10, timeoutMs: 80 },
    );
    expect((await drain(llm.chat(ctx()))).map((c) => c.content)).toEqual(['a', 'b']);
  });
});

describe('LLM base: cancellation', () => {
  it('cancelCurrentGeneration aborts the provider signal and ends the stream quietly', async () => {
    const { llm, metrics, errors } = fake({ responses: [{ text: 'a b c d e f g h', chunkDelayMs: 30 }] });
    const received: string[] = [];
    const done = (async () => {
      for await (const chunk of llm.chat(ctx())) {
        received.push(chunk.content);
        if (received.length === 2) llm.cancelCurrentGeneration();
      }
    })();
    await done; // resolves, does not reject
    expect(received).toEqual(['a ', 'b ']);
    expect(llm.openStreams).toBe(0);
    expect(llm.activeGenerations).toBe(0);
    expect(metrics).toHaveLength(1);
    expect(metrics[0]?.cancelled).toBe(true);
    expect(errors).toEqual([]);
  });

  it('stops promptly even when the provider ignores the abort', async () => {
    let release: () => void = () => {};
    const llm = new ScriptedLLM(async function* () {
      yield { content: 'first' };
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield { content: 'late' };
    });
    const stream = llm.chat(ctx());
    expect((await stream.next()).value?.content).toBe('first');
    const pending = stream.next();
    setTimeout(() => llm.cancelCurrentGeneration(), 10);
    const started = performance.now();
    expect((await pending).done).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
    expect(llm.signals[0]?.aborted).toBe(true);
    release();
  });

  it('a stream that ran to its end leaves the provider signal alone (nothing is open to abort)', async () => {
    const llm = new ScriptedLLM(async function* () {
      yield { content: 'one' };
      yield {};
      yield { content: 'two' };
    });
    expect((await drain(llm.chat(ctx()))).map((c) => c.content)).toEqual(['one', 'two']);
    expect(llm.signals).toHaveLength(1);
    expect(llm.signals[0]?.aborted).toBe(false);
    expect(llm.activeGenerations).toBe(0);
    // Cancelling afterwards reaches nothing: the finished stream is no longer registered.
    llm.cancelCurrentGeneration();
    expect(llm.signals[0]?.aborted).toBe(false);
  });

  it('breaking out of the loop aborts the provider signal', async () => {
    const { llm, metrics } = fake({ responses: [{ text: 'a b c d e f', chunkDelayMs: 20 }] });
    for await (const chunk of llm.chat(ctx())) {
      if (chunk.content) break;
    }
    expect(llm.activeGenerations).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(llm.openStreams).toBe(0);
    expect(metrics[0]?.cancelled).toBe(true);
  });

  it("the caller's signal rejects with its reason, before or during the stream, without an error event", async () => {
    const { llm, errors, metrics } = fake({ chunkDelayMs: 30 });
    const before = new AbortController();
    before.abort(new Error('too late'));
    const early = await settle(drain(llm.chat(ctx(), { signal: before.signal })));
    expect((early.error as Error).message).toBe('too late');
    expect(llm.requests).toHaveLength(0);

    const during = new AbortController();
    const received: string[] = [];
    const late = await settle(
      (async () => {
        for await (const chunk of llm.chat(ctx('one two three four five'), { signal: during.signal })) {
          received.push(chunk.content);
          during.abort(new Error('user left'));
        }
      })(),
    );
    expect((late.error as Error).message).toBe('user left');
    expect(received).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(metrics.map((m) => m.cancelled)).toEqual([true]);
    expect(llm.openStreams).toBe(0);
  });

  it('an aborted retry pause rejects at once', async () => {
    const { llm } = fake({
      connectOptions: { maxRetry: 3, retryIntervalMs: 5000, timeoutMs: 2000 },
      responses: [{ error: new APIStatusError('busy', { status: 503, retryAfterMs: 5000 }) }],
    });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('stop waiting')), 30);
    const { error } = await settle(drain(llm.chat(ctx(), { signal: controller.signal })));
    expect((error as Error).message).toBe('stop waiting');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('cancelCurrentGeneration during a retry pause ends the stream at once and quietly', async () => {
    const { llm, errors, metrics } = fake({
      connectOptions: { maxRetry: 3, retryIntervalMs: 5000, timeoutMs: 2000 },
      responses: [{ error: new APIStatusError('busy', { status: 503, retryAfterMs: 5000 }) }],
    });
    const started = performance.now();
    setTimeout(() => llm.cancelCurrentGeneration(), 30);
    const chunks = await drain(llm.chat(ctx()));
    expect(chunks).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(llm.requests).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(metrics.map((m) => [m.cancelled, m.retries])).toEqual([[true, 1]]);
  });

  it('close() cancels running streams, is idempotent, and later chat() calls throw', async () => {
    const { llm } = fake({ responses: [{ text: 'a b c d e f', chunkDelayMs: 30 }] });
    const stream = llm.chat(ctx());
    await stream.next();
    await llm.close();
    await llm.close();
    expect((await stream.next()).done).toBe(true);
    expect(() => llm.chat(ctx())).toThrow(/closed/);
  });
});

describe('LLM base: options', () => {
  const tool = functionTool({ name: 'lookup', description: 'l', execute: () => 1 });

  it('checks tool choice against the tools and never passes a tool choice without tools', async () => {
    const { llm } = fake();
    expect(() => llm.chat(ctx(), { tools: [tool], toolChoice: { name: 'other' } })).toThrow(
      /toolChoice.name/,
    );
    expect(() => llm.chat(ctx(), { toolChoice: 'required' })).toThrow(/"auto" or "none" when no tools/);
    expect(() => llm.chat(ctx(), { toolChoice: 'sometimes' as 'auto' })).toThrow(
      /Invalid option "toolChoice"/,
    );
    expect(() => llm.chat(ctx(), { tools: [tool, tool] })).toThrow(/unique tool names/);
    try {
      llm.chat(ctx(), { toolChoice: 'required' });
    } catch (error) {
      expect(isConfigurationError(error)).toBe(true);
    }
    await drain(llm.chat(ctx(), { toolChoice: 'none' }));
    expect(llm.requests[0]?.toolChoice).toBeUndefined();
    await drain(llm.chat(ctx(), { tools: [tool], toolChoice: { name: 'lookup' } }));
    expect(llm.requests[1]?.toolChoice).toEqual({ name: 'lookup' });
  });

  it('uses the constructor tools and tool choice unless the call overrides them', async () => {
    const llm = new FakeLLM({
      tools: [tool],
      toolChoice: 'required',
      responses: [{ text: 'x' }, { text: 'y' }],
    });
    await drain(llm.chat(ctx()));
    expect(llm.requests[0]?.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(llm.requests[0]?.toolChoice).toBe('required');
    await drain(llm.chat(ctx(), { tools: [], toolChoice: 'auto' }));
    expect(llm.requests[1]?.tools).toEqual([]);
    // The default "required" does not fit a call without tools: dropped, not an error.
    await drain(llm.chat(ctx(), { tools: [] }));
    expect(llm.requests[2]?.toolChoice).toBeUndefined();
    const named = new FakeLLM({ tools: [tool], toolChoice: { name: 'lookup' }, responses: [{ text: 'z' }] });
    const other = functionTool({ name: 'other', description: 'o', execute: () => 2 });
    await drain(named.chat(ctx(), { tools: [other] }));
    expect(named.requests[0]?.toolChoice).toBeUndefined();
    expect(() => new FakeLLM({ connectOptions: { maxRetry: -1 } })).toThrow(/connectOptions.maxRetry/);
  });

  it('streams a conversational graph reply as spoken text plus parsed metadata', async () => {
    const { llm } = fake({ responses: [{ text: 'Hello "friend"', structured: undefined }] });
    const chunks = await drain(
      llm.chat(ctx(), {
        conversationalGraph: {
          name: 'g',
          schema: {
            type: 'object',
            properties: {
              response_to_user: { type: 'string' },
              state: { type: 'string', enum: ['s1', 's2'] },
            },
            required: ['response_to_user', 'state'],
          },
        },
      }),
    );
    expect(chunks.map((c) => c.content).join('')).toBe('Hello "friend"');
    const meta = chunks.find((c) => c.metadata)?.metadata;
    expect(meta).toEqual({ conversationalGraph: { response_to_user: 'Hello "friend"', state: 's1' } });
    expect(() =>
      llm.chat(ctx(), { conversationalGraph: { name: 'g', schema: { type: 'object', properties: {} } } }),
    ).toThrow(/response_to_user/);
  });
});

describe('LLM base: error events', () => {
  it('throws without crashing when nobody listens to error events', async () => {
    const llm = new FakeLLM({
      connectOptions: FAST,
      responses: [{ error: new APIStatusError('bad', { status: 400 }) }],
    });
    const { error } = await settle(drain(llm.chat(ctx())));
    expect((error as APIStatusError).status).toBe(400);
  });
});
