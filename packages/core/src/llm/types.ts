import type { FunctionTool } from '../chat/function-tool.js';
import type { APIError } from '../errors/errors.js';
import type { LLMMetrics, Usage } from '../metrics/types.js';
import type { ConversationalGraph, ResolvedConversationalGraph } from './conversational-graph.js';

/** Whether and which tool the model must call. `{name}` forces that tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** A tool call the model made, complete (emitted once its arguments have fully arrived). */
export interface FunctionCall {
  callId: string;
  name: string;
  /** The parsed arguments object; undefined when they did not parse (see `error`). */
  arguments: Record<string, unknown> | undefined;
  /** The arguments exactly as the model sent them. */
  rawArguments: string;
  /** Why the arguments could not be used, when they could not. */
  error?: string;
}

/** One streamed piece of a reply. `content` is a delta; most chunks carry only one of the fields. */
export interface LLMResponse {
  role: 'assistant';
  content: string;
  toolCalls: FunctionCall[];
  usage?: Usage;
  /** Provider extras: `conversationalGraph` (the parsed structured reply), `reasoningContent`… */
  metadata?: Record<string, unknown>;
}

/**
 * What a provider yields from one attempt. A chunk with nothing in it is a heartbeat: it is not
 * passed on, but shows the stream is alive (see the idle timeout in `LLM`).
 */
export interface LLMChunk {
  content?: string;
  toolCalls?: FunctionCall[];
  usage?: Usage;
  metadata?: Record<string, unknown>;
}

export interface LLMChatOptions {
  /** Tools for this request; defaults to the LLM's own `tools` option. */
  tools?: readonly FunctionTool[];
  toolChoice?: ToolChoice;
  /** Ask for a structured reply and stream only its `response_to_user` text. */
  conversationalGraph?: ConversationalGraph;
  /** Aborting rejects the stream with the signal's reason and closes the request. */
  signal?: AbortSignal;
}

/** What the base hands the provider for one attempt. */
export interface LLMAttemptOptions {
  tools: readonly FunctionTool[];
  /** Only set when there are tools. */
  toolChoice: ToolChoice | undefined;
  conversationalGraph: ResolvedConversationalGraph | undefined;
  /** Pass to the HTTP call: it aborts on cancel, on the caller's signal and on timeouts. */
  signal: AbortSignal;
  /** 0 for the first attempt, then 1, 2… for retries. */
  attempt: number;
  /** Stable across the attempts of one `chat()` call. */
  generationId: string;
  /** Report the server's request id (`x-request-id`) for metrics and errors. */
  reportRequestId(requestId: string | null | undefined): void;
}

export type LLMEvents = {
  /**
   * A problem: every error that ends a `chat()` stream (also thrown from its iterator), and
   * non-fatal ones such as tool-call arguments that do not parse (not thrown). Emitted only
   * when someone listens, so an unhandled `error` never crashes the process.
   */
  error: (error: APIError) => void;
  /** One record per `chat()` stream that completed or was cancelled. */
  metrics: (metrics: LLMMetrics) => void;
};
