import {
  APIConnectionError,
  APIError,
  type ChatContext,
  ConversationalGraphStream,
  LLM,
  type LLMAttemptOptions,
  type LLMChunk,
} from '@x/core';
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { streamError, toCoreError } from './errors.js';
import { type ResolvedXAILLMOptions, type XAILLMOptions, resolveXAILLMOptions } from './options.js';
import { NodeHttpFetch, nodeBodyOf } from './node-http-fetch.js';
import { buildRequestBody } from './request.js';
import { type SSEEvent, SSEDecoder } from './sse.js';
import { ToolCallAccumulator, type ToolCallDelta } from './tool-calls.js';

/**
 * Grok chat completions as an `LLM`: streamed text, tool calls and conversational-graph replies,
 * over the `openai` SDK pointed at xAI. Retry, timeouts, cancellation and metrics come from the
 * `LLM` base; this class makes one HTTP request per attempt and passes the abort signal to it,
 * so cancelling closes the HTTP stream.
 */
export class XAILLM extends LLM {
  readonly provider = 'xai';
  readonly model: string;
  readonly #options: ResolvedXAILLMOptions;
  readonly #client: OpenAI;
  readonly #secrets: readonly string[];
  /** The default HTTP client (none when `options.fetch` is given). */
  readonly #http: NodeHttpFetch | undefined;

  constructor(options: XAILLMOptions = {}) {
    super({
      connectOptions: options.connectOptions,
      tools: options.tools,
      toolChoice: options.toolChoice ?? 'auto',
    });
    this.#options = resolveXAILLMOptions(options);
    this.model = this.#options.model;
    this.#secrets = [this.#options.apiKey];
    this.#http = this.#options.fetch === undefined ? new NodeHttpFetch() : undefined;
    this.#client = new OpenAI({
      fetch: this.#options.fetch ?? this.#http!.fetch,
      apiKey: this.#options.apiKey,
      baseURL: this.#options.baseURL,
      maxRetries: 0, // the LLM base owns retry
      organization: null, // never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment
      project: null,
      logLevel: 'off',
    });
  }

  protected override async closeResources(): Promise<void> {
    this.#http?.close();
  }

  /** The base URL requests go to. */
  get baseURL(): string {
    return this.#options.baseURL;
  }

  protected override async *generate(ctx: ChatContext, options: LLMAttemptOptions): AsyncIterable<LLMChunk> {
    const body = buildRequestBody(ctx, this.#options, options);
    const { signal } = options;
    const secrets = this.#secrets;
    let response: Response;
    try {
      // The SDK builds, authenticates and sends the request and turns an error status into its
      // error classes; the event stream is parsed here, without an SDK `Stream` per request.
      response = await this.#client.chat.completions
        .create(body as unknown as ChatCompletionCreateParamsStreaming, { signal })
        .asResponse();
    } catch (error) {
      throw signal.aborted ? signal.reason : toCoreError(error, secrets);
    }
    options.reportRequestId(response.headers.get('x-request-id'));
    const reader = bodyReader(response);
    if (!reader) throw new APIConnectionError('xAI answered the chat request without a body');

    const toolCalls = new ToolCallAccumulator();
    const graph = options.conversationalGraph
      ? new ConversationalGraphStream(options.conversationalGraph)
      : undefined;
    const sse = new SSEDecoder();
    let ended = false; // the body was read to its end
    let done = false; // `data: [DONE]` arrived; what follows is read but ignored (as the SDK did)
    try {
      for (;;) {
        const bytes = await reader.next();
        if (bytes === undefined) {
          ended = true;
          break;
        }
        for (const event of sse.push(bytes)) {
          if (done) continue;
          if (event.data.startsWith('[DONE]')) {
            done = true;
            continue;
          }
          // An empty chunk is a heartbeat for the base's idle timer.
          yield toLLMChunk(parseChunk(event, secrets), toolCalls, graph);
        }
      }
    } catch (error) {
      throw signal.aborted ? signal.reason : toCoreError(error, secrets);
    } finally {
      // Left early (error, cancel, break): cancelling the body closes the HTTP stream.
      if (!ended) reader.cancel();
    }
    // An abort is never a complete reply, however the body ended.
    if (signal.aborted) throw signal.reason;
    if (toolCalls.size > 0) yield { toolCalls: toolCalls.drain() };
    if (graph) {
      const result = graph.finish();
      if (result.ok) {
        yield { metadata: { conversationalGraph: result.value } };
      } else {
        this.reportError(
          new APIError(`xAI conversational-graph reply unusable: ${result.error}`, { retryable: false }),
        );
        yield { metadata: { conversationalGraph: null, conversationalGraphError: result.error } };
      }
    }
  }
}

