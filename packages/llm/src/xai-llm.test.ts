import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type APIError,
  APIStatusError,
  ChatContext,
  type LLMMetrics,
  type LLMResponse,
  functionTool,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
  isConfigurationError,
} from '@x/core';
import { conformanceWeatherTool, llmConformanceChecks } from '@x/core/testing';
import { type Simulator, startSimulator } from '@x/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XAILLM, type XAILLMOptions } from './index.js';

const KEY = 'xai-test-key-0123456789abcdef';
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.log.clear();
});

function make(options: XAILLMOptions = {}): XAILLM {
  return new XAILLM({
    apiKey: KEY,
    baseURL: sim.httpUrl,
    connectOptions: { maxRetry: 2, retryIntervalMs: 20, timeoutMs: 5000 },
    ...options,
  });
}

function ctx(text: string, system = 'You are terse.'): ChatContext {
  const c = ChatContext.empty();
  c.addMessage({ role: 'system', content: system });
  c.addMessage({ role: 'user', content: text });
  return c;
}

async function collect(stream: AsyncIterable<LLMResponse>) {
  const chunks: LLMResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return {
    chunks,
    text: chunks.map((c) => c.content).join(''),
    toolCalls: chunks.flatMap((c) => c.toolCalls),
    metadata: Object.assign({}, ...chunks.map((c) => c.metadata ?? {})) as Record<string, unknown>,
  };
}

