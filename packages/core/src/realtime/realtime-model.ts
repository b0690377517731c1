import type { AudioFrame, ResamplerQuality } from '@x/audio';
import type { AudioOutput } from '../audio-io/audio-output.js';
import { type Agent, ChatContext, executeToolCall } from '../chat/index.js';
import { APIConnectionError, type APIError, isAPIError } from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import type { Usage } from '../metrics/types.js';
import { type ConnectOptions, resolveConnectOptions } from '../retry/connect-options.js';
import { withRetry } from '../retry/with-retry.js';
import {
  type RealtimeConversationEntry,
  RealtimeConversationLog,
  type RealtimeMessageEntry,
} from './conversation.js';
import type { RealtimeEvents } from './events.js';
import { RealtimeInputConverter, RealtimeSampleBatcher } from './input-audio.js';
import { allocatePlayedMs, truncateTranscript, truncationPointMs } from './interruption.js';
import { RealtimeOutputConverter } from './output-audio.js';

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

/** A complete function call from the model. */
export interface RealtimeFunctionCall {
  callId: string;
  name: string;
  /** Raw JSON text. */
  arguments: string;
}

/** The outcome of running a tool, sent back to the model. */
export interface RealtimeFunctionCallResult {
  callId: string;
  name: string;
  output: string;
  isError: boolean;
}

export interface RealtimeResponseDone {
  /** `completed`, `cancelled`, `failed`, `incomplete`, or what the server said. */
  status: string;
  usage?: Usage | null;
}

interface ResponseState {
  id: string;
  /** End of the user's turn (or the request) this reply answers; the ttfb anchor. */
  anchorMs: number | null;
  createdAtMs: number;
  firstAudioAtMs: number | null;
  audioMs: number;
  done: boolean;
  doneAtMs: number | null;
  status: string;
  usage: Usage | null;
  interrupted: boolean;
  /** The reply's audio finished playing or was cut (or it had none). */
  playoutEnded: boolean;
  metricsEmitted: boolean;
  /** Assistant messages of this reply (audio transcripts). */
  messages: RealtimeMessageEntry[];
  /** Text of a text-only reply. */
  text: Map<string, string>;
  toolCalls: number;
  pendingTools: number;
  followUpSent: boolean;
}

interface SpeechPeriod {
  /** Replies whose audio is in the output, in push order. */
  responses: ResponseState[];
  startedAtMs: number;
  generation: number;
}

type QueuedInput = { kind: 'audio'; samples: Int16Array } | { kind: 'action'; run: () => void };

