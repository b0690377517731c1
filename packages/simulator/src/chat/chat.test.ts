import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../server/simulator.js';
import type { Simulator, SimulatorOptions } from '../server/types.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire, inspected freely
type Json = any;

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

const MODEL = 'grok-4-1-fast-non-reasoning';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['location', 'unit'],
    },
  },
};
const TIME_TOOL = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Tell the local time in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function post(
  s: Simulator,
  body: unknown,
  options: { key?: string | null; query?: string; signal?: AbortSignal } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? 'xai-test-key-0123456789'}`;
  return fetch(`${s.httpUrl}/chat/completions${options.query ?? ''}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Parses an SSE body into its `data:` payloads (raw strings). */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n'),
    );
}

type Chunk = {
  object: string;
  id: string;
  model: string;
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, number>;
};

async function stream(s: Simulator, body: Record<string, unknown>, query?: string) {
  const res = await post(s, { model: MODEL, stream: true, ...body }, query ? { query } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const data = sseData(await res.text());
  expect(data.at(-1)).toBe('[DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
  const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  return { res, chunks, content };
}

describe('chat completions: streaming', () => {
  it('streams role chunk, several content deltas, finish_reason and [DONE]', async () => {
    const s = await start();
    const { res, chunks, content } = await stream(s, {
      messages: [{ role: 'user', content: 'Hello there, simulator' }],
    });
    expect(res.headers.get('x-request-id')).toMatch(/^sim-req-/);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(content).toBe('You said: Hello there, simulator. What else can I do for you?');
    const contentChunks = chunks.filter((c) => (c.choices[0]?.delta.content as string | undefined)?.length);
    expect(contentChunks.length).toBeGreaterThanOrEqual(4);
    for (const c of chunks) {
      expect(c.object).toBe('chat.completion.chunk');
      expect(c.model).toBe(MODEL);
      expect(c.id).toBe(chunks[0]?.id);
    }
    expect(chunks.at(-1)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop' });
    expect(chunks.filter((c) => c.choices[0]?.finish_reason !== null)).toHaveLength(1);
  });

  it('adds a usage chunk with choices: [] when stream_options.include_usage is set', async () => {
    const s = await start();
    const { chunks } = await stream(s, {
      messages: [{ role: 'user', content: 'count me' }],
      stream_options: { include_usage: true },
    });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(last.usage?.total_tokens).toBe(
      (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0),
    );
    const { chunks: without } = await stream(s, { messages: [{ role: 'user', content: 'count me' }] });
    expect(without.some((c) => c.usage)).toBe(false);
  });

  it('streams reasoning_content for grok-3-mini and empty deltas for reasoning models', async () => {
    const s = await start();
    const mini = await stream(s, { model: 'grok-3-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(mini.chunks.some((c) => typeof c.choices[0]?.delta.reasoning_content === 'string')).toBe(true);
    expect(mini.content).toBe('You said: hi. What else can I do for you?');
    const reasoning = await stream(s, {
      model: 'grok-4-1-fast-reasoning',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reasoning.chunks[1]?.choices[0]?.delta).toEqual({ content: '' });
    expect(reasoning.content).toBe('You said: hi. What else can I do for you?');
  });

  it('truncates at max_tokens / max_completion_tokens with finish_reason "length"', async () => {
    const s = await start();
    const { chunks, content } = await stream(s, {
      max_tokens: 4,
      messages: [{ role: 'user', content: 'please say many words to me' }],
    });
    expect(content).toBe('You said: please');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    const res = await post(s, {
      model: MODEL,
      max_completion_tokens: 2,
      messages: [{ role: 'user', content: 'x y z' }],
    });
    const body = (await res.json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    expect(body.choices[0]?.message.content).toBe('You said');
    expect(body.choices[0]?.finish_reason).toBe('length');
  });

  it('logs the request with the Authorization header redacted', async () => {
    const s = await start();
    await stream(s, { messages: [{ role: 'user', content: 'log me' }] });
    const entry = s.log.chatRequests[0]!;
    expect(entry.body.messages).toEqual([{ role: 'user', content: 'log me' }]);
    expect(entry.headers['content-type']).toBe('application/json');
    expect(entry.headers.authorization).toBe('Bearer xa***...***');
    expect(JSON.stringify(s.log.chatRequests)).not.toContain('test-key-0123456789');
    expect(entry).toMatchObject({ stream: true, status: 200, completed: true, aborted: false });
  });

  it('paces chunks with chatChunkDelayMs and marks a stream the client aborted', async () => {
    const s = await start({ chatChunkDelayMs: 40 });
    const controller = new AbortController();
    const started = Date.now();
    const res = await post(
      s,
      {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'one two three four five six seven' }],
      },
      { signal: controller.signal },
    );
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    expect(s.openChatStreams).toBe(1);
    controller.abort();
    await reader.read().catch(() => undefined);
    await waitFor(() => s.log.chatRequests[0]?.aborted === true);
    expect(s.log.chatRequests[0]).toMatchObject({ aborted: true, completed: false });
    await waitFor(() => s.openChatStreams === 0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('chat completions: non-streaming', () => {
  it('answers with a chat.completion object, usage and x-request-id', async () => {
    const s = await start();
    const res = await post(s, {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be nice' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^sim-req-/);
    const body = (await res.json()) as Record<string, Json>;
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe(MODEL);
    expect(body.choices[0].message).toMatchObject({
      role: 'assistant',
      content: 'You said: Hi. What else can I do for you?',
    });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('accepts content as an array of text parts', async () => {
    const s = await start();
    const res = await post(s, {
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'parts work' }] }],
    });
    const body = (await res.json()) as Record<string, Json>;
    expect(body.choices[0].message.content).toBe('You said: parts work. What else can I do for you?');
  });
});

describe('chat completions: tools', () => {
  it('streams a whole tool call in one chunk with arguments from the message and schema', async () => {
    const s = await start();
    const { chunks, content } = await stream(s, {
      tools: [WEATHER_TOOL, TIME_TOOL],
      messages: [{ role: 'user', content: "What's the weather in Paris?" }],
    });
    expect(content).toBe('');
    const calls = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as Json[]) ?? []);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(calls[0].id).toMatch(/^call_/);
    expect(JSON.parse(calls[0].function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('picks enum values mentioned in the message and makes parallel calls in mention order', async () => {
    const s = await start();
    const res = await post(s, {
      model: MODEL,
      tools: [WEATHER_TOOL, TIME_TOOL],
      messages: [{ role: 'user', content: 'Weather in San Francisco in fahrenheit, and the time in Tokyo' }],
    });
    const body = (await res.json()) as Record<string, Json>;
    const calls = body.choices[0].message.tool_calls as Json[];
    expect(body.choices[0].message.content).toBeNull();
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather', 'get_time']);
    expect(JSON.parse(calls[0].function.arguments)).toEqual({
      location: 'San Francisco',
      unit: 'fahrenheit',
    });
    expect(JSON.parse(calls[1].function.arguments)).toEqual({ city: 'Tokyo' });
    const single = await post(s, {
      model: MODEL,
      tools: [WEATHER_TOOL, TIME_TOOL],
      parallel_tool_calls: false,
      messages: [{ role: 'user', content: 'Weather in Oslo and the time in Tokyo' }],
    });
    expect(((await single.json()) as Json).choices[0].message.tool_calls).toHaveLength(1);
  });

  it('splits tool-call arguments over several chunks with the marker or the option', async () => {
    for (const [options, text] of [
      [{}, 'weather in Rome [sim:split_args]'],
      [{ chatSplitToolArguments: true }, 'weather in Rome'],
    ] as const) {
      const s = await start(options);
      const { chunks } = await stream(s, {
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: text }],
      });
      const calls = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as Json[]) ?? []);
      expect(calls.length).toBeGreaterThan(2);
      expect(calls[0]).toMatchObject({
        index: 0,
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      });
      expect(calls.slice(1).every((c) => c.id === undefined && c.index === 0)).toBe(true);
      const args = calls.map((c) => c.function.arguments).join('');
      expect(JSON.parse(args)).toEqual({ location: 'Rome', unit: 'celsius' });
      await s.close();
      sim = undefined;
    }
  });

  it('answers from tool results when the last messages are tool outputs', async () => {
    const s = await start();
    const { content, chunks } = await stream(s, {
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21,"conditions":"sunny"}' },
      ],
    });
    expect(content).toBe('Here is what get_weather returned: temperature 21, conditions sunny.');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('honours tool_choice none, required and a named function', async () => {
    const s = await start();
    const ask = async (tool_choice: unknown, content: string) =>
      (
        (await (
          await post(s, {
            model: MODEL,
            tools: [WEATHER_TOOL, TIME_TOOL],
            tool_choice,
            messages: [{ role: 'user', content }],
          })
        ).json()) as Json
      ).choices[0].message;
    expect((await ask('none', 'weather in Paris')).tool_calls).toBeUndefined();
    expect((await ask('required', 'hello')).tool_calls[0].function.name).toBe('get_weather');
    const named = await ask({ type: 'function', function: { name: 'get_time' } }, 'hello from Lima');
    expect(named.tool_calls[0].function).toEqual({ name: 'get_time', arguments: '{"city":"Lima"}' });
    expect((await ask('auto', 'tell me a joke')).content).toBe(
      'You said: tell me a joke. What else can I do for you?',
    );
  });
});

describe('chat completions: response_format json_schema', () => {
  it('outputs JSON valid against the schema (nested objects, arrays, enums, numbers, required)', async () => {
    const s = await start();
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer', minimum: 0 },
        mood: { type: 'string', enum: ['happy', 'sad'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        address: {
          type: 'object',
          properties: { city: { type: 'string' }, zip: { type: ['string', 'null'] } },
          required: ['city', 'zip'],
          additionalProperties: false,
        },
        score: { type: 'number', minimum: 0.5, maximum: 1 },
        ok: { type: 'boolean' },
        ref: { $ref: '#/$defs/item' },
      },
      required: ['name', 'age', 'mood', 'tags', 'address', 'score', 'ok', 'ref'],
      $defs: { item: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } },
    };
    const { content, chunks } = await stream(s, {
      response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema } },
      messages: [{ role: 'user', content: 'Alice is 31 and sad, she lives in Berlin' }],
    });
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    const value = JSON.parse(content);
    expect(value).toEqual({
      name: 'Alice',
      age: 31,
      mood: 'sad',
      tags: ['Berlin', 'tags'],
      address: { city: 'city', zip: 'zip' },
      score: 0.5,
      ok: false,
      ref: { id: 0 },
    });
  });
});

describe('chat completions: errors', () => {
  it('missing key → 401; invalid key → 400 in xAI shape without echoing the key', async () => {
    const s = await start();
    const missing = await post(
      s,
      { model: MODEL, messages: [{ role: 'user', content: 'x' }] },
      { key: null },
    );
    expect(missing.status).toBe(401);
    const res = await post(
      s,
      { model: MODEL, messages: [{ role: 'user', content: 'x' }] },
      { key: 'invalid-0123456789' },
    );
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      code: 'Client specified an invalid argument',
      error: 'Incorrect API key provided: in***...***. You can obtain an API key from https://console.x.ai.',
    });
    expect(text).not.toContain('0123456789');
  });

  it('unknown model → 404; bad parameters → 400 with a message naming them', async () => {
    const s = await start();
    const unknown = await post(s, { model: 'grok-nope', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('grok-nope');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ tool_choice: 'auto' }, /tool_choice/],
      [{ reasoning_effort: 'low' }, /reasoningEffort/],
      [{ model: 'grok-3-mini', reasoning_effort: 'medium' }, /reasoning_effort/],
      [{ messages: [] }, /messages/],
      [{ max_tokens: 0 }, /max_tokens/],
      [{ response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, /schema/],
      [{ tools: [{ type: 'function', function: { name: 'bad name!' } }] }, /tools\[0\]/],
      [{ model: 'grok-4-0709', stop: ['x'] }, /stop/],
      [{ temperature: 3 }, /temperature/],
    ];
    for (const [patch, pattern] of cases) {
      const res = await post(s, { model: MODEL, messages: [{ role: 'user', content: 'x' }], ...patch });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      const body = (await res.json()) as { code: string; error: string };
      expect(body.code).toBe('Client specified an invalid argument');
      expect(body.error).toMatch(pattern);
    }
    const ok = await post(s, {
      model: 'grok-3-mini',
      reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(ok.status).toBe(200);
    const notJson = await post(s, '{nope');
    expect(notJson.status).toBe(400);
  });

  it('handshake faults: 429 with retry-after, then 500/503 via sim_fault, then success', async () => {
    const s = await start();
    s.injectFault('chat', { kind: 'handshake', status: 429, retryAfterS: 2 });
    const limited = await post(s, { model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(((await limited.json()) as { code: string }).code).toMatch(/exhausted/);
    const q = `?sim_fault=${encodeURIComponent(JSON.stringify({ kind: 'handshake', status: 503 }))}`;
    expect(
      (await post(s, { model: MODEL, messages: [{ role: 'user', content: 'x' }] }, { query: q })).status,
    ).toBe(503);
    expect((await post(s, { model: MODEL, messages: [{ role: 'user', content: 'x' }] })).status).toBe(200);
  });
});

describe('chat completions: stream faults', () => {
  const body = { model: MODEL, stream: true, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] };

  it('drop: cuts the SSE stream after N chunks', async () => {
    const s = await start();
    s.injectFault('chat', { kind: 'drop', afterMessages: 2 });
    const res = await post(s, body);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(s.log.chatRequests[0]).toMatchObject({ dropped: true, completed: false, aborted: false });
  });

  it('malformed and unknown_event: extra chunks a client must survive or reject', async () => {
    const s = await start();
    s.injectFault('chat', { kind: 'malformed', afterMessages: 1 });
    s.injectFault('chat', { kind: 'unknown_event', afterMessages: 2 });
    const data = sseData(await (await post(s, body)).text());
    expect(() => JSON.parse(data[1]!)).toThrow();
    expect(JSON.parse(data[3]!).object).toBe('sim.unknown_event');
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('delay per chunk and huge chunk', async () => {
    const s = await start();
    s.injectFault('chat', { kind: 'delay', ms: 15 });
    s.injectFault('chat', { kind: 'huge', bytes: 100_000, afterMessages: 1 });
    const started = Date.now();
    const data = sseData(await (await post(s, body)).text());
    expect(Date.now() - started).toBeGreaterThanOrEqual(15 * 5);
    expect(data[1]!.length).toBeGreaterThan(99_000);
    expect(JSON.parse(data[1]!).choices).toEqual([]);
  });

  it('non-streaming: drop cuts the response, delay delays it', async () => {
    const s = await start();
    s.injectFault('chat', { kind: 'drop' });
    await expect(post(s, { ...body, stream: false })).rejects.toThrow();
    s.injectFault('chat', { kind: 'delay', ms: 50 });
    const started = Date.now();
    expect((await post(s, { ...body, stream: false })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