/** Reads a response body chunk by chunk, from the Node stream when there is one. */
interface BodyReader {
  /** The next bytes, or undefined at the end. */
  next(): Promise<Uint8Array | undefined>;
  /** Stops reading and closes the HTTP stream. */
  cancel(): void;
}

function bodyReader(response: Response): BodyReader | undefined {
  const stream = nodeBodyOf(response);
  if (stream) {
    const chunks = stream[Symbol.asyncIterator]();
    return {
      next: async () => {
        const read = await chunks.next();
        return read.done ? undefined : (read.value as Uint8Array);
      },
      cancel: () => {
        stream.destroy();
      },
    };
  }
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  return {
    next: async () => {
      const read = await reader.read();
      return read.done ? undefined : read.value;
    },
    cancel: () => {
      reader.cancel().catch(() => {});
    },
  };
}

/**
 * One stream event as a chunk. A `{"error": …}` payload or an `event: error` is the typed error
 * the server reported; data that is not JSON throws the SyntaxError `toCoreError` reports as a
 * malformed event.
 */
function parseChunk(event: SSEEvent, secrets: readonly string[]): ChatCompletionChunk {
  if (event.event === 'error') {
    let payload: unknown = event.data;
    try {
      payload = JSON.parse(event.data);
    } catch {
      // not JSON: the text is the message
    }
    const record = payload as { error?: unknown } | null;
    throw streamError(typeof record === 'object' && record?.error ? record.error : payload, secrets);
  }
  const data: unknown = JSON.parse(event.data);
  if (typeof data !== 'object' || data === null) {
    throw new SyntaxError(`expected a JSON object, got ${event.data.slice(0, 40)}`);
  }
  const error = (data as { error?: unknown }).error;
  if (error) throw streamError(error, secrets);
  return data as ChatCompletionChunk;
}

/**
 * What one completion chunk gives the caller: usage, text (through the conversational graph's
 * filter when there is one), reasoning, and the tool calls once the choice finished (their
 * deltas are collected in `toolCalls` until then).
 */
function toLLMChunk(
  chunk: ChatCompletionChunk,
  toolCalls: ToolCallAccumulator,
  graph: ConversationalGraphStream | undefined,
): LLMChunk {
  const out: LLMChunk = {};
  if (chunk.usage) {
    out.usage = {
      promptTokens: chunk.usage.prompt_tokens ?? 0,
      completionTokens: chunk.usage.completion_tokens ?? 0,
      totalTokens: chunk.usage.total_tokens ?? 0,
    };
  }
  const choice = firstChoice(chunk.choices);
  const delta = choice?.delta as
    | (ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null })
    | undefined;
  if (delta?.content) {
    const text = graph ? graph.push(delta.content) : delta.content;
    if (text) out.content = text;
  }
  if (delta?.reasoning_content) out.metadata = { reasoningContent: delta.reasoning_content };
  if (delta?.tool_calls) toolCalls.add(delta.tool_calls as ToolCallDelta[]);
  if (choice?.finish_reason && toolCalls.size > 0) out.toolCalls = toolCalls.drain();
  return out;
}

/** The choice with index 0 (a missing index counts as 0). */
function firstChoice(
  choices: ChatCompletionChunk.Choice[] | undefined,
): ChatCompletionChunk.Choice | undefined {
  if (!choices) return undefined;
  for (const choice of choices) if ((choice.index ?? 0) === 0) return choice;
  return undefined;
}
