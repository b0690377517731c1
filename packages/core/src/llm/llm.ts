import type { ChatContext } from '../chat/chat-context.js';
import type { FunctionTool } from '../chat/function-tool.js';
import { newItemId } from '../chat/chat-context.js';
import { APIError, APITimeoutError, ConfigurationError, isAPIError } from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import type { Usage } from '../metrics/types.js';
import { type ConnectOptions, resolveConnectOptions } from '../retry/connect-options.js';
import { retryDecision } from '../retry/with-retry.js';
import { sleep } from '../retry/sleep.js';
import { cancellationReason, closeQuietly, StreamRace } from './abort.js';
import { type ResolvedConversationalGraph, resolveConversationalGraph } from './conversational-graph.js';
import type {
  LLMAttemptOptions,
  LLMChatOptions,
  LLMChunk,
  LLMEvents,
  LLMResponse,
  ToolChoice,
} from './types.js';

export interface LLMBaseOptions {
  /** Retries, backoff, and the time an attempt may take to produce its first output. */
  connectOptions?: Partial<ConnectOptions>;
  /** Tools used when a `chat()` call gives none. */
  tools?: readonly FunctionTool[];
  /** Tool choice used when a `chat()` call gives none (sent only with tools). */
  toolChoice?: ToolChoice;
}

/**
 * One `chat()` stream. Aborting it aborts the attempt in flight (the provider's signal) and wakes
 * a retry pause; nothing else listens, so a stream that runs to its end creates no abort signal
 * of its own (the one the provider gets is its attempt's).
 */
class Generation {
  /** Its signal only exists once a retry pause needs it. */
  readonly #pause = new AbortController();
  attempt: Attempt | null = null;
  cancelled = false;
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.attempt?.abort(reason);
    this.#pause.abort(reason);
  }

  /** The pause before a retry; rejects with the reason as soon as the generation is aborted. */
  pause(ms: number): Promise<void> {
    return sleep(ms, this.#pause.signal);
  }
}

/** One attempt: the signal the provider gets, and the race its `next()` calls run in. */
class Attempt {
  readonly #controller = new AbortController();
  readonly signal = this.#controller.signal;
  readonly race = new StreamRace();

  abort(reason: unknown): void {
    this.#controller.abort(reason);
    this.race.abort(reason);
  }
}

interface OpenStream {
  attempt: Attempt;
  iterator: AsyncIterator<LLMChunk>;
  /** The first chunk that carries something, or the end. */
  first: IteratorResult<LLMChunk>;
}

/** Generation ids: one random part per process, then a counter (a UUID per stream costs more). */
const GENERATION_PREFIX = newItemId('gen');
let generations = 0;

interface ResolvedChat {
  tools: readonly FunctionTool[];
  toolChoice: ToolChoice | undefined;
  graph: ResolvedConversationalGraph | undefined;
  signal: AbortSignal | undefined;
}

/**
 * A streaming chat model. Providers implement `generate()`, which makes ONE attempt and yields
 * chunks; this base owns everything around it:
 *
 * - **Retry** (with `withRetry`'s rules and backoff) while nothing has been yielded yet, never
 *   once a chunk went out. Each attempt must produce its first chunk within
 *   `connectOptions.timeoutMs`; after that, a gap of `timeoutMs` without any chunk (heartbeats
 *   count) fails the stream with `APITimeoutError`.
 * - **Cancellation**: `cancelCurrentGeneration()`, `close()` and leaving the `for await` loop early
 *   abort the signal the provider passed to its HTTP call; the stream then ends quietly.
 *   Aborting the caller's `signal` ends it by rejecting with the signal's reason.
 * - **Errors**: a failure is thrown from the iterator as an `APIError` subclass AND emitted as an
 *   `error` event (only when the event has listeners). Malformed tool-call arguments are not fatal:
 *   the call is yielded with its `error` set and an `error` event is emitted.
 * - **Metrics**: one `metrics` event (`LLMMetrics`: TTFT, duration, usage, retries, cancelled)
 *   per stream that completed or was cancelled.
 */
export abstract class LLM extends TypedEventEmitter<LLMEvents> {
  abstract readonly provider: string;
  abstract readonly model: string;
  readonly connectOptions: ConnectOptions;
  protected readonly defaultTools: readonly FunctionTool[];
  protected readonly defaultToolChoice: ToolChoice | undefined;
  readonly #active = new Set<Generation>();
  #closed = false;

  constructor(options: LLMBaseOptions = {}) {
    super();
    this.connectOptions = resolveConnectOptions(options.connectOptions);
    this.defaultTools = checkTools('tools', options.tools ?? []);
    this.defaultToolChoice =
      options.toolChoice === undefined ? undefined : checkToolChoice('toolChoice', options.toolChoice);
  }

  /**
   * Performs ONE attempt: sends the request with `options.signal` and yields chunks as they
   * arrive. Throw `APIError` subclasses (retryable ones are retried before the first chunk).
   */
  protected abstract generate(ctx: ChatContext, options: LLMAttemptOptions): AsyncIterable<LLMChunk>;