async function failure(stream: AsyncIterable<LLMResponse>): Promise<{ error: unknown; received: string }> {
  let received = '';
  try {
    for await (const chunk of stream) received += chunk.content;
  } catch (error) {
    return { error, received };
  }
  throw new Error(`expected the stream to fail; it streamed ${JSON.stringify(received)}`);
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('XAILLM conformance (simulator)', () => {
  const checks = llmConformanceChecks({
    createLLM: () => make(),
    createSlowLLM: () => {
      sim.injectFault('chat', { kind: 'delay', ms: 40 });
      return make();
    },
    openRequests: () => sim.openChatStreams,
  });
  for (const check of checks) it(check.name, check.run);
});

describe("XAILLM conformance over Node's built-in fetch (the `fetch` option; web body streams)", () => {
  const calls: string[] = [];
  const builtIn: typeof globalThis.fetch = (input, init) => {
    calls.push(String(input));
    return globalThis.fetch(input, init);
  };
  const checks = llmConformanceChecks({
    createLLM: () => make({ fetch: builtIn }),
    createSlowLLM: () => {
      sim.injectFault('chat', { kind: 'delay', ms: 40 });
      return make({ fetch: builtIn });
    },
    openRequests: () => sim.openChatStreams,
  });
  for (const check of checks) it(check.name, check.run);
  it('sent every request through the given fetch', () => {
    // Every check but those that fail before any request made at least one.
    expect(calls.length).toBeGreaterThanOrEqual(checks.length - 2);
    expect(calls.every((url) => url === `${sim.httpUrl}/chat/completions`)).toBe(true);
  });
});

describe('XAILLM options', () => {
  it('has the documented defaults and sends them', async () => {
    const llm = make();
    expect(llm.model).toBe('grok-4-1-fast-non-reasoning');
    expect(llm.provider).toBe('xai');
    expect(new XAILLM({ apiKey: KEY }).baseURL).toBe('https://api.x.ai/v1');
    await collect(llm.chat(ctx('hi')));
    const [request] = sim.log.chatRequests;
    expect(request?.body).toEqual({
      model: 'grok-4-1-fast-non-reasoning',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
    });
    expect(request?.headers.authorization).toMatch(/^Bearer /);
    expect(request?.headers.authorization).not.toContain(KEY);
  });

  it('validates options with ConfigurationError naming the option', () => {
    const bad: Array<[XAILLMOptions, RegExp]> = [
      [{ temperature: 2.5 }, /"temperature": got 2.5; expected a number from 0 to 2/],
      [{ temperature: Number.NaN }, /"temperature"/],
      [
        { reasoningEffort: 'medium' as 'low' },
        /"reasoningEffort": got "medium"; expected one of "low", "high"/,
      ],
      [{ maxCompletionTokens: 0 }, /"maxCompletionTokens"/],
      [{ maxCompletionTokens: 1.5 }, /"maxCompletionTokens".*an integer/],
      [{ baseURL: 'ftp://x' }, /"baseURL"/],
      [{ model: '' }, /"model"/],
      [{ parallelToolCalls: 'yes' as unknown as boolean }, /"parallelToolCalls"/],
      [{ extraBody: { model: 'x' } }, /"extraBody.model"/],
      [{ extraBody: { stream: false } }, /"extraBody.stream"/],
      [{ toolChoice: 'always' as 'auto' }, /"toolChoice"/],
      [{ connectOptions: { timeoutMs: 0 } }, /"connectOptions.timeoutMs"/],
      [{ fetch: 'undici' as unknown as typeof fetch }, /"fetch".*a fetch function/],
    ];
    for (const [options, message] of bad) {
      let thrown: unknown;
      try {
        make(options);
      } catch (error) {
        thrown = error;
      }
      expect(isConfigurationError(thrown), JSON.stringify(options)).toBe(true);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('reads XAI_API_KEY, and without any key names both the option and the variable', () => {
    const saved = process.env.XAI_API_KEY;
    try {
      process.env.XAI_API_KEY = 'xai-from-env-123456';
      expect(() => new XAILLM({ baseURL: sim.httpUrl })).not.toThrow();
      delete process.env.XAI_API_KEY;
      expect(() => new XAILLM({ baseURL: sim.httpUrl })).toThrow(/"apiKey".*XAI_API_KEY/);
    } finally {
      if (saved === undefined) delete process.env.XAI_API_KEY;
      else process.env.XAI_API_KEY = saved;
    }
  });

  it('sends tools, tool_choice, parallel_tool_calls, max tokens and extra fields only when they apply', async () => {
    const tool = conformanceWeatherTool();
    const plain = make({ parallelToolCalls: false, toolChoice: 'required' });
    await collect(plain.chat(ctx('hello')));
    const first = sim.log.chatRequests[0]?.body;
    expect(first).not.toHaveProperty('tools');
    expect(first).not.toHaveProperty('tool_choice');
    expect(first).not.toHaveProperty('parallel_tool_calls');
    expect(first).not.toHaveProperty('reasoning_effort');

    const full = make({
      tools: [tool],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
      maxCompletionTokens: 64,
      temperature: 0,
      extraBody: { top_p: 0.5, user: 'u-1' },
    });
    await collect(full.chat(ctx('weather in Oslo')));
    const body = sim.log.chatRequests[1]?.body;
    expect(body.tools).toEqual([tool.toOpenAITool()]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.parallel_tool_calls).toBe(false);
    expect(body.max_completion_tokens).toBe(64);
    expect(body.temperature).toBe(0);
    expect(body.top_p).toBe(0.5);
    expect(body.user).toBe('u-1');

    await collect(full.chat(ctx('hello'), { tools: [] }));
    expect(sim.log.chatRequests[2]?.body).not.toHaveProperty('tool_choice');
    await collect(full.chat(ctx('hello'), { toolChoice: 'none' }));
    expect(sim.log.chatRequests[3]?.body.tool_choice).toBe('none');
  });

  it('sends reasoning_effort only when set, and streams reasoning_content as metadata', async () => {
    const mini = make({ model: 'grok-3-mini', reasoningEffort: 'low' });
    const out = await collect(mini.chat(ctx('hello')));
    expect(sim.log.chatRequests[0]?.body.reasoning_effort).toBe('low');
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    const reasoning = out.chunks.map((c) => c.metadata?.reasoningContent ?? '').join('');
    expect(reasoning).toBe('Let me think about what the user asked and answer briefly.');
    await collect(make({ model: 'grok-3-mini' }).chat(ctx('hello')));
    expect(sim.log.chatRequests[1]?.body).not.toHaveProperty('reasoning_effort');
  });

  it('maps developer messages to system and keeps image parts', async () => {
    const c = ChatContext.empty();
    c.addMessage({ role: 'developer', content: 'Rules.' });
    c.addMessage({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    });
    await collect(make().chat(c));
    expect(sim.log.chatRequests[0]?.body.messages).toEqual([
      { role: 'system', content: 'Rules.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
    ]);
  });
});

describe('XAILLM streaming', () => {
  it('streams the reply as several content deltas with usage and a request id', async () => {
    const llm = make();
    const metrics: LLMMetrics[] = [];
    llm.on('metrics', (m) => metrics.push(m));
    const out = await collect(llm.chat(ctx('tell me a story')));
    expect(out.text).toBe('You said: tell me a story. What else can I do for you?');
    expect(out.chunks.filter((c) => c.content).length).toBeGreaterThan(2);
    expect(out.chunks.at(-1)?.usage?.totalTokens).toBeGreaterThan(0);
    expect(metrics[0]?.requestId).toMatch(/^sim-req-/);
    expect(metrics[0]?.usage).toEqual(out.chunks.at(-1)?.usage);
  });

  it('tolerates the empty deltas of a silently thinking model', async () => {
    const out = await collect(make({ model: 'grok-4-1-fast-reasoning' }).chat(ctx('hello')));
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    expect(out.chunks.every((c) => c.content || c.usage || c.toolCalls.length || c.metadata)).toBe(true);
  });

  it('parses a tool call sent whole and one split over chunks the same way', async () => {
    const tool = conformanceWeatherTool();
    const whole = await collect(make().chat(ctx('What is the weather in Paris?'), { tools: [tool] }));
    const split = await collect(
      make().chat(ctx('What is the weather in Paris? [sim:split_args]'), { tools: [tool] }),
    );
    for (const out of [whole, split]) {
      expect(out.toolCalls).toHaveLength(1);
      expect(out.toolCalls[0]).toMatchObject({
        name: 'get_weather',
        arguments: { location: 'Paris' },
        rawArguments: '{"location":"Paris"}',
      });
      expect(out.toolCalls[0]?.callId).toMatch(/^call_/);
      expect(out.toolCalls[0]?.error).toBeUndefined();
    }
    expect(whole.toolCalls[0]?.callId).not.toBe(split.toolCalls[0]?.callId);
  });

  it('returns parallel tool calls in order and sends the follow-up with their results', async () => {
    const weather = conformanceWeatherTool();
    const time = functionTool({
      name: 'get_time',
      description: 'Tell the local time in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: ({ city }: { city: string }) => ({ city, time: '10:42' }),
    });
    const llm = make({ tools: [weather, time] });
    const c = ctx('What is the weather in Paris and the time in Tokyo?');
    const first = await collect(llm.chat(c));
    expect(first.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['get_weather', { location: 'Paris' }],
      ['get_time', { city: 'Tokyo' }],
    ]);
    for (const call of first.toolCalls) {
      c.addFunctionCall({ callId: call.callId, name: call.name, arguments: call.rawArguments });
    }
    for (const call of first.toolCalls) {
      const tool = call.name === 'get_time' ? time : weather;
      const output = JSON.stringify(await tool.execute(tool.parse(call.arguments) as never, {}));
      c.addFunctionCallOutput({ callId: call.callId, name: call.name, output, isError: false });
    }
    const second = await collect(llm.chat(c));
    expect(second.text).toBe(
      'Here is what get_weather returned: location Paris, temperature c 21, conditions sunny. ' +
        'Here is what get_time returned: city Tokyo, time 10:42.',
    );
    const sent = sim.log.chatRequests[1]?.body.messages;
    expect(sent.slice(2)).toEqual([
      {
        role: 'assistant',
        tool_calls: first.toolCalls.map((call) => ({
          id: call.callId,
          type: 'function',
          function: { name: call.name, arguments: call.rawArguments },
        })),
      },
      {
        role: 'tool',
        tool_call_id: first.toolCalls[0]?.callId,
        content: expect.stringContaining('"temperature_c":21'),
      },
      { role: 'tool', tool_call_id: first.toolCalls[1]?.callId, content: '{"city":"Tokyo","time":"10:42"}' },
    ]);
  });

  it('streams only response_to_user for a conversational graph and yields the parsed reply', async () => {
    const graph = {
      name: 'booking_step',
      description: 'Next step of a booking',
      schema: {
        type: 'object' as const,
        properties: {
          response_to_user: { type: 'string' as const },
          next_state: { type: 'string' as const, enum: ['ask_date', 'confirm', 'done'] },
          guests: { type: 'integer' as const, minimum: 1, maximum: 20 },
        },
        required: ['response_to_user', 'next_state', 'guests'],
        additionalProperties: false,
      },
    };
    const llm = make();
    const out = await collect(
      llm.chat(ctx('Book a table for 4 and confirm'), { conversationalGraph: graph }),
    );
    const body = sim.log.chatRequests[0]?.body;
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'booking_step',
        description: 'Next step of a booking',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            response_to_user: { type: 'string' },
            next_state: { type: 'string', enum: ['ask_date', 'confirm', 'done'] },
            guests: { type: 'integer', minimum: 1, maximum: 20 },
          },
          required: ['response_to_user', 'next_state', 'guests'],
          additionalProperties: false,
        },
      },
    });
    const reply = out.metadata.conversationalGraph as Record<string, unknown>;
    expect(reply.next_state).toBe('confirm');
    expect(reply.guests).toBe(4);
    expect(typeof reply.response_to_user).toBe('string');
    expect(out.text).toBe(reply.response_to_user);
    expect(out.text).not.toContain('{');
  });
});

