import { type ChatContext, messageText } from '../../chat/chat-context.js';
import type { FunctionTool } from '../../chat/function-tool.js';
import { parseToolArguments } from '../../chat/tool-arguments.js';
import { ConversationalGraphStream, RESPONSE_TO_USER_FIELD } from '../../llm/conversational-graph.js';
import { LLM, type LLMBaseOptions } from '../../llm/llm.js';
import type { FunctionCall, LLMAttemptOptions, LLMChunk } from '../../llm/types.js';
import type { Usage } from '../../metrics/types.js';
import { sleep } from '../../retry/sleep.js';
import { sampleValue } from './sample-value.js';

export interface FakeToolCall {
  name: string;
  /** An object (serialised) or a raw string (sent as is, so it can be malformed on purpose). */
  arguments?: Record<string, unknown> | string;
  callId?: string;
}

/** One scripted reply. */
export interface FakeLLMResponse {
  /** Text to stream: a string is split into word deltas, an array is streamed delta by delta. */
  text?: string | readonly string[];
  toolCalls?: readonly FakeToolCall[];
  /**
   * With a conversational graph: the structured reply (its `response_to_user` is streamed). By
   * default a sample object for the graph's schema with `response_to_user` set to `text`.
   */
  structured?: Record<string, unknown>;
  /** Usage reported at the end; default: word counts. `null` reports none. */
  usage?: Usage | null;
  metadata?: Record<string, unknown>;
  /** Delay before the first chunk. */
  ttftMs?: number;
  /** Delay between chunks (default: the FakeLLM's `chunkDelayMs`). */
  chunkDelayMs?: number;
  /** Fail with this error: before any output, or after `errorAfterChunks` chunks. */
  error?: Error;
  /** How many attempts fail before output begins (default: every attempt). */
  errorAttempts?: number;
  /** Fail mid-stream, after this many chunks were sent (such a failure is never retried). */
  errorAfterChunks?: number;
}

/** What the FakeLLM saw for one attempt. */
export interface FakeLLMRequest {
  ctx: ChatContext;
  tools: readonly FunctionTool[];
  toolChoice: LLMAttemptOptions['toolChoice'];
  conversationalGraph: LLMAttemptOptions['conversationalGraph'];
  attempt: number;
  generationId: string;
}

export type FakeLLMResponder = (request: FakeLLMRequest) => FakeLLMResponse | undefined;

export interface FakeLLMOptions extends LLMBaseOptions {
  /** Replies used in order, one per `chat()` call (retries reuse their call's reply). */
  responses?: readonly FakeLLMResponse[];
  /** Used when the script is empty; falls back to the default behaviour when it returns undefined. */
  respond?: FakeLLMResponder;
  /** Default delay between chunks. */
  chunkDelayMs?: number;
  model?: string;
}

/**
 * A scripted LLM for tests. Replies come from `responses` in order, then from `respond`, then
 * from a default that behaves like a cooperative model: after a tool output it reports the
 * result, when the last user message names a tool (or a tool is required) it calls it with
 * arguments matching the tool's schema, and otherwise it echoes the user.
 */
export class FakeLLM extends LLM {
  readonly provider = 'fake';
  readonly model: string;
  /** One entry per attempt, in order. */
  readonly requests: FakeLLMRequest[] = [];
  readonly #script: FakeLLMResponse[];
  readonly #respond: FakeLLMResponder | undefined;
  readonly #chunkDelayMs: number;
  readonly #byGeneration = new Map<string, FakeLLMResponse>();
  #openStreams = 0;

  constructor(options: FakeLLMOptions = {}) {
    super(options);
    this.model = options.model ?? 'fake-model';
    this.#script = [...(options.responses ?? [])];
    this.#respond = options.respond;
    this.#chunkDelayMs = options.chunkDelayMs ?? 0;
  }

  /** Appends scripted replies. */
  addResponses(...responses: FakeLLMResponse[]): void {
    this.#script.push(...responses);
  }

  /** Attempts whose stream has not finished yet (0 once everything was closed). */
  get openStreams(): number {
    return this.#openStreams;
  }

  protected override async *generate(ctx: ChatContext, options: LLMAttemptOptions): AsyncIterable<LLMChunk> {
    const request: FakeLLMRequest = {
      ctx: ctx.copy(),
      tools: options.tools,
      toolChoice: options.toolChoice,
      conversationalGraph: options.conversationalGraph,
      attempt: options.attempt,
      generationId: options.generationId,
    };
    this.requests.push(request);
    this.#openStreams++;
    try {
      options.reportRequestId(`fake-${options.generationId}-${options.attempt}`);
      const response = this.#responseFor(request);
      yield* this.play(response, request, options.signal);
    } finally {
      this.#openStreams--;
    }
  }