  /** Releases provider resources; called once by `close()` after cancelling generations. */
  protected async closeResources(): Promise<void> {}

  /** Number of `chat()` streams currently running. */
  get activeGenerations(): number {
    return this.#active.size;
  }

  /**
   * Streams the reply to `ctx`. Options are checked at once (a bad option throws
   * `ConfigurationError` here, not from the iterator); the request starts on the first `next()`.
   */
  chat(ctx: ChatContext, options: LLMChatOptions = {}): AsyncGenerator<LLMResponse, void, undefined> {
    if (this.#closed) throw new APIError(`${this.provider} LLM is closed`, { retryable: false });
    const tools = options.tools === undefined ? this.defaultTools : checkTools('tools', options.tools);
    let toolChoice: ToolChoice | undefined;
    if (options.toolChoice !== undefined) {
      // An explicit choice must fit this call's tools.
      toolChoice = checkToolChoice('toolChoice', options.toolChoice);
      const named = typeof toolChoice === 'object' ? toolChoice.name : undefined;
      if (named !== undefined && !tools.some((tool) => tool.name === named)) {
        throw new ConfigurationError(
          'toolChoice.name',
          named,
          `the name of one of the tools (${tools.map((t) => t.name).join(', ') || 'none given'})`,
        );
      }
      if (toolChoice === 'required' && tools.length === 0) {
        throw new ConfigurationError('toolChoice', 'required', '"auto" or "none" when no tools are given');
      }
    } else {
      // The LLM's default choice is dropped where it does not fit this call's tools.
      const fallback = this.defaultToolChoice;
      const fits =
        typeof fallback === 'object' ? tools.some((tool) => tool.name === fallback.name) : tools.length > 0;
      toolChoice = fits ? fallback : undefined;
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new ConfigurationError('signal', typeof options.signal, 'an AbortSignal');
    }
    const graph =
      options.conversationalGraph === undefined
        ? undefined
        : resolveConversationalGraph(options.conversationalGraph);
    return this.#stream(ctx, {
      tools,
      toolChoice: tools.length > 0 ? toolChoice : undefined,
      graph,
      signal: options.signal,
    });
  }

  /** Aborts every running `chat()` stream (and its HTTP request); each ends without an error. */
  cancelCurrentGeneration(): void {
    for (const generation of this.#active) {
      generation.cancelled = true;
      generation.abort(cancellationReason());
    }
  }

  /** Cancels running streams and releases resources. Idempotent; `chat()` then throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.cancelCurrentGeneration();
    await this.closeResources();
  }

  async *#stream(ctx: ChatContext, chat: ResolvedChat): AsyncGenerator<LLMResponse, void, undefined> {
    chat.signal?.throwIfAborted();
    const generation = new Generation();
    const callerSignal = chat.signal;
    const onCallerAbort = () => generation.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    this.#active.add(generation);

    const startedAt = performance.now();
    let ttftMs: number | null = null;
    let usage: Usage | null = null;
    let requestId: string | null = null;
    let retries = 0;
    let outcome: 'done' | 'cancelled' | 'aborted' | 'error' = 'cancelled';
    let attempt: Attempt | undefined;
    let iterator: AsyncIterator<LLMChunk> | undefined;

    try {
      const open = await this.#open(ctx, chat, generation, {
        reportRequestId: (id) => {
          requestId = id ?? null;
        },
        onRetry: (retry) => {
          retries = retry;
        },
      });
      attempt = open.attempt;
      iterator = open.iterator;
      const { race, signal } = attempt;
      const timeoutMs = this.connectOptions.timeoutMs;
      race.watchIdle(timeoutMs, () =>
        generation.abort(new APITimeoutError(`${this.provider} stream sent nothing for ${timeoutMs} ms`)),
      );
      let result = open.first;
      while (!result.done) {
        const chunk = result.value;
        const response: LLMResponse = {
          role: 'assistant',
          content: chunk.content ?? '',
          toolCalls: chunk.toolCalls ?? [],
        };
        if (chunk.usage) {
          usage = chunk.usage;
          response.usage = chunk.usage;
        }
        if (chunk.metadata) response.metadata = chunk.metadata;
        if (ttftMs === null && (response.content !== '' || response.toolCalls.length > 0)) {
          ttftMs = performance.now() - startedAt;
        }
        for (const call of response.toolCalls) {
          if (call.error !== undefined) {
            this.#emitError(
              new APIError(
                `${this.provider} tool call "${call.name}" (${call.callId}) is unusable: ${call.error}`,
                { retryable: false },
              ),
            );
          }
        }
        yield response;
        result = await nextNonEmpty(iterator, race, signal);
      }
      outcome = 'done';
    } catch (raw) {
      if (generation.cancelled) {
        outcome = 'cancelled';
        return;
      }
      if (callerSignal?.aborted) {
        outcome = 'aborted';
        throw callerSignal.reason;
      }
      outcome = 'error';
      const error = this.#toAPIError(raw);
      this.#emitError(error);
      throw error;
    } finally {
      callerSignal?.removeEventListener('abort', onCallerAbort);
      this.#active.delete(generation);
      attempt?.race.dispose();
      // A stream that ran to its end has nothing open: the provider's iterator finished, so its
      // HTTP response was read to the end. Anything else (cancel, break, error) may still hold the
      // request: abort it (which closes the HTTP stream) and close the iterator.
      if (outcome !== 'done') {
        if (!generation.aborted) generation.abort(cancellationReason('The stream was closed'));
        closeQuietly(iterator);
      }
      if (outcome !== 'error' && this.listenerCount('metrics') > 0) {
        this.emit('metrics', {
          type: 'llm',
          provider: this.provider,
          model: this.model,
          requestId,
          ttftMs,
          durationMs: performance.now() - startedAt,
          usage,
          cancelled: outcome !== 'done',
          retries,
        });
      }
    }
  }

  /**
   * Makes attempts until one yields a chunk that carries something, as `withRetry` does: each
   * attempt has `connectOptions.timeoutMs` to get there (then it is aborted and fails with
   * `APITimeoutError`); retryable failures are retried up to `maxRetry` times after a backoff
   * pause; aborting the generation ends the attempt or pause at once with its reason.
   */
  async #open(
    ctx: ChatContext,
    chat: ResolvedChat,
    generation: Generation,
    hooks: { reportRequestId: (id: string | null | undefined) => void; onRetry: (retry: number) => void },
  ): Promise<OpenStream> {
    const { timeoutMs } = this.connectOptions;
    const label = `${this.provider} chat request`;
    const generationId = `${GENERATION_PREFIX}_${++generations}`;
    for (let number = 0; ; number++) {
      if (generation.aborted) throw generation.reason;
      const attempt = new Attempt();
      generation.attempt = attempt;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort(new APITimeoutError(`${label} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      let iterator: AsyncIterator<LLMChunk> | undefined;
      try {
        iterator = this.generate(ctx, {
          tools: chat.tools,
          toolChoice: chat.toolChoice,
          conversationalGraph: chat.graph,
          signal: attempt.signal,
          attempt: number,
          generationId,
          reportRequestId: hooks.reportRequestId,
        })[Symbol.asyncIterator]();
        const first = await nextNonEmpty(iterator, attempt.race, attempt.signal);
        return { attempt, iterator, first };
      } catch (raw) {
        attempt.race.dispose();
        closeQuietly(iterator);
        if (generation.aborted) throw generation.reason;
        const failure = attempt.signal.aborted ? attempt.signal.reason : raw;
        const { error, delayMs } = retryDecision(failure, number, this.connectOptions, timedOut, label);
        if (delayMs === null) throw error;
        hooks.onRetry(number + 1);
        await generation.pause(delayMs);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Emits a non-fatal `error` event (only when someone listens), e.g. for an unusable reply part. */
  protected reportError(error: APIError): void {
    this.#emitError(error);
  }

  #emitError(error: APIError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #toAPIError(error: unknown): APIError {
    if (isAPIError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new APIError(`${this.provider} chat failed: ${message}`, { retryable: false, cause: error });
  }
}

/** The next chunk that carries something; heartbeats (empty chunks) only restart the idle wait. */
async function nextNonEmpty(
  iterator: AsyncIterator<LLMChunk>,
  race: StreamRace,
  signal: AbortSignal,
): Promise<IteratorResult<LLMChunk>> {
  for (;;) {
    const result = await race.next(iterator.next());
    // Some clients end a stream quietly when aborted; an abort is never a normal end.
    if (signal.aborted) throw signal.reason;
    if (result.done || !isEmptyChunk(result.value)) return result;
  }
}

function isEmptyChunk(chunk: LLMChunk): boolean {
  return (
    !chunk.content &&
    (chunk.toolCalls === undefined || chunk.toolCalls.length === 0) &&
    chunk.usage === undefined &&
    chunk.metadata === undefined
  );
}

function checkTools(option: string, tools: readonly FunctionTool[]): readonly FunctionTool[] {
  if (!Array.isArray(tools)) throw new ConfigurationError(option, tools, 'an array of function tools');
  const names = new Set<string>();
  for (const tool of tools) {
    if (typeof tool?.name !== 'string' || typeof tool.toOpenAITool !== 'function') {
      throw new ConfigurationError(option, tool, 'tools made with functionTool()');
    }
    if (names.has(tool.name)) {
      throw new ConfigurationError(option, tool.name, 'unique tool names', 'Two tools share this name');
    }
    names.add(tool.name);
  }
  return tools;
}

function checkToolChoice(option: string, choice: ToolChoice): ToolChoice {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (typeof choice === 'object' && choice !== null && typeof choice.name === 'string')
    return { name: choice.name };
  throw new ConfigurationError(option, choice, '"auto", "none", "required" or {name: "<tool name>"}');
}