describe('XAILLM cancellation', () => {
  it('cancelCurrentGeneration closes the HTTP stream at the server', async () => {
    sim.injectFault('chat', { kind: 'delay', ms: 50 });
    const llm = make();
    const received: string[] = [];
    for await (const chunk of llm.chat(ctx('count slowly from one to ten please'))) {
      received.push(chunk.content);
      if (received.length === 1) llm.cancelCurrentGeneration();
    }
    expect(received).toHaveLength(1);
    await until(() => sim.log.chatRequests[0]?.aborted === true && sim.openChatStreams === 0);
    expect(sim.log.chatRequests[0]?.completed).toBe(false);
    expect(sim.log.chatRequests).toHaveLength(1);
  });

  it("the caller's signal aborts the request before the first token too", async () => {
    sim.injectFault('chat', { kind: 'stall', ms: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user hung up')), 100);
    const { error } = await failure(make().chat(ctx('hello'), { signal: controller.signal }));
    expect((error as Error).message).toBe('user hung up');
    await until(() => sim.log.chatRequests[0]?.aborted === true && sim.openChatStreams === 0);
    expect(sim.log.chatRequests).toHaveLength(1);
  });
});

describe('XAILLM errors and retry', () => {
  it('retries a 500 before the first token and then streams', async () => {
    sim.injectFault('chat', { kind: 'handshake', status: 500 }, { times: 1 });
    const llm = make();
    const metrics: LLMMetrics[] = [];
    const errors: APIError[] = [];
    llm.on('metrics', (m) => metrics.push(m));
    llm.on('error', (e) => errors.push(e));
    const out = await collect(llm.chat(ctx('hello')));
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    expect(sim.log.chatRequests.map((r) => r.status)).toEqual([500, 200]);
    expect(metrics[0]?.retries).toBe(1);
    expect(errors).toEqual([]);
  });

  it('honours retry-after on a 429', async () => {
    sim.injectFault('chat', { kind: 'handshake', status: 429, retryAfterS: 1 }, { times: 1 });
    const out = await collect(make().chat(ctx('hello')));
    expect(out.text.length).toBeGreaterThan(0);
    const [first, second] = sim.log.chatRequests;
    expect(first?.status).toBe(429);
    expect(second?.status).toBe(200);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up after maxRetry with a typed, retryable APIStatusError', async () => {
    sim.injectFault('chat', { kind: 'handshake', status: 503 }, { times: 5 });
    const { error } = await failure(
      make({ connectOptions: { maxRetry: 1, retryIntervalMs: 10 } }).chat(ctx('hi')),
    );
    expect(isAPIStatusError(error)).toBe(true);
    expect(error).toBeInstanceOf(APIStatusError);
    expect((error as APIStatusError).status).toBe(503);
    expect((error as APIStatusError).retryable).toBe(true);
    expect((error as Error).message).toBe(
      'xAI chat completions returned 503: Service temporarily unavailable (simulated fault).',
    );
    expect(sim.log.chatRequests).toHaveLength(2);
  });

  it('never retries once output began: a mid-stream drop is a typed connection error', async () => {
    sim.injectFault('chat', { kind: 'drop', afterMessages: 4 }, { times: 3 });
    const llm = make();
    const errors: APIError[] = [];
    llm.on('error', (e) => errors.push(e));
    const { error, received } = await failure(llm.chat(ctx('tell me a long story about the sea')));
    expect(received.length).toBeGreaterThan(0);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(errors).toEqual([error]);
    expect(sim.log.chatRequests).toHaveLength(1);
    expect(sim.log.chatRequests[0]?.dropped).toBe(true);
  });

  it('a drop before any output is retried', async () => {
    sim.injectFault('chat', { kind: 'drop', afterMessages: 1 }, { times: 1 });
    const out = await collect(make().chat(ctx('hello')));
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    expect(sim.log.chatRequests).toHaveLength(2);
  });

  it('times out an attempt that sends nothing, closes it, and retries', async () => {
    sim.injectFault('chat', { kind: 'stall', ms: 2000 }, { times: 1 });
    const llm = make({ connectOptions: { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 300 } });
    const out = await collect(llm.chat(ctx('hello')));
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    expect(sim.log.chatRequests).toHaveLength(2);
    expect(sim.log.chatRequests[0]?.aborted).toBe(true);
  });

  it('a stream that stalls after output began fails with APITimeoutError', async () => {
    sim.injectFault('chat', { kind: 'stall', ms: 2000, afterMessages: 3 }, { times: 1 });
    const llm = make({ connectOptions: { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 300 } });
    const { error, received } = await failure(llm.chat(ctx('tell me a long story')));
    expect(received.length).toBeGreaterThan(0);
    expect(isAPITimeoutError(error)).toBe(true);
    expect(sim.log.chatRequests).toHaveLength(1);
    await until(() => sim.log.chatRequests[0]?.aborted === true);
  });

  it("an invalid key surfaces xAI's message in an APIStatusError without the key", async () => {
    const badKey = 'invalid-key-9f8e7d6c5b4a3210';
    const llm = make({ apiKey: badKey });
    const errors: APIError[] = [];
    llm.on('error', (e) => errors.push(e));
    const { error } = await failure(llm.chat(ctx('hello')));
    expect(error).toBeInstanceOf(APIStatusError);
    const e = error as APIStatusError;
    expect(e.status).toBe(400);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^xAI chat completions returned 400: Incorrect API key provided: /);
    expect(e.requestId).toMatch(/^sim-req-/);
    for (const text of [
      e.message,
      String(e.stack),
      JSON.stringify(e.body),
      JSON.stringify(errors[0]?.message),
    ]) {
      expect(text).not.toContain(badKey);
      expect(text).not.toContain(badKey.slice(0, 12));
    }
    expect(sim.log.chatRequests).toHaveLength(1);
  });

  it('an unknown model is a 404 with the server message', async () => {
    const { error } = await failure(make({ model: 'grok-99' }).chat(ctx('hello')));
    expect((error as APIStatusError).status).toBe(404);
    expect((error as Error).message).toContain('The model grok-99 does not exist');
  });

  it('a malformed event after output began is a typed APIError, not retried, and the stream is closed', async () => {
    sim.injectFault('chat', { kind: 'malformed', afterMessages: 3 }, { times: 3 });
    const llm = make();
    const errors: APIError[] = [];
    llm.on('error', (e) => errors.push(e));
    const { error, received } = await failure(llm.chat(ctx('tell me a long story about the sea')));
    expect(received.length).toBeGreaterThan(0);
    expect(isAPIError(error)).toBe(true);
    expect(isAPIConnectionError(error)).toBe(false);
    expect((error as APIError).message).toMatch(/^xAI sent a malformed stream event: /);
    expect((error as APIError).retryable).toBe(true);
    expect(errors).toEqual([error]);
    expect(sim.log.chatRequests).toHaveLength(1);
    await until(() => sim.openChatStreams === 0);
  });

  it('a malformed event before any output is retried', async () => {
    sim.injectFault('chat', { kind: 'malformed', afterMessages: 0 }, { times: 1 });
    const out = await collect(make().chat(ctx('hello')));
    expect(out.text).toBe('You said: hello. What else can I do for you?');
    expect(sim.log.chatRequests).toHaveLength(2);
  });

  it('a connection refused is a retryable connection error after the retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const llm = make({
      baseURL: `http://127.0.0.1:${port}/v1`,
      connectOptions: { maxRetry: 1, retryIntervalMs: 10 },
    });
    const { error } = await failure(llm.chat(ctx('hello')));
    expect(isAPIConnectionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Could not reach xAI/);
  });
});

