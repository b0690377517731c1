import assert from 'node:assert/strict';
import { ChatContext } from '../../chat/chat-context.js';
import { executeToolCall } from '../../chat/execute-tool-call.js';
import { isAPIError } from '../../errors/errors.js';
import type { LLM } from '../../llm/llm.js';
import type { LLMResponse } from '../../llm/types.js';
import type { LLMMetrics } from '../../metrics/types.js';
import {
  CONFORMANCE_GRAPH,
  CONFORMANCE_TEMPERATURE_C,
  type ConformancePrompts,
  DEFAULT_CONFORMANCE_PROMPTS,
  conformanceWeatherTool,
} from './fixture.js';

export interface LLMConformanceSetup {
  /** A fresh LLM for one check (each check closes it). */
  createLLM(): LLM | Promise<LLM>;
  /**
   * An LLM whose replies to `prompts.long` stream slowly enough (≥ ~300 ms) to be cancelled
   * mid-way. Default `createLLM`.
   */
  createSlowLLM?(): LLM | Promise<LLM>;
  /**
   * Requests still open at the provider's end (HTTP streams not yet closed). When given, the
   * cancel checks require it to reach 0, proving nothing is left running.
   */
  openRequests?(): number | Promise<number>;
  /** Whether the answer after a tool result used it. Default: it mentions "21". */
  usesToolResult?(text: string): boolean;
  /** Run the conversational-graph check. Default true. */
  conversationalGraph?: boolean;
  prompts?: Partial<ConformancePrompts>;
  /** Longest wait for one stream. Default 20 000 ms. */
  timeoutMs?: number;
  /** How soon a cancelled stream must end. Default 1000 ms. */
  cancelWithinMs?: number;
}

export interface LLMConformanceCheck {
  name: string;
  run: () => Promise<void>;
}

interface Collected {
  chunks: LLMResponse[];
  text: string;
  toolCalls: LLMResponse['toolCalls'];
  metadata: Record<string, unknown>;
}

/**
 * Checks every LLM must pass, as plain async functions using `node:assert/strict` (run them with
 * any test runner: `for (const c of llmConformanceChecks(setup)) it(c.name, c.run)`).
 */
