import {
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
import { toCoreError } from './errors.js';
import { type ResolvedXAILLMOptions, type XAILLMOptions, resolveXAILLMOptions } from './options.js';
import { buildRequestBody } from './request.js';
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

  constructor(options: XAILLMOptions = {}) {
    super({
      connectOptions: options.connectOptions,
      tools: options.tools,
      toolChoice: options.toolChoice ?? 'auto',
    });
    this.#options = resolveXAILLMOptions(options);
    this.model = this.#options.model;
    this.#client = new OpenAI({
      apiKey: this.#options.apiKey,
      baseURL: this.#options.baseURL,
      maxRetries: 0, // the LLM base owns retry
      organization: null, // never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment
      project: null,
      logLevel: 'off',
    });
  }

  /** The base URL requests go to. */
  get baseURL(): string {
    return this.#options.baseURL;
  }

  protected override async *generate(ctx: ChatContext, options: LLMAttemptOptions): AsyncIterable<LLMChunk> {
    const body = buildRequestBody(ctx, this.#options, options);
    const { signal } = options;
    const secrets = [this.#options.apiKey];
    let stream: AsyncIterable<ChatCompletionChunk>;
    try {
      const { data, response, request_id } = await this.#client.chat.completions
        .create(body as unknown as ChatCompletionCreateParamsStreaming, { signal })
        .withResponse();
      options.reportRequestId(response.headers.get('x-request-id') ?? request_id);
      stream = data;
    } catch (error) {
      throw signal.aborted ? signal.reason : toCoreError(error, secrets);
    }

    const toolCalls = new ToolCallAccumulator();
    const graph = options.conversationalGraph
      ? new ConversationalGraphStream(options.conversationalGraph)
      : undefined;
    try {
      for await (const chunk of stream) {
        const out: LLMChunk = {};
        if (chunk.usage) {
          out.usage = {
            promptTokens: chunk.usage.prompt_tokens ?? 0,
            completionTokens: chunk.usage.completion_tokens ?? 0,
            totalTokens: chunk.usage.total_tokens ?? 0,
          };
        }
        const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
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
        yield out; // an empty chunk is a heartbeat for the base's idle timer
      }
    } catch (error) {
      throw signal.aborted ? signal.reason : toCoreError(error, secrets);
    }
    // The SDK ends the stream quietly when aborted; that is not a complete reply.
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