  /** Streams one reply; subclasses (broken fakes in tests) may override. */
  protected async *play(
    response: FakeLLMResponse,
    request: FakeLLMRequest,
    signal: AbortSignal,
  ): AsyncGenerator<LLMChunk> {
    const delay = response.chunkDelayMs ?? this.#chunkDelayMs;
    if (response.ttftMs) await sleep(response.ttftMs, signal);
    const failsNow =
      response.error !== undefined &&
      response.errorAfterChunks === undefined &&
      request.attempt < (response.errorAttempts ?? Number.POSITIVE_INFINITY);
    if (failsNow) throw response.error;

    const chunks = this.#chunksFor(response, request);
    let sent = 0;
    for (const chunk of chunks) {
      if (response.error && response.errorAfterChunks !== undefined && sent >= response.errorAfterChunks) {
        throw response.error;
      }
      if (sent > 0 && delay > 0) await sleep(delay, signal);
      signal.throwIfAborted();
      yield chunk;
      sent++;
    }
    if (response.error && response.errorAfterChunks !== undefined && sent >= response.errorAfterChunks) {
      throw response.error;
    }
  }

  #responseFor(request: FakeLLMRequest): FakeLLMResponse {
    const known = this.#byGeneration.get(request.generationId);
    if (known) return known;
    const response = this.#script.shift() ?? this.#respond?.(request) ?? defaultResponse(request);
    this.#byGeneration.set(request.generationId, response);
    return response;
  }

  #chunksFor(response: FakeLLMResponse, request: FakeLLMRequest): LLMChunk[] {
    const chunks: LLMChunk[] = [];
    const fullText = Array.isArray(response.text)
      ? response.text.join('')
      : ((response.text as string) ?? '');
    const graph = request.conversationalGraph;
    if (graph) {
      const structured = response.structured ?? {
        ...(sampleValue(graph.jsonSchema) as Record<string, unknown>),
        [RESPONSE_TO_USER_FIELD]: fullText,
      };
      const stream = new ConversationalGraphStream(graph);
      const json = JSON.stringify(structured);
      for (let i = 0; i < json.length; i += 7) {
        const spoken = stream.push(json.slice(i, i + 7));
        chunks.push(spoken ? { content: spoken } : {});
      }
      const parsed = stream.finish();
      chunks.push({ metadata: { conversationalGraph: parsed.ok ? parsed.value : null } });
    } else {
      const deltas = Array.isArray(response.text) ? response.text : splitWords(fullText);
      for (const delta of deltas) if (delta) chunks.push({ content: delta });
    }
    if (response.toolCalls && response.toolCalls.length > 0) {
      chunks.push({ toolCalls: response.toolCalls.map((call, i) => toFunctionCall(call, request, i)) });
    }
    if (response.metadata) chunks.push({ metadata: response.metadata });
    if (response.usage !== null) {
      const completion = fullText.split(/\s+/).filter(Boolean).length + (response.toolCalls?.length ?? 0) * 8;
      const prompt = request.ctx.items.reduce(
        (sum, item) => sum + (item.type === 'message' ? messageText(item).split(/\s+/).length : 8),
        0,
      );
      chunks.push({
        usage: response.usage ?? {
          promptTokens: prompt,
          completionTokens: completion,
          totalTokens: prompt + completion,
        },
      });
    }
    return chunks;
  }
}

function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function toFunctionCall(call: FakeToolCall, request: FakeLLMRequest, index: number): FunctionCall {
  const rawArguments =
    typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
  const parsed = parseToolArguments(rawArguments);
  return {
    callId: call.callId ?? `call_${request.generationId}_${index}`,
    name: call.name,
    arguments: parsed.ok ? parsed.value : undefined,
    rawArguments,
    ...(parsed.ok ? {} : { error: parsed.error }),
  };
}

function defaultResponse(request: FakeLLMRequest): FakeLLMResponse {
  const items = request.ctx.items;
  const last = items.at(-1);
  if (last?.type === 'function_call_output') {
    return { text: `The ${last.name} tool returned ${last.output}.` };
  }
  const lastUser = [...items].reverse().find((item) => item.type === 'message' && item.role === 'user');
  const userText = lastUser && lastUser.type === 'message' ? messageText(lastUser) : '';
  const choice = request.toolChoice;
  if (request.tools.length > 0 && choice !== 'none') {
    const forced =
      typeof choice === 'object'
        ? request.tools.find((t) => t.name === choice.name)
        : choice === 'required'
          ? request.tools[0]
          : undefined;
    const tool = forced ?? request.tools.find((t) => userText.includes(t.name));
    if (tool) {
      return {
        toolCalls: [
          { name: tool.name, arguments: sampleValue(tool.parametersJsonSchema) as Record<string, unknown> },
        ],
      };
    }
  }
  return { text: userText ? `You said: ${userText}` : 'Hello!' };
}
