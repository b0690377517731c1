/**
 * LLM: @x/llm XAILLM vs the Vercel AI SDK (`ai` + `@ai-sdk/xai`, streamText) vs plain `fetch` with
 * hand-written SSE parsing, against the simulator's chat completions (zero chunk delay, in a
 * child process). 1,000 streamed requests per client and kind (text reply, tool call), run one at
 * a time in alternating blocks of 100 so machine drift and garbage collection are shared fairly.
 * - time to first token: from the call to the first text delta (text) or the complete tool call
 *   (tool), per request; overhead = client p50 − plain fetch p50;
 * - CPU per request: process.cpuUsage around each block / requests in it.
 */
import { createXai } from '@ai-sdk/xai';
import { jsonSchema, streamText, tool } from 'ai';
import { ChatContext, functionTool } from '@x/core';
import { XAILLM } from '@x/llm';
import { environment, fixed, ratioText } from './timing.js';
import { type SimProcess, startSimulatorProcess } from './support/sim-process.js';
import { cpuMs, pairedRatioMedian, summarize } from './support/stats.js';
import { loadNote, packageVersions, versionNote } from './support/versions.js';
import type { BenchCheck, BenchRatio, BenchTable, SuiteResult } from './types.js';

const MODEL = 'grok-4-1-fast-non-reasoning';
const REQUESTS = 1000;
const BLOCK = 100;
const WARMUP = 100;
const KINDS = ['text', 'tool'] as const;
type Kind = (typeof KINDS)[number];
const PROMPT: Record<Kind, string> = {
  text: 'Tell me something nice about the city of Paris in spring.',
  tool: 'What is the weather in Paris right now?',
};
const WEATHER = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: {
    type: 'object' as const,
    properties: { location: { type: 'string' as const, description: 'City name' } },
    required: ['location'],
    additionalProperties: false,
  },
};

interface RequestResult {
  /** Call → first text delta, or → the complete tool call. */
  ttftMs: number;
  totalMs: number;
  /** Text received or the tool call's name + arguments, to check every client got the same. */
  output: string;
}

interface LLMClient {
  readonly name: string;
  request(kind: Kind): Promise<RequestResult>;
  close(): Promise<void>;
}

function ourClient(sim: SimProcess): LLMClient {
  const weather = functionTool({
    name: WEATHER.name,
    description: WEATHER.description,
    parameters: WEATHER.parameters,
    execute: () => 'sunny',
  });
  const llm = new XAILLM({ apiKey: 'bench-key', baseURL: sim.httpUrl, model: MODEL });
  llm.on('error', () => {});
  const contexts: Record<Kind, ChatContext> = { text: ChatContext.empty(), tool: ChatContext.empty() };
  for (const kind of KINDS) contexts[kind].addMessage({ role: 'user', content: PROMPT[kind] });
  return {
    name: '@x/llm XAILLM',
    async request(kind) {
      const t0 = performance.now();
      let first = 0;
      let output = '';
      const options = kind === 'tool' ? { tools: [weather] } : {};
      for await (const chunk of llm.chat(contexts[kind], options)) {
        if (chunk.content !== '') {
          if (first === 0) first = performance.now();
          output += chunk.content;
        }
        for (const call of chunk.toolCalls) {
          if (first === 0) first = performance.now();
          output += `${call.name}(${call.rawArguments})`;
        }
      }
      return { ttftMs: first - t0, totalMs: performance.now() - t0, output };
    },
    close: () => llm.close(),
  };
}

function aiSdkClient(sim: SimProcess): LLMClient {
  const xai = createXai({ baseURL: sim.httpUrl, apiKey: 'bench-key' });
  const model = xai(MODEL);
  const tools = {
    get_weather: tool({
      description: WEATHER.description,
      inputSchema: jsonSchema<{ location: string }>(WEATHER.parameters),
    }),
  };
  return {
    name: 'AI SDK streamText',
    async request(kind) {
      const t0 = performance.now();
      let first = 0;
      let output = '';
      const result = streamText({
        model,
        prompt: PROMPT[kind],
        maxRetries: 0,
        ...(kind === 'tool' ? { tools } : {}),
      });
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') {
          if (first === 0) first = performance.now();
          output += part.text;
        } else if (part.type === 'tool-call') {
          if (first === 0) first = performance.now();
          output += `${part.toolName}(${JSON.stringify(part.input)})`;
        } else if (part.type === 'error') {
          throw part.error;
        }
      }
      return { ttftMs: first - t0, totalMs: performance.now() - t0, output };
    },
    close: async () => {},
  };
}