export function llmConformanceChecks(setup: LLMConformanceSetup): LLMConformanceCheck[] {
  const prompts: ConformancePrompts = { ...DEFAULT_CONFORMANCE_PROMPTS, ...setup.prompts };
  const timeoutMs = setup.timeoutMs ?? 20_000;
  const cancelWithinMs = setup.cancelWithinMs ?? 1000;
  const usesToolResult =
    setup.usesToolResult ?? ((text: string) => text.includes(String(CONFORMANCE_TEMPERATURE_C)));

  const context = (prompt: string) => {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'system', content: prompts.system });
    ctx.addMessage({ role: 'user', content: prompt });
    return ctx;
  };

  /** Runs `body` with a fresh LLM, always closing it; errors are collected, never unhandled. */
  const withLLM = async (create: () => LLM | Promise<LLM>, body: (llm: LLM) => Promise<void>) => {
    const llm = await create();
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    llm.on('error', onError);
    try {
      await body(llm);
    } finally {
      await llm.close();
      llm.off('error', onError);
    }
  };

  const collect = (stream: AsyncIterable<LLMResponse>) =>
    bounded(
      (async (): Promise<Collected> => {
        const out: Collected = { chunks: [], text: '', toolCalls: [], metadata: {} };
        for await (const chunk of stream) {
          out.chunks.push(chunk);
          out.text += chunk.content;
          out.toolCalls.push(...chunk.toolCalls);
          Object.assign(out.metadata, chunk.metadata);
        }
        return out;
      })(),
      timeoutMs,
      'the stream did not end',
    );

  const expectNothingRunning = async (llm: LLM) => {
    assert.equal(llm.activeGenerations, 0, 'a generation is still registered as running');
    if (!setup.openRequests) return;
    const deadline = Date.now() + Math.max(cancelWithinMs, 1000);
    let open = await setup.openRequests();
    while (open > 0 && Date.now() < deadline) {
      await pause(20);
      open = await setup.openRequests();
    }
    assert.equal(open, 0, `${open} request(s) still open at the provider after the stream ended`);
  };

  return [
    {
      name: 'streams text for a simple prompt',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const out = await collect(llm.chat(context(prompts.text)));
          assert.ok(out.text.trim().length > 0, 'no text was streamed');
          assert.ok(
            out.chunks.some((c) => c.content.length > 0),
            'no content delta',
          );
          for (const chunk of out.chunks) assert.equal(chunk.role, 'assistant');
          assert.deepEqual(out.toolCalls, [], 'no tool was offered, yet a tool call came back');
          await expectNothingRunning(llm);
        }),
    },
    {
      name: 'calls a tool when asked, with parsed arguments and a call id',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const tool = conformanceWeatherTool();
          const out = await collect(llm.chat(context(prompts.tool), { tools: [tool] }));
          const call = out.toolCalls.find((c) => c.name === tool.name);
          assert.ok(call, `expected a ${tool.name} call, got ${JSON.stringify(out.toolCalls)}`);
          assert.equal(typeof call.callId, 'string');
          assert.ok(call.callId.length > 0, 'empty call id');
          assert.equal(call.error, undefined, `the arguments did not parse: ${call.error}`);
          assert.ok(call.arguments, 'no parsed arguments');
          assert.equal(typeof call.arguments.location, 'string', 'arguments.location is not a string');
          assert.deepEqual(
            JSON.parse(call.rawArguments),
            call.arguments,
            'arguments differ from the raw JSON',
          );
        }),
    },
    {
      name: 'uses a tool result in the next turn',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const tool = conformanceWeatherTool();
          const ctx = context(prompts.tool);
          const first = await collect(llm.chat(ctx, { tools: [tool] }));
          const call = first.toolCalls.find((c) => c.name === tool.name);
          assert.ok(call, `expected a ${tool.name} call, got ${JSON.stringify(first.toolCalls)}`);
          const result = await executeToolCall([tool], {
            callId: call.callId,
            name: call.name,
            arguments: call.rawArguments,
          });
          assert.equal(result.isError, false, `the tool failed: ${result.output}`);
          if (first.text) ctx.addMessage({ role: 'assistant', content: first.text });
          ctx.addFunctionCall({ callId: call.callId, name: call.name, arguments: call.rawArguments });
          ctx.addFunctionCallOutput(result);
          const second = await collect(llm.chat(ctx, { tools: [tool] }));
          assert.ok(second.text.trim().length > 0, 'no text after the tool result');
          assert.ok(usesToolResult(second.text), `the answer does not use the tool result: ${second.text}`);
        }),
    },
    {
      name: 'reports metrics with TTFT, duration and usage',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const metrics: LLMMetrics[] = [];
          llm.on('metrics', (m) => metrics.push(m));
          const out = await collect(llm.chat(context(prompts.text)));
          assert.equal(metrics.length, 1, `expected one metrics event, got ${metrics.length}`);
          const m = metrics[0] as LLMMetrics;
          assert.equal(m.type, 'llm');
          assert.equal(m.provider, llm.provider);
          assert.equal(m.model, llm.model);
          assert.equal(m.cancelled, false);
          assert.equal(typeof m.ttftMs, 'number', 'no TTFT');
          assert.ok(
            (m.ttftMs as number) >= 0 && (m.ttftMs as number) <= m.durationMs,
            'TTFT outside the stream',
          );
          assert.ok(m.usage, 'no usage');
          assert.ok(m.usage.completionTokens > 0, 'usage reports no completion tokens');
          assert.equal(m.usage.totalTokens, m.usage.promptTokens + m.usage.completionTokens);
          const usageChunk = out.chunks.find((c) => c.usage);
          assert.deepEqual(usageChunk?.usage, m.usage, 'the usage chunk and the metrics disagree');
        }),
    },
    {
      name: 'cancelCurrentGeneration stops the stream promptly and leaves nothing running',
      run: () =>
        withLLM(setup.createSlowLLM ?? setup.createLLM, async (llm) => {
          const metrics: LLMMetrics[] = [];
          llm.on('metrics', (m) => metrics.push(m));
          const stream = llm.chat(context(prompts.long));
          const first = await bounded(stream.next(), timeoutMs, 'no first chunk');
          assert.equal(first.done, false, 'the stream ended before it could be cancelled');
          const cancelledAt = performance.now();
          llm.cancelCurrentGeneration();
          let after = 0;
          for (;;) {
            const next = await bounded(stream.next(), cancelWithinMs, 'the stream went on after cancel');
            if (next.done) break;
            after++;
          }
          const tookMs = performance.now() - cancelledAt;
          assert.ok(tookMs <= cancelWithinMs, `the stream took ${tookMs.toFixed(0)} ms to stop`);
          assert.ok(after <= 1, `${after} chunks arrived after cancel`);
          assert.equal(metrics.length, 1);
          assert.equal(metrics[0]?.cancelled, true, 'metrics do not mark the stream cancelled');
          await expectNothingRunning(llm);
        }),
    },
    {
      name: 'leaving the loop early closes the request',
      run: () =>
        withLLM(setup.createSlowLLM ?? setup.createLLM, async (llm) => {
          let chunks = 0;
          await bounded(
            (async () => {
              for await (const chunk of llm.chat(context(prompts.long))) {
                if (chunk.content) chunks++;
                if (chunks >= 1) break;
              }
            })(),
            timeoutMs,
            'the stream did not start',
          );
          assert.equal(chunks, 1);
          await expectNothingRunning(llm);
        }),
    },
    {
      name: 'an already-aborted signal rejects with its reason',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const controller = new AbortController();
          const reason = new Error('caller gave up');
          controller.abort(reason);
          await assert.rejects(
            collect(llm.chat(context(prompts.text), { signal: controller.signal })),
            (e) => e === reason,
          );
          await expectNothingRunning(llm);
        }),
    },
    {
      name: 'aborting the signal mid-stream rejects promptly',
      run: () =>
        withLLM(setup.createSlowLLM ?? setup.createLLM, async (llm) => {
          const controller = new AbortController();
          const stream = llm.chat(context(prompts.long), { signal: controller.signal });
          const first = await bounded(stream.next(), timeoutMs, 'no first chunk');
          assert.equal(first.done, false, 'the stream ended before it could be aborted');
          const reason = new Error('caller aborted');
          controller.abort(reason);
          await assert.rejects(
            bounded(
              (async () => {
                for (;;) if ((await stream.next()).done) return;
              })(),
              cancelWithinMs,
              'the stream went on after the abort',
            ),
            (e) => e === reason,
          );
          await expectNothingRunning(llm);
        }),
    },
    {
      name: 'rejects bad options with a typed error before any request',
      run: () =>
        withLLM(setup.createLLM, async (llm) => {
          const tool = conformanceWeatherTool();
          assert.throws(
            () => llm.chat(context(prompts.text), { tools: [tool], toolChoice: { name: 'no_such_tool' } }),
            (e: unknown) => (e as Error).name === 'ConfigurationError' && !isAPIError(e),
          );
          assert.equal(llm.activeGenerations, 0);
        }),
    },
    ...(setup.conversationalGraph === false
      ? []
      : [
          {
            name: 'streams only response_to_user for a conversational graph',
            run: () =>
              withLLM(setup.createLLM, async (llm) => {
                const out = await collect(
                  llm.chat(context(prompts.graph), { conversationalGraph: CONFORMANCE_GRAPH }),
                );
                assert.ok(out.text.trim().length > 0, 'no spoken text');
                assert.ok(!out.text.includes('response_to_user'), `JSON leaked into the text: ${out.text}`);
                assert.ok(!out.text.trimStart().startsWith('{'), `JSON leaked into the text: ${out.text}`);
                const reply = out.metadata.conversationalGraph as Record<string, unknown> | undefined;
                assert.ok(reply, 'no parsed reply in metadata.conversationalGraph');
                assert.equal(reply.response_to_user, out.text, 'streamed text differs from the parsed reply');
                assert.ok(
                  ['greet', 'help', 'end'].includes(reply.next_step as string),
                  'next_step not in the enum',
                );
              }),
          },
        ]),
  ];
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `message` if `promise` does not settle within `ms`; leaves no timer behind. */
function bounded<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