/** Serves `pieces` (text or bytes) as the response body, each written on its own a little apart. */
async function rawSSEServer(pieces: (string | Uint8Array)[]) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-raw-1' });
      for (const piece of pieces) {
        res.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const rawChunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

describe('XAILLM against a byte-level SSE server', () => {
  it('reads CRLF lines, keep-alive comments, and events and characters cut anywhere', async () => {
    const text = 'Crème brûlée costs 3 € 😀';
    const body = Buffer.from(
      [
        ': keep-alive\r\n\r\n',
        `data: ${rawChunk({ role: 'assistant', content: '' })}\r\n\r\n`,
        // One event on two data lines (JSON allows the line break between them).
        `data: ${rawChunk({ content: text }).replace(',', ',\r\ndata: ')}\r\n\r\n`,
        ': ping\r\n\r\n',
        `data: ${rawChunk({ content: '!' })}\r\n\r\n`,
        `data: ${rawChunk({}, 'stop')}\r\n\r\n`,
        'data: [DONE]\r\n\r\n',
      ].join(''),
    );
    // Cut inside "è" (2 bytes), "€" (3 bytes), "😀" (4 bytes), between the "\r" and "\n" that end
    // the first data line of the two-line event, and mid-field.
    const cuts = [body.indexOf('è') + 1, body.indexOf('€') + 2, body.indexOf('😀') + 3];
    cuts.push(body.indexOf(',\r\ndata: ') + 2, body.indexOf('[DONE]') - 3);
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const cut of [...cuts.sort((a, b) => a - b), body.length]) {
      pieces.push(body.subarray(from, cut));
      from = cut;
    }
    const server = await rawSSEServer(pieces);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const metrics: LLMMetrics[] = [];
      llm.on('metrics', (m) => metrics.push(m));
      const out = await collect(llm.chat(ctx('hi')));
      expect(out.text).toBe(`${text}!`);
      expect(out.chunks.map((c) => c.content)).toEqual([text, '!']);
      expect(metrics[0]?.requestId).toBe('req-raw-1');
      expect(metrics[0]?.cancelled).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('passes on each delta of events that arrive in one read as its own chunk', async () => {
    const events = ['one ', 'two ', 'three'].map((content) => `data: ${rawChunk({ content })}\n\n`);
    const server = await rawSSEServer([
      `${events.join('')}data: ${rawChunk({}, 'stop')}\n\ndata: [DONE]\n\n`,
    ]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const out = await collect(llm.chat(ctx('hi')));
      expect(out.chunks.map((c) => c.content)).toEqual(['one ', 'two ', 'three']);
    } finally {
      await server.close();
    }
  });

  it('an error payload after output began ends the stream with the typed error, not retried', async () => {
    const server = await rawSSEServer([
      `data: ${rawChunk({ content: 'Hel' })}\n\n`,
      'data: {"error": {"message": "model overloaded", "type": "server_error"}}\n\n',
      `data: ${rawChunk({ content: 'lo' })}\n\n`,
      'data: [DONE]\n\n',
    ]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 2 } });
      const { error, received } = await failure(llm.chat(ctx('hi')));
      expect(received).toBe('Hel');
      expect(isAPIError(error)).toBe(true);
      expect((error as APIError).message).toBe('xAI stream reported an error: model overloaded');
      expect((error as APIError).body).toEqual({ message: 'model overloaded', type: 'server_error' });
    } finally {
      await server.close();
    }
  });

  it('an `event: error` is a typed error with its message, the key redacted', async () => {
    const server = await rawSSEServer(['event: error\n', `data: {"error": "quota exceeded for ${KEY}"}\n\n`]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const { error } = await failure(llm.chat(ctx('hi')));
      expect(isAPIError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^xAI stream reported an error: quota exceeded for /);
      expect((error as Error).message).not.toContain(KEY);
    } finally {
      await server.close();
    }
  });

  it('data that is not JSON is a malformed-event APIError', async () => {
    const server = await rawSSEServer([`data: ${rawChunk({ content: 'a' })}\n\n`, 'data: {"choices": [\n\n']);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const { error, received } = await failure(llm.chat(ctx('hi')));
      expect(received).toBe('a');
      expect(isAPIError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^xAI sent a malformed stream event: /);
    } finally {
      await server.close();
    }
  });
});