/** The baseline: fetch, split the SSE stream by hand, JSON.parse each `data:` line. */
function fetchClient(sim: SimProcess): LLMClient {
  const url = `${sim.httpUrl}/chat/completions`;
  const bodies: Record<Kind, string> = {
    text: JSON.stringify({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: PROMPT.text }],
    }),
    tool: JSON.stringify({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: PROMPT.tool }],
      tools: [{ type: 'function', function: WEATHER }],
    }),
  };
  return {
    name: 'fetch + SSE parsing',
    async request(kind) {
      const t0 = performance.now();
      let first = 0;
      let output = '';
      const calls = new Map<number, { name: string; args: string }>();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
        body: bodies[kind],
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      let done = false;
      for await (const bytes of response.body) {
        buffer += decoder.decode(bytes as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          for (const line of event.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const data = line.slice(6);
            if (data === '[DONE]') {
              done = true;
              continue;
            }
            const chunk = JSON.parse(data) as {
              choices?: Array<{
                delta?: {
                  content?: string | null;
                  tool_calls?: Array<{ index: number; function?: { name?: string; arguments?: string } }>;
                };
                finish_reason?: string | null;
              }>;
            };
            const choice = chunk.choices?.[0];
            const delta = choice?.delta;
            if (delta?.content) {
              if (first === 0) first = performance.now();
              output += delta.content;
            }
            for (const call of delta?.tool_calls ?? []) {
              const entry = calls.get(call.index) ?? { name: '', args: '' };
              entry.name += call.function?.name ?? '';
              entry.args += call.function?.arguments ?? '';
              calls.set(call.index, entry);
            }
            if (choice?.finish_reason === 'tool_calls') {
              if (first === 0) first = performance.now();
              for (const call of calls.values()) output += `${call.name}(${call.args})`;
            }
          }
        }
      }
      if (!done) throw new Error('stream ended without [DONE]');
      return { ttftMs: first - t0, totalMs: performance.now() - t0, output };
    },
    close: async () => {},
  };
}

interface Measured {
  ttft: number[];
  total: number[];
  cpuMs: number;
  requests: number;
  /** CPU ms per request of each block, in order (blocks of the clients alternate). */
  blocks: number[];
  outputs: Set<string>;
  errors: number;
}

export async function runLLMBench(): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const versions = packageVersions(['@x/llm', '@x/core', 'ai', '@ai-sdk/xai']);
  const load = loadNote();
  const sim = await startSimulatorProcess({ chatChunkDelayMs: 0, trimClientEventsMs: 1000 });
  const clients = [fetchClient(sim), ourClient(sim), aiSdkClient(sim)];
  const results = new Map<string, Measured>();
  try {
    for (const kind of KINDS) {
      console.log(`  llm: ${kind}: ${REQUESTS} requests per client`);
      for (const client of clients) for (let i = 0; i < WARMUP; i++) await client.request(kind);
      for (let block = 0; block < REQUESTS / BLOCK; block++) {
        const order = block % 2 === 0 ? clients : [...clients].reverse();
        for (const client of order) {
          const key = `${kind}|${client.name}`;
          const m = results.get(key) ?? {
            ttft: [],
            total: [],
            cpuMs: 0,
            requests: 0,
            blocks: [],
            outputs: new Set<string>(),
            errors: 0,
          };
          const c0 = cpuMs();
          for (let i = 0; i < BLOCK; i++) {
            try {
              const r = await client.request(kind);
              m.ttft.push(r.ttftMs);
              m.total.push(r.totalMs);
              m.outputs.add(r.output);
            } catch {
              m.errors++;
            }
          }
          const spent = cpuMs() - c0;
          m.cpuMs += spent;
          m.blocks.push(spent / BLOCK);
          m.requests += BLOCK;
          results.set(key, m);
        }
      }
    }
  } finally {
    for (const client of clients) await client.close();
    await sim.close();
  }
  return report(startedAt, t0, versions, load, results, clients);
}

