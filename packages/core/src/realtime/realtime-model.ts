import type { AudioFrame, ResamplerQuality } from '@x/audio';
import type { AudioOutput } from '../audio-io/audio-output.js';
import { type Agent, ChatContext } from '../chat/index.js';
import { APIConnectionError, type APIError, isAPIError } from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import { type ConnectOptions, resolveConnectOptions } from '../retry/connect-options.js';
import { withRetry } from '../retry/with-retry.js';
import { type RealtimeConversationEntry, RealtimeConversationLog } from './conversation.js';
import type { RealtimeEvents } from './events.js';
import { RealtimeInputConverter, RealtimeSampleBatcher } from './input-audio.js';
import { RealtimeOutputConverter } from './output-audio.js';
import {
  type RealtimeFunctionCall,
  type RealtimeFunctionCallResult,
  RealtimeReplyTracker,
  type RealtimeResponseDone,
} from './reply-tracker.js';

export type {
  RealtimeFunctionCall,
  RealtimeFunctionCallResult,
  RealtimeResponseDone,
} from './reply-tracker.js';

export interface RealtimeModelOptions {
  /** Provider name for metrics (`xai`). */
  provider: string;
  /** Model id for metrics. */
  model: string;
  /** Rate of the mono PCM16 the provider sends (`sendAudio` receives audio at this rate). */
  inputSampleRate: number;
  /** Rate of the mono PCM16 the provider hands to `handleAudioDelta`. */
  outputSampleRate: number;
  /** Where agent audio goes; can be set later through `output`. */
  output?: AudioOutput;
  connectOptions?: Partial<ConnectOptions>;
  /** User audio per `sendAudio` call (batched), default 40 ms. */
  inputBatchMs?: number;
  /** User audio held while not connected (before ready, while reconnecting), default 10 000 ms; older audio is dropped beyond it. */
  maxBufferedInputMs?: number;
  resamplerQuality?: ResamplerQuality;
}

export type RealtimeConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

type QueuedInput = { kind: 'audio'; samples: Int16Array } | { kind: 'action'; run: () => void };

const MAX_QUEUED_ACTIONS = 256;

/**
 * The base of every realtime (speech-to-speech) model. It owns the parts that do not depend on a
 * provider's wire protocol:
 * - user audio: any rate/channel count converted to mono at `inputSampleRate` (remix + one
 *   stateful resampler per input format), batched, and held (bounded) while not connected;
 * - agent audio: pushed in arrival order to `output` (resampled to its rate), `agent_speech_started`
 *   on the first audio of a reply, `agent_speech_ended` when it has played out or was cut;
 * - barge-in: user speech (or `interrupt()`) stops the output at once, cancels a reply in progress,
 *   and records what the user heard (`min(elapsed, played)`) in the client-side history;
 * - the tool loop: each call runs the agent's tool through `executeToolCall` (validated arguments,
 *   errors become error outputs), sends the output, and asks for ONE follow-up reply once the
 *   reply that made the calls is done and all its calls have answered;
 * - metrics per reply (end of user turn → first audio, interruptions, usage);
 * - connection lifecycle: connect with retry, reconnect after an unexpected drop, then replay the
 *   history through the provider.
 *
 * A provider implements the `protected abstract` transport hooks and calls the `handle*` methods
 * as server events arrive.
 */
export abstract class RealtimeModel extends TypedEventEmitter<RealtimeEvents> {
  readonly provider: string;
  readonly model: string;
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  protected readonly connectOptions: ConnectOptions;

  readonly #log = new RealtimeConversationLog();
  readonly #inputConverter: RealtimeInputConverter;
  readonly #batcher: RealtimeSampleBatcher;
  readonly #maxBufferedSamples: number;
  readonly #resamplerQuality: ResamplerQuality | undefined;
  #output: AudioOutput | undefined;
  #outputConverter: RealtimeOutputConverter;
  #agent: Agent | undefined;