describe('XAILLM against a hand-written SSE server', () => {
  /** Serves the given SSE `data:` payloads once per request. */
  async function sseServer(payloads: unknown[]) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-hand-1' });
        for (const payload of payloads) res.write(`data: ${JSON.stringify(payload)}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/v1`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  it('accumulates interleaved split arguments by index; malformed ones become an error, not a crash', async () => {
    const server = await sseServer([
      chunk({ role: 'assistant', content: '' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"loc' } },
        ],
      }),
      chunk({
        tool_calls: [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'get_time', arguments: '{"city": "Ro' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ation": "Pa' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: 'me"' } }] }), // never closed
      chunk({}, 'tool_calls'),
    ]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const errors: APIError[] = [];
      const metrics: LLMMetrics[] = [];
      llm.on('error', (e) => errors.push(e));
      llm.on('metrics', (m) => metrics.push(m));
      const tools = [
        conformanceWeatherTool(),
        functionTool({ name: 'get_time', description: 't', execute: () => 1 }),
      ];
      const out = await collect(llm.chat(ctx('weather and time'), { tools }));
      expect(out.toolCalls).toEqual([
        {
          callId: 'call_a',
          name: 'get_weather',
          arguments: { location: 'Paris' },
          rawArguments: '{"location": "Paris"}',
        },
        {
          callId: 'call_b',
          name: 'get_time',
          arguments: undefined,
          rawArguments: '{"city": "Rome"',
          error: expect.stringMatching(/not valid JSON/),
        },
      ]);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/tool call "get_time" \(call_b\) is unusable/);
      expect(metrics[0]?.requestId).toBe('req-hand-1');
    } finally {
      await server.close();
    }
  });

  it('reports an unparseable conversational-graph reply as an error event and null metadata', async () => {
    const server = await sseServer([
      chunk({ content: '{"response_to_user": "Hi th' }),
      chunk({ content: 'ere", "next_step": ' }),
      chunk({}, 'length'),
    ]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const errors: APIError[] = [];
      llm.on('error', (e) => errors.push(e));
      const out = await collect(
        llm.chat(ctx('hi'), {
          conversationalGraph: {
            name: 'g',
            schema: {
              type: 'object',
              properties: { response_to_user: { type: 'string' }, next_step: { type: 'string' } },
            },
          },
        }),
      );
      expect(out.text).toBe('Hi there');
      expect(out.metadata.conversationalGraph).toBeNull();
      expect(out.metadata.conversationalGraphError).toMatch(/not valid JSON/);
      expect(errors[0]?.message).toMatch(/conversational-graph reply unusable/);
    } finally {
      await server.close();
    }
  });

  it('an error event inside the stream surfaces as a typed error with its message', async () => {
    const server = await sseServer([{ error: { message: 'model overloaded', type: 'server_error' } }]);
    try {
      const llm = new XAILLM({ apiKey: KEY, baseURL: server.url, connectOptions: { maxRetry: 0 } });
      const { error } = await failure(llm.chat(ctx('hi')));
      expect((error as Error).message).toBe('xAI stream reported an error: model overloaded');
    } finally {
      await server.close();
    }
  });
});