function report(
  startedAt: string,
  t0: number,
  versions: Record<string, string>,
  load: string,
  results: Map<string, Measured>,
  clients: LLMClient[],
): SuiteResult {
  const FETCH = 'fetch + SSE parsing';
  const OURS = '@x/llm XAILLM';
  const SDK = 'AI SDK streamText';
  const get = (kind: Kind, name: string) => results.get(`${kind}|${name}`)!;
  const tables: BenchTable[] = [];
  const ratios: BenchRatio[] = [];
  const checks: BenchCheck[] = [];
  for (const kind of KINDS) {
    const base = summarize(get(kind, FETCH).ttft);
    tables.push({
      title: `LLM ${kind === 'text' ? 'text reply' : 'tool call'}: ${REQUESTS} streamed requests per client (ms; overhead = p50 − fetch p50)`,
      columns: [
        'client',
        'TTFT p50',
        'TTFT p90',
        'TTFT p99',
        'overhead p50',
        'total p50',
        'CPU ms / request',
        'errors',
        'distinct outputs',
      ],
      rows: clients.map((c) => {
        const m = get(kind, c.name);
        const s = summarize(m.ttft);
        return [
          c.name,
          fixed(s.p50, 3),
          fixed(s.p90, 3),
          fixed(s.p99, 3),
          c.name === FETCH ? '' : fixed(s.p50 - base.p50, 3),
          fixed(summarize(m.total).p50, 3),
          fixed(m.cpuMs / m.requests, 3),
          m.errors,
          m.outputs.size,
        ];
      }),
    });
    const ours = get(kind, OURS);
    const sdk = get(kind, SDK);
    const fetchM = get(kind, FETCH);
    const cpuRatio = pairedRatioMedian(ours.blocks, sdk.blocks);
    ratios.push(
      {
        name: `LLM ${kind}: CPU per request, XAILLM / AI SDK (median of paired blocks)`,
        ratio: cpuRatio,
        target: 1 / 3,
        met: cpuRatio <= 1 / 3,
        lowerIsBetter: true,
        note: `ratio of totals ${ratioText(ours.cpuMs / ours.requests / (sdk.cpuMs / sdk.requests))}`,
      },
      {
        name: `LLM ${kind}: CPU per request, XAILLM / plain fetch (median of paired blocks)`,
        ratio: pairedRatioMedian(ours.blocks, fetchM.blocks),
        lowerIsBetter: true,
        note: `ratio of totals ${ratioText(ours.cpuMs / ours.requests / (fetchM.cpuMs / fetchM.requests))}`,
      },
      {
        name: `LLM ${kind}: TTFT p50, XAILLM / AI SDK`,
        ratio: summarize(ours.ttft).p50 / summarize(sdk.ttft).p50,
        lowerIsBetter: true,
      },
    );
    const overhead = summarize(ours.ttft).p50 - base.p50;
    checks.push({
      name: `LLM ${kind}: XAILLM TTFT overhead over plain fetch at p50`,
      value: overhead,
      unit: 'ms',
      target: '≤ 1 ms',
      met: overhead <= 1,
      note: `AI SDK: ${fixed(summarize(sdk.ttft).p50 - base.p50, 3)} ms`,
    });
  }
  const sameOutputs = KINDS.every((kind) => {
    const sets = clients.map((c) => [...get(kind, c.name).outputs].join('\n'));
    return sets.every((s) => s === sets[0]);
  });
  return {
    suite: 'llm',
    title: '@x/llm XAILLM vs Vercel AI SDK vs plain fetch (chat completions, same simulator)',
    startedAt,
    durationMs: performance.now() - t0,
    environment: environment(),
    tables,
    ratios,
    checks,
    notes: [
      versionNote(versions),
      load,
      `the simulator runs in a child process with chatChunkDelayMs 0; requests run one at a time; ${WARMUP} warm-up requests per client and kind are not counted`,
      'CPU = process.cpuUsage() of the benchmark process over each block of 100 requests; blocks alternate between clients (order reversed every block), so garbage one block leaves to the next is shared out; no GC is forced between blocks (a full GC right before a measured block makes it dearer)',
      'TTFT for a tool call = the moment the complete call is available to the caller (XAILLM: the chunk carrying it; AI SDK: the tool-call part; fetch: the chunk with finish_reason "tool_calls")',
      sameOutputs
        ? 'every client received the same text / tool call on every request'
        : 'clients did not all receive the same outputs: see data',
      'XAILLM runs on the openai SDK (baseURL = simulator; the SDK builds and sends the request through XAILLM\'s default fetch on node:http with keep-alive, and XAILLM parses the SSE body itself from the socket; "plain fetch" is Node\'s built-in fetch, so XAILLM can cost less than it); AI SDK: createXai({baseURL, apiKey}) and xai(model) (chat completions), maxRetries 0, no tool execute (one step)',
    ],
    data: {
      versions,
      results: Object.fromEntries(
        [...results.entries()].map(([key, m]) => [
          key,
          {
            ttft: summarize(m.ttft),
            total: summarize(m.total),
            cpuMsPerRequest: m.cpuMs / m.requests,
            cpuMsPerRequestByBlock: m.blocks,
            errors: m.errors,
            outputs: [...m.outputs],
          },
        ]),
      ),
    },
  };
}