  #state: RealtimeConnectionState = 'idle';
  #connecting: Promise<void> | undefined;
  #closePromise: Promise<void> | undefined;
  readonly #lifetime = new AbortController();
  #epoch = 0;
  readonly #queue: QueuedInput[] = [];
  #queuedSamples = 0;
  #queuedActions = 0;
  #droppedInputSamples = 0;

  readonly #replies: RealtimeReplyTracker;
  /** The history as it was when the connection dropped: what the next connection gets replayed. */
  #replay: RealtimeConversationEntry[] = [];

  constructor(options: RealtimeModelOptions) {
    super();
    this.provider = options.provider;
    this.model = options.model;
    this.inputSampleRate = options.inputSampleRate;
    this.outputSampleRate = options.outputSampleRate;
    this.connectOptions = resolveConnectOptions(options.connectOptions);
    this.#resamplerQuality = options.resamplerQuality;
    this.#inputConverter = new RealtimeInputConverter(options.inputSampleRate, options.resamplerQuality);
    const batchMs = options.inputBatchMs ?? 40;
    this.#batcher = new RealtimeSampleBatcher(
      Math.max(1, Math.round((batchMs * options.inputSampleRate) / 1000)),
    );
    this.#maxBufferedSamples = Math.round(
      ((options.maxBufferedInputMs ?? 10_000) * options.inputSampleRate) / 1000,
    );
    this.#output = options.output;
    this.#outputConverter = new RealtimeOutputConverter(
      options.outputSampleRate,
      options.output?.sampleRate,
      options.resamplerQuality,
    );
    this.#replies = new RealtimeReplyTracker({
      provider: this.provider,
      model: this.model,
      outputSampleRate: this.outputSampleRate,
      log: this.#log,
      signal: this.#lifetime.signal,
      output: () => this.#output,
      outputConverter: () => this.#outputConverter,
      tools: () => this.#agent?.tools ?? [],
      isClosed: () => this.#isClosed(),
      emit: (event, ...args) => this.emit(event, ...args),
      whenReady: (run) => this.#whenReady(run),
      ifReady: (run) => {
        if (this.#state === 'ready') run();
      },
      sendCreateResponse: () => this.sendCreateResponse(),
      sendCancelResponse: () => this.sendCancelResponse(),
      sendFunctionCallOutput: (result) => this.sendFunctionCallOutput(result),
      truncateItem: (itemId, audioEndMs) => this.truncateItem(itemId, audioEndMs),
    });
  }

  // ---------------------------------------------------------------- public API

  /** Where agent audio goes. Changing it mid-reply starts the new output at the next audio. */
  get output(): AudioOutput | undefined {
    return this.#output;
  }
  set output(output: AudioOutput | undefined) {
    this.#output = output;
    this.#outputConverter = new RealtimeOutputConverter(
      this.outputSampleRate,
      output?.sampleRate,
      this.#resamplerQuality,
    );
  }

  get connectionState(): RealtimeConnectionState {
    return this.#state;
  }

  /**
   * The conversation as the client saw it, in order (interrupted replies cut at what was heard;
   * items without text, such as speech that produced no transcript, left out).
   */
  get history(): readonly RealtimeConversationEntry[] {
    return this.#log.nonEmpty();
  }

  /** The history as a `ChatContext` (e.g. to hand over to a cascaded pipeline). */
  chatContext(): ChatContext {
    const ctx = ChatContext.empty();
    for (const entry of this.#log.nonEmpty()) {
      if (entry.type === 'message') {
        ctx.addMessage({ role: entry.role, content: entry.text, interrupted: entry.interrupted });
      } else if (entry.type === 'function_call') {
        ctx.addFunctionCall({ callId: entry.callId, name: entry.name, arguments: entry.arguments });
      } else {
        ctx.addFunctionCallOutput({
          callId: entry.callId,
          name: entry.name,
          output: entry.output,
          isError: entry.isError,
        });
      }
    }
    return ctx;
  }

  /** User audio dropped because too much was held while not connected. */
  get droppedInputMs(): number {
    return (this.#droppedInputSamples * 1000) / this.inputSampleRate;
  }

  /** The agent whose instructions and tools the session uses. */
  get agent(): Agent | undefined {
    return this.#agent;
  }

  /** Uses `agent`'s instructions and tools from now on (updates a live session). */
  setAgent(agent: Agent): void {
    this.#agent = agent;
    if (this.#state === 'ready') this.sendSessionUpdate();
  }

  /**
   * Opens the session (retrying per `connectOptions`); resolves once the server is ready for
   * audio. Calling it again while connecting returns the same promise.
   */
  connect(): Promise<void> {
    if (this.#state === 'closed') {
      return Promise.reject(new APIConnectionError('the realtime model is closed', { retryable: false }));
    }
    if (this.#state === 'ready' || this.#state === 'reconnecting') return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    this.#state = 'connecting';
    const connecting = this.#openWithRetry()
      .then(() => {
        if (this.#isClosed()) throw new APIConnectionError('closed while connecting', { retryable: false });
        this.#becomeReady();
      })
      .catch((error: unknown) => {
        if (this.#state === 'connecting') this.#state = 'idle';
        throw error;
      })
      .finally(() => {
        this.#connecting = undefined;
      });
    this.#connecting = connecting;
    return connecting;
  }

  /** Sends user audio of any rate and channel count (converted explicitly from the frame's format). */
  pushAudio(frame: AudioFrame): void {
    if (this.#isClosed()) return;
    for (const chunk of this.#inputConverter.convert(frame)) {
      if (chunk.length === 0) continue;
      for (const batch of this.#batcher.push(chunk)) this.#sendOrQueueAudio(batch);
    }
  }

  /** Ends the user's audio turn (manual turn detection): sends buffered audio, then commits. */
  commitAudio(): void {
    if (this.#isClosed()) return;
    this.#flushInput();
    this.#replies.markTurnEnd();
    this.#whenReady(() => this.sendCommit());
  }

  /** Asks the model for a reply now (manual turn detection, or after `sendText` of context). */
  createResponse(): void {
    if (this.#isClosed()) return;
    this.#replies.markTurnEnd();
    this.#whenReady(() => this.sendCreateResponse());
  }

  /** Adds a typed user message and asks for a reply; an agent reply in progress is interrupted. */
  sendText(text: string): void {
    if (this.#isClosed()) return;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new TypeError('sendText needs a non-empty string');
    }
    this.#replies.interrupt();
    this.#log.addUserText(text);
    this.#replies.markTurnEnd();
    this.#whenReady(() => {
      this.sendUserMessage(text);
      this.sendCreateResponse();
    });
  }

  /** Stops the agent now: local playback, the reply being generated, and the history cut at what was heard. */
  interrupt(): void {
    if (this.#isClosed()) return;
    this.#replies.interrupt();
  }

  /** Closes the session; idempotent. Agent audio still playing is stopped. */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#state = 'closed';
    this.#lifetime.abort(new APIConnectionError('the realtime model was closed', { retryable: false }));
    this.#replies.close();
    this.#inputConverter.reset();
    this.#batcher.reset();
    this.#queue.length = 0;
    this.#queuedSamples = 0;
    this.#queuedActions = 0;
    this.#closePromise = this.closeConnection().catch(() => undefined);
    return this.#closePromise;
  }

  // ---------------------------------------------------------------- provider hooks

  /**
   * Opens a connection and completes the handshake (session configured); resolves when the server
   * is ready for audio. Must honour `signal` (abort = close the half-open connection and reject).
   * Retryable failures must be `APIError`s with `retryable: true`.
   */
  protected abstract openConnection(signal: AbortSignal, attempt: number): Promise<void>;
  /** Closes the connection without reporting it as lost. */
  protected abstract closeConnection(): Promise<void>;
  /** Sends mono PCM16 user audio at `inputSampleRate`. */
  protected abstract sendAudio(samples: Int16Array): void;
  protected abstract sendCommit(): void;
  protected abstract sendUserMessage(text: string): void;
  protected abstract sendCreateResponse(): void;
  /** Asks the server to stop the reply in progress. */
  protected abstract sendCancelResponse(): void;
  protected abstract sendFunctionCallOutput(result: RealtimeFunctionCallResult): void;
  /** The agent changed while connected: send the session configuration again. */
  protected abstract sendSessionUpdate(): void;
  /** After a reconnect: add these items (the history before the drop) to the new session. */
  protected abstract restoreConversation(entries: readonly RealtimeConversationEntry[]): void;

  /**
   * Called when a reply is cut: `audioEndMs` of item `itemId` were heard. Providers whose server
   * supports truncating an item send it here; the default does nothing (the client-side history
   * already records the cut).
   */
  protected truncateItem(_itemId: string, _audioEndMs: number): void {}

  /** The connection epoch: bumps on every (re)connect, so a provider can ignore stale sockets. */
  protected get connectionEpoch(): number {
    return this.#epoch;
  }

  // ---------------------------------------------------------------- server events → base

  protected handleUserSpeechStarted(itemId?: string): void {
    if (this.#isClosed()) return;
    if (itemId !== undefined) this.#log.message('user', itemId);
    this.emit('user_speech_started');
    this.#replies.interrupt();
  }

  protected handleUserSpeechStopped(itemId?: string): void {
    if (this.#isClosed()) return;
    if (itemId !== undefined) this.#log.message('user', itemId);
    this.#replies.markTurnEnd();
    this.emit('user_speech_ended');
  }

  /** The server created a user item (e.g. committed audio): reserves its place in the history. */
  protected handleUserItem(itemId: string): void {
    if (this.#isClosed()) return;
    this.#log.message('user', itemId);
  }

  protected handleUserTranscript(itemId: string | undefined, text: string, final = true): void {
    if (this.#isClosed()) return;
    const entry = this.#log.message('user', itemId);
    entry.text = text;
    entry.final = final;
    this.emit('transcription', {
      role: 'user',
      text,
      final,
      ...(itemId !== undefined ? { itemId } : {}),
    });
  }

  protected handleResponseCreated(responseId: string): void {
    if (!this.#isClosed()) this.#replies.responseCreated(responseId);
  }

  /** Agent audio (mono PCM16 at `outputSampleRate`), in arrival order. */
  protected handleAudioDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    samples: Int16Array,
  ): void {
    if (!this.#isClosed()) this.#replies.audioDelta(responseId, itemId, samples);
  }

  /** A piece of the spoken reply's transcript. */
  protected handleTranscriptDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    delta: string,
  ): void {
    if (!this.#isClosed()) this.#replies.transcriptDelta(responseId, itemId, delta);
  }

  protected handleTranscriptDone(
    responseId: string | undefined,
    itemId: string | undefined,
    text?: string,
  ): void {
    if (!this.#isClosed()) this.#replies.transcriptDone(responseId, itemId, text);
  }

  /** Text of a text-only reply. */
  protected handleTextDelta(responseId: string | undefined, itemId: string | undefined, delta: string): void {
    if (!this.#isClosed()) this.#replies.textDelta(responseId, itemId, delta);
  }

  protected handleTextDone(responseId: string | undefined, itemId: string | undefined, text?: string): void {
    if (!this.#isClosed()) this.#replies.textDone(responseId, itemId, text);
  }

  /**
   * A complete function call. Runs once per `callId` (servers may announce a call several times).
   * `responseId` defaults to the reply in progress.
   */
  protected handleFunctionCall(responseId: string | undefined, call: RealtimeFunctionCall): void {
    if (!this.#isClosed()) this.#replies.functionCall(responseId, call);
  }

  protected handleResponseDone(responseId: string | undefined, info: RealtimeResponseDone): void {
    if (!this.#isClosed()) this.#replies.responseDone(responseId, info);
  }

  /** The server reported an error; benign ones should be filtered by the provider. */
  protected handleServerError(error: APIError): void {
    if (this.#isClosed()) return;
    this.reportError(error);
  }

  /**
   * Emits `error`. Errors reported from socket callbacks cannot be thrown to anyone, so with no
   * `error` listener they become a process warning instead of crashing the process.
   */
  protected reportError(error: APIError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(`${this.provider} realtime: ${error.message}`, { code: 'X_REALTIME_ERROR' });
  }

  protected handleUnknownEvent(type: string, raw: unknown): void {
    if (this.#isClosed()) return;
    this.emit('unknown_event', { type, raw });
  }

  /** The connection dropped unexpectedly: reconnects (with backoff) and replays the session. */
  protected handleConnectionLost(cause: unknown): void {
    if (this.#state !== 'ready') return;
    this.#state = 'reconnecting';
    this.#epoch++;
    // Items added while reconnecting (typed text) go out through the queue, not the replay.
    this.#replay = this.#log.entries.slice();
    // Replies in flight are over: what arrived keeps playing, the rest is lost.
    this.#replies.connectionLost();
    void this.#reconnect(cause);
  }

  // ---------------------------------------------------------------- internals

  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  async #openWithRetry(): Promise<number> {
    let attempts = 0;
    await withRetry(
      (signal, attempt) => {
        attempts = attempt + 1;
        // A provider that ignores the signal must still not hang the retry loop.
        return raceAbort(this.openConnection(signal, attempt), signal);
      },
      {
        connectOptions: this.connectOptions,
        signal: this.#lifetime.signal,
        label: `${this.provider} realtime connect`,
      },
    );
    return attempts;
  }

  async #reconnect(cause: unknown): Promise<void> {
    let attempts: number;
    try {
      attempts = await this.#openWithRetry();
    } catch (error) {
      if (this.#isClosed()) return;
      const fatal = isAPIError(error)
        ? error
        : new APIConnectionError('reconnecting failed', { cause: error ?? cause, retryable: false });
      void this.close();
      this.reportError(fatal);
      return;
    }
    if (this.#isClosed()) {
      await this.closeConnection().catch(() => undefined);
      return;
    }
    const replay = this.#replay.filter((entry) => entry.type !== 'message' || entry.text.trim() !== '');
    this.#replay = [];
    this.restoreConversation(replay);
    this.#becomeReady();
    this.emit('reconnected', { attempts, replayedItems: replay.length });
  }

  #becomeReady(): void {
    this.#state = 'ready';
    this.#epoch++;
    const queued = this.#queue.splice(0);
    this.#queuedSamples = 0;
    this.#queuedActions = 0;
    for (const item of queued) {
      if (this.#state !== 'ready') {
        // The connection dropped while replaying the queue: keep the rest for the next one.
        this.#enqueue(item);
        continue;
      }
      if (item.kind === 'audio') this.sendAudio(item.samples);
      else item.run();
    }
  }

  #whenReady(run: () => void): void {
    if (this.#state === 'ready') run();
    else this.#enqueue({ kind: 'action', run });
  }

  #sendOrQueueAudio(samples: Int16Array): void {
    if (this.#state === 'ready') this.sendAudio(samples);
    else this.#enqueue({ kind: 'audio', samples });
  }

  #enqueue(item: QueuedInput): void {
    this.#queue.push(item);
    if (item.kind === 'audio') this.#queuedSamples += item.samples.length;
    else this.#queuedActions++;
    // Bounded: drop the oldest audio (then the oldest actions) beyond the limits.
    while (this.#queuedSamples > this.#maxBufferedSamples || this.#queuedActions > MAX_QUEUED_ACTIONS) {
      const dropAudio = this.#queuedSamples > this.#maxBufferedSamples;
      const index = this.#queue.findIndex((q) => q.kind === (dropAudio ? 'audio' : 'action'));
      if (index < 0) break;
      const [dropped] = this.#queue.splice(index, 1);
      if (dropped?.kind === 'audio') {
        this.#queuedSamples -= dropped.samples.length;
        this.#droppedInputSamples += dropped.samples.length;
      } else {
        this.#queuedActions--;
      }
    }
  }

  #flushInput(): void {
    const tail = this.#inputConverter.flush();
    if (tail.length > 0) for (const batch of this.#batcher.push(tail)) this.#sendOrQueueAudio(batch);
    const rest = this.#batcher.flush();
    if (rest) this.#sendOrQueueAudio(rest);
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