const MAX_QUEUED_ACTIONS = 256;
const FINISHED_IDS_KEPT = 256;

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

  readonly #responses = new Map<string, ResponseState>();
  readonly #finishedIds: string[] = [];
  #syntheticIds = 0;
  #turnEndAtMs: number | null = null;
  #speech: SpeechPeriod | undefined;
  #speechGeneration = 0;
  readonly #seenCallIds = new Set<string>();
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

  /** The conversation as the client saw it (interrupted replies cut at what was heard). */
  get history(): readonly RealtimeConversationEntry[] {
    return this.#log.entries;
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
    this.#turnEndAtMs = now();
    this.#whenReady(() => this.sendCommit());
  }

  /** Asks the model for a reply now (manual turn detection, or after `sendText` of context). */
  createResponse(): void {
    if (this.#isClosed()) return;
    this.#turnEndAtMs = now();
    this.#whenReady(() => this.sendCreateResponse());
  }

  /** Adds a typed user message and asks for a reply; an agent reply in progress is interrupted. */
  sendText(text: string): void {
    if (this.#isClosed()) return;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new TypeError('sendText needs a non-empty string');
    }
    this.#interruptAgent();
    this.#log.addUserText(text);
    this.#turnEndAtMs = now();
    this.#whenReady(() => {
      this.sendUserMessage(text);
      this.sendCreateResponse();
    });
  }

  /** Stops the agent now: local playback, the reply being generated, and the history cut at what was heard. */
  interrupt(): void {
    if (this.#isClosed()) return;
    this.#interruptAgent();
  }

  /** Closes the session; idempotent. Agent audio still playing is stopped. */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#state = 'closed';
    this.#lifetime.abort(new APIConnectionError('the realtime model was closed', { retryable: false }));
    if (this.#speech) {
      const played = this.#output?.playedMs ?? 0;
      this.#output?.interrupt();
      this.#endSpeech(true, played);
    }
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
    this.#interruptAgent();
  }

  protected handleUserSpeechStopped(itemId?: string): void {
    if (this.#isClosed()) return;
    if (itemId !== undefined) this.#log.message('user', itemId);
    this.#turnEndAtMs = now();
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
    if (this.#isClosed()) return;
    // A reply that was cut but never confirmed done is finished now.
    for (const other of this.#responses.values()) {
      if (other.id !== responseId && other.interrupted && !other.done) {
        this.#markDone(other, { status: 'cancelled' });
      }
    }
    this.#response(responseId);
  }

  /** Agent audio (mono PCM16 at `outputSampleRate`), in arrival order. */
  protected handleAudioDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    samples: Int16Array,
  ): void {
    if (this.#isClosed() || samples.length === 0) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted) return;
    if (itemId !== undefined) this.#assistantMessage(response, itemId);
    const at = now();
    response.firstAudioAtMs ??= at;
    response.audioMs += (samples.length * 1000) / this.outputSampleRate;
    let speech = this.#speech;
    if (!speech) {
      speech = { responses: [response], startedAtMs: at, generation: ++this.#speechGeneration };
      this.#speech = speech;
      this.emit('agent_speech_started', { responseId: response.id });
    } else if (!speech.responses.includes(response)) {
      speech.responses.push(response);
    }
    const frame = this.#outputConverter.convert(samples);
    if (frame && this.#speech === speech) this.#output?.push(frame);
  }

  protected handleTranscriptDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    delta: string,
  ): void {
    if (this.#isClosed()) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted) return;
    const entry = this.#assistantMessage(response, itemId);
    entry.text += delta;
    this.emit('transcription', {
      role: 'assistant',
      text: entry.text,
      final: false,
      ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
    });
  }

  protected handleTranscriptDone(
    responseId: string | undefined,
    itemId: string | undefined,
    text?: string,
  ): void {
    if (this.#isClosed()) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted) return;
    const entry = this.#assistantMessage(response, itemId);
    if (entry.final) return;
    if (text !== undefined) entry.text = text;
    this.#finalizeMessage(entry);
  }

  /** Text of a text-only reply. */
  protected handleTextDelta(responseId: string | undefined, itemId: string | undefined, delta: string): void {
    if (this.#isClosed()) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted) return;
    const key = itemId ?? '';
    response.text.set(key, (response.text.get(key) ?? '') + delta);
  }

  protected handleTextDone(responseId: string | undefined, itemId: string | undefined, text?: string): void {
    if (this.#isClosed()) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted) return;
    const key = itemId ?? '';
    const full = text ?? response.text.get(key) ?? '';
    response.text.delete(key);
    if (full === '') return;
    const entry = this.#log.message('assistant', itemId);
    entry.text = full;
    entry.final = true;
    this.emit('text_output', full);
  }

  /**
   * A complete function call. Runs once per `callId` (servers may announce a call several times).
   * `responseId` defaults to the reply in progress.
   */
  protected handleFunctionCall(responseId: string | undefined, call: RealtimeFunctionCall): void {
    if (this.#isClosed() || this.#seenCallIds.has(call.callId)) return;
    this.#seenCallIds.add(call.callId);
    const response = responseId !== undefined ? this.#response(responseId) : this.#currentResponse();
    this.#log.addFunctionCall(call.callId, call.name, call.arguments);
    if (response) {
      response.toolCalls++;
      response.pendingTools++;
    }
    const tools = this.#agent?.tools ?? [];
    void executeToolCall(
      tools,
      { name: call.name, arguments: call.arguments, callId: call.callId },
      this.#lifetime.signal,
    )
      .then((result) => this.#onToolResult(response, call, result))
      .catch((error: unknown) =>
        this.#onToolResult(response, call, {
          callId: call.callId,
          name: call.name,
          output: JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
          isError: true,
        }),
      );
  }

  protected handleResponseDone(responseId: string | undefined, info: RealtimeResponseDone): void {
    if (this.#isClosed()) return;
    const response = this.#response(responseId);
    if (!response || response.done) return;
    this.#markDone(response, info);
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
    for (const response of [...this.#responses.values()]) {
      if (!response.done) this.#markDone(response, { status: 'incomplete' });
    }
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

  /** The state of reply `id` (created on first sight); undefined for a reply already finished. */
  #response(id: string | undefined): ResponseState | undefined {
    if (id === undefined) {
      const current = this.#currentResponse();
      if (current) return current;
      id = `local_response_${++this.#syntheticIds}`;
    }
    const known = this.#responses.get(id);
    if (known) return known;
    if (this.#finishedIds.includes(id)) return undefined;
    const response: ResponseState = {
      id,
      anchorMs: this.#turnEndAtMs,
      createdAtMs: now(),
      firstAudioAtMs: null,
      audioMs: 0,
      done: false,
      doneAtMs: null,
      status: 'in_progress',
      usage: null,
      interrupted: false,
      playoutEnded: false,
      metricsEmitted: false,
      messages: [],
      text: new Map(),
      toolCalls: 0,
      pendingTools: 0,
      followUpSent: false,
    };
    this.#turnEndAtMs = null;
    this.#responses.set(id, response);
    return response;
  }

  /** The latest reply not yet done. */
  #currentResponse(): ResponseState | undefined {
    let current: ResponseState | undefined;
    for (const response of this.#responses.values()) if (!response.done) current = response;
    return current;
  }

  #assistantMessage(response: ResponseState, itemId: string | undefined): RealtimeMessageEntry {
    if (itemId === undefined) {
      const last = response.messages.at(-1);
      if (last) return last;
    }
    const entry = this.#log.message('assistant', itemId);
    if (!response.messages.includes(entry)) response.messages.push(entry);
    return entry;
  }

  #finalizeMessage(entry: RealtimeMessageEntry): void {
    entry.final = true;
    this.emit('transcription', {
      role: 'assistant',
      text: entry.text,
      final: true,
      ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
    });
  }

  #markDone(response: ResponseState, info: RealtimeResponseDone): void {
    response.done = true;
    response.doneAtMs = now();
    response.status = info.status;
    response.usage = info.usage ?? null;
    // A reply the server cancelled (e.g. on user speech) is finalised when its playout ends or is cut.
    if (!response.interrupted && info.status !== 'cancelled') {
      for (const entry of response.messages) if (!entry.final) this.#finalizeMessage(entry);
      for (const [itemId, text] of response.text) {
        if (text !== '') this.handleTextDone(response.id, itemId === '' ? undefined : itemId, text);
      }
    }
    const speech = this.#speech;
    if (speech?.responses.includes(response) && !response.interrupted) {
      if (speech.responses.every((r) => r.done)) this.#flushSpeech(speech);
    } else {
      response.playoutEnded = true;
    }
    this.#maybeFollowUp(response);
    this.#maybeFinish(response);
  }

  /** All replies in the output are done: let the output play out, then end the speech period. */
  #flushSpeech(speech: SpeechPeriod): void {
    const tail = this.#outputConverter.flush();
    const output = this.#output;
    if (tail) output?.push(tail);
    if (!output) {
      this.#endSpeech(
        false,
        speech.responses.reduce((sum, r) => sum + r.audioMs, 0),
      );
      return;
    }
    output.flush();
    void output.waitForPlayout().then((result) => {
      if (this.#speech !== speech || speech.generation !== this.#speechGeneration) return;
      if (!speech.responses.every((r) => r.done)) return; // more audio joined the segment
      this.#endSpeech(result.interrupted, result.playedMs);
    });
  }

  #endSpeech(interrupted: boolean, playedMs: number): void {
    const speech = this.#speech;
    if (!speech) return;
    this.#speech = undefined;
    if (!interrupted) {
      // Replies the server stopped early (cancelled) were not finalised when they ended.
      for (const response of speech.responses) {
        for (const entry of response.messages) if (!entry.final) this.#finalizeMessage(entry);
      }
    }
    this.emit('agent_speech_ended', {
      responseId: speech.responses.at(-1)?.id ?? null,
      interrupted,
      playedMs,
    });
    for (const response of speech.responses) {
      response.playoutEnded = true;
      this.#maybeFinish(response);
    }
  }

  /** Barge-in: returns whether there was anything to interrupt. */
  #interruptAgent(): boolean {
    const speech = this.#speech;
    const generating = [...this.#responses.values()].filter((r) => !r.done && !r.interrupted);
    if (!speech && generating.length === 0) return false;
    let playedTotal = 0;
    if (speech) {
      const output = this.#output;
      const audio = speech.responses.map((r) => r.audioMs);
      const audioTotal = audio.reduce((a, b) => a + b, 0);
      const elapsedMs = now() - speech.startedAtMs;
      // Read what was played before the output drops its queue.
      const playedMs = output ? output.playedMs : elapsedMs;
      output?.interrupt();
      this.#outputConverter.reset();
      playedTotal = truncationPointMs({ elapsedMs, playedMs, audioMs: audioTotal });
      const shares = allocatePlayedMs(playedTotal, audio);
      speech.responses.forEach((response, i) => {
        const heard = shares[i] ?? 0;
        if (heard < response.audioMs - 0.5 || !response.done) this.#cut(response, heard);
      });
    }
    for (const response of generating) if (!response.interrupted) this.#cut(response, 0);
    if (generating.length > 0) this.#whenReadyOnly(() => this.sendCancelResponse());
    if (speech) this.#endSpeech(true, playedTotal);
    return true;
  }

  /** Marks a reply interrupted and cuts its transcript at `heardMs` of its audio. */
  #cut(response: ResponseState, heardMs: number): void {
    response.interrupted = true;
    response.text.clear();
    for (const entry of response.messages) {
      entry.text = truncateTranscript(entry.text, heardMs, response.audioMs);
      entry.interrupted = true;
      entry.final = true;
      if (entry.itemId !== undefined) this.truncateItem(entry.itemId, Math.round(heardMs));
      this.emit('transcription', {
        role: 'assistant',
        text: entry.text,
        final: true,
        ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
      });
    }
    if (response.done) {
      response.playoutEnded = true;
      this.#maybeFinish(response);
    }
  }

  /** Runs now when connected; skipped otherwise (a cancel is meaningless on a new connection). */
  #whenReadyOnly(run: () => void): void {
    if (this.#state === 'ready') run();
  }

  #onToolResult(
    response: ResponseState | undefined,
    call: RealtimeFunctionCall,
    result: RealtimeFunctionCallResult,
  ): void {
    if (this.#isClosed()) return;
    this.#log.addFunctionCallOutput(result.callId, result.name, result.output, result.isError);
    // After a reconnect the replayed history holds the call, so the new session accepts its output.
    this.#whenReady(() => this.sendFunctionCallOutput(result));
    this.emit('function_executed', {
      name: result.name,
      callId: result.callId,
      arguments: call.arguments,
      output: result.output,
      isError: result.isError,
    });
    if (response) {
      response.pendingTools--;
      this.#maybeFollowUp(response);
      this.#maybeFinish(response);
    } else {
      this.#turnEndAtMs = now();
      this.#whenReady(() => this.sendCreateResponse());
    }
  }

  /** One follow-up reply after all tool outputs of a reply are sent and the reply is done. */
  #maybeFollowUp(response: ResponseState): void {
    if (
      response.toolCalls === 0 ||
      response.pendingTools > 0 ||
      !response.done ||
      response.followUpSent ||
      response.interrupted ||
      this.#isClosed()
    ) {
      return;
    }
    response.followUpSent = true;
    this.#turnEndAtMs = now();
    this.#whenReady(() => this.sendCreateResponse());
  }

  #maybeFinish(response: ResponseState): void {
    if (response.metricsEmitted || !response.done || !response.playoutEnded || response.pendingTools > 0)
      return;
    response.metricsEmitted = true;
    this.#responses.delete(response.id);
    this.#finishedIds.push(response.id);
    if (this.#finishedIds.length > FINISHED_IDS_KEPT) this.#finishedIds.shift();
    this.emit('metrics', {
      type: 'realtime',
      provider: this.provider,
      model: this.model,
      responseId: response.id,
      ttfbMs:
        response.firstAudioAtMs !== null && response.anchorMs !== null
          ? Math.max(0, response.firstAudioAtMs - response.anchorMs)
          : null,
      durationMs: Math.max(0, (response.doneAtMs ?? now()) - response.createdAtMs),
      interrupted: response.interrupted,
      usage: response.usage,
    });
  }
}

function now(): number {
  return performance.now();
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
