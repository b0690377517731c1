import { raceAbort } from '../retry/race-abort.js';
import type { AudioFrame, ResamplerQuality } from '@x/audio';
import type { AudioOutput } from '../audio-io/audio-output.js';
import { type Agent, ChatContext } from '../chat/index.js';
import { inRange, oneOf } from '../config/validate.js';
import {
  APIConnectionError,
  type APIError,
  APITimeoutError,
  ConfigurationError,
  isAPIError,
} from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import { type ConnectOptions, resolveConnectOptions } from '../retry/connect-options.js';
import { withRetry } from '../retry/with-retry.js';
import { type RealtimeConversationEntry, RealtimeConversationLog } from './conversation.js';
import type { RealtimeEvents } from './events.js';
import { RealtimeInputConverter, RealtimeSampleBatcher } from './input-audio.js';
import { type RealtimeInputReplay, RealtimeInputJournal } from './input-journal.js';
import { RealtimeInputTimeline } from './input-timeline.js';
import { RealtimeOutputConverter } from './output-audio.js';
import {
  type RealtimeFunctionCall,
  type RealtimeFunctionCallResult,
  RealtimeReplyTracker,
  type RealtimeResponseDone,
  type RealtimeResponseRequest,
} from './reply-tracker.js';

export type {
  RealtimeFunctionCall,
  RealtimeFunctionCallResult,
  RealtimeResponseDone,
  RealtimeResponseRequest,
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
  /**
   * Quality of the resampler that converts pushed user audio to `inputSampleRate` (unused for
   * frames already at that rate): `'voice'` (default, see `DEFAULT_REALTIME_RESAMPLER_QUALITY`),
   * `'fast'` or `'high'`. Agent audio converted to the output's rate always uses `'high'` (one stream, heard by
   * a person).
   */
  resamplerQuality?: ResamplerQuality;
  /**
   * Who ends user turns: the server's VAD (`server`, default: its `speech_started` /
   * `speech_stopped` events tell which audio a turn holds) or the client (`manual`: `commitAudio()`).
   * Decides which sent audio is sent again after a dropped connection.
   */
  turnDetection?: 'server' | 'manual';
  /** Audio the server keeps before detected speech (its prefix padding), default 300 ms. */
  inputPrefixPaddingMs?: number;
  /**
   * User audio kept after sending until the server acknowledges its turn (with a transcript), to
   * send again on a new connection if the socket drops; default 30 000 ms. Beyond it the oldest
   * goes, and is reported (`input_dropped`, `droppedInputMs`) if a drop then needed it.
   */
  maxReplayInputMs?: number;
  /**
   * A reply in progress (requested or being generated) with no server event for this long means the
   * connection is dead: an `APITimeoutError` is reported, the model reconnects and asks for the
   * reply again. Default 15 000 ms; 0 turns it off.
   */
  responseTimeoutMs?: number;
}

/** The resampler presets the realtime input takes (`@x/audio`'s). */
export const REALTIME_RESAMPLER_QUALITIES: readonly ResamplerQuality[] = ['voice', 'fast', 'high'];

/**
 * User audio is resampled with `@x/audio`'s `'voice'` preset unless asked otherwise: it goes to a
 * speech model, not to a listener. It is flat (within 0.01 dB) to 80 % of the lower Nyquist
 * frequency: 9.6 kHz at the 24 kHz wire rate (−0.85 dB at 11 kHz), 3.2 kHz at the 8 kHz G.711 rate.
 * Tones that would alias into that band are ≥ 75 dB down; only tones within 20 % above the Nyquist
 * frequency fold back, into the band above 80 %. It costs under half the CPU of `'fast'` (48 kHz →
 * 24 kHz is a half-band filter), and the resampler was most of the client's work per frame.
 * `'fast'` keeps everything above the Nyquist frequency out (~100 dB); `'high'` is flat to 90 %.
 */
export const DEFAULT_REALTIME_RESAMPLER_QUALITY: ResamplerQuality = 'voice';

/** How long a reply may go without a server event before the connection counts as dead. */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 15_000;
/** Most unacknowledged user audio kept for a replay after a drop. */
export const DEFAULT_MAX_REPLAY_INPUT_MS = 30_000;

export type RealtimeConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** `origin`: index of the first sample in everything the user pushed (see `RealtimeInputTimeline`). */
type QueuedInput =
  | { kind: 'audio'; samples: Int16Array; origin: number }
  | { kind: 'action'; run: () => void };

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
 * - connection lifecycle: connect with retry, reconnect after an unexpected drop (or a server
 *   silent for `responseTimeoutMs` while a reply is owed: one `APITimeoutError`), then restore the
 *   session through the provider: the history (a reply the drop cut is kept as far as it was
 *   played, marked interrupted), the user audio the old server had not acknowledged with a
 *   transcript (`RealtimeInputJournal`), and a `response.create` for the reply the drop cut.
 *
 * A provider implements the `protected abstract` transport hooks and calls the `handle*` methods
 * as server events arrive.
 */
export abstract class RealtimeModel extends TypedEventEmitter<RealtimeEvents> {
  readonly provider: string;
  readonly model: string;
  readonly inputSampleRate: number;
  readonly outputSampleRate: number;
  /** Quality of the user-audio resampler (see `RealtimeModelOptions.resamplerQuality`). */
  readonly resamplerQuality: ResamplerQuality;
  protected readonly connectOptions: ConnectOptions;

  readonly #log = new RealtimeConversationLog();
  readonly #inputConverter: RealtimeInputConverter;
  readonly #batcher: RealtimeSampleBatcher;
  readonly #maxBufferedSamples: number;
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
  /** Sent user audio the server has not acknowledged yet. */
  readonly #journal: RealtimeInputJournal;
  /** Server VAD: when each piece of user audio was pushed, by connection position (turn-end anchor). */
  readonly #timeline: RealtimeInputTimeline | undefined;
  /** Samples handed to the batcher so far: the pushed index of its next batch. */
  #batchedSamples = 0;
  /** What the journal held when the connection dropped: sent again once reconnected. */
  #inputReplay: RealtimeInputReplay | undefined;
  /** A reply cut by the drop (or requested and never started), to ask for again once reconnected. */
  #resume: RealtimeResponseRequest | undefined;
  /** Samples dropped from the not-connected queue since the last report. */
  #unreportedDroppedSamples = 0;
  readonly #responseTimeoutMs: number;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #lastServerEventAtMs = 0;

  constructor(options: RealtimeModelOptions) {
    super();
    this.#responseTimeoutMs = resolveResponseTimeoutMs(options.responseTimeoutMs);
    const turnDetection = oneOf('turnDetection', options.turnDetection ?? 'server', ['server', 'manual']);
    const maxReplayInputMs = inRange(
      'maxReplayInputMs',
      options.maxReplayInputMs ?? DEFAULT_MAX_REPLAY_INPUT_MS,
      1000,
      600_000,
    );
    const batchMs = options.inputBatchMs ?? 40;
    const samplesPerBatch = Math.max(1, Math.round((batchMs * options.inputSampleRate) / 1000));
    this.#journal = new RealtimeInputJournal({
      sampleRate: options.inputSampleRate,
      maxMs: maxReplayInputMs,
      serverVad: turnDetection === 'server',
      leadMs: inRange('inputPrefixPaddingMs', options.inputPrefixPaddingMs ?? 300, 0, 10_000),
      // A replay goes out in messages the size of the live ones.
      replayItemSamples: samplesPerBatch,
    });
    this.#timeline =
      turnDetection === 'server'
        ? new RealtimeInputTimeline({
            sampleRate: options.inputSampleRate,
            windowMs: maxReplayInputMs + (options.maxBufferedInputMs ?? 10_000),
          })
        : undefined;
    this.provider = options.provider;
    this.model = options.model;
    this.inputSampleRate = options.inputSampleRate;
    this.outputSampleRate = options.outputSampleRate;
    this.connectOptions = resolveConnectOptions(options.connectOptions);
    this.resamplerQuality = oneOf(
      'resamplerQuality',
      options.resamplerQuality ?? DEFAULT_REALTIME_RESAMPLER_QUALITY,
      REALTIME_RESAMPLER_QUALITIES,
    );
    this.#inputConverter = new RealtimeInputConverter(options.inputSampleRate, this.resamplerQuality);
    this.#batcher = new RealtimeSampleBatcher(samplesPerBatch);
    this.#maxBufferedSamples = Math.round(
      ((options.maxBufferedInputMs ?? 10_000) * options.inputSampleRate) / 1000,
    );
    this.#output = options.output;
    this.#outputConverter = new RealtimeOutputConverter(
      options.outputSampleRate,
      options.output?.sampleRate,
      'high',
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
      sendCreateResponse: (request) => this.#requestResponse(request),
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
    this.#outputConverter = new RealtimeOutputConverter(this.outputSampleRate, output?.sampleRate, 'high');
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

  /**
   * User audio that may never have reached the model: dropped because more than
   * `maxBufferedInputMs` was held while not connected, or because the unacknowledged turn was
   * longer than `maxReplayInputMs` when the connection dropped.
   */
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
    const pushedAt = performance.now();
    for (const chunk of this.#inputConverter.convert(frame)) this.#batch(chunk, pushedAt);
  }

  /** Ends the user's audio turn (manual turn detection): sends buffered audio, then commits. */
  commitAudio(): void {
    if (this.#isClosed()) return;
    this.#flushInput();
    this.#replies.markTurnEnd();
    this.#whenReady(() => this.#transmitCommit());
  }

  /**
   * Asks the model for a reply now (manual turn detection, or after `sendText` of context).
   * `instructions` apply to this reply only.
   */
  createResponse(options: RealtimeResponseRequest = {}): void {
    if (this.#isClosed()) return;
    if (options.instructions !== undefined && typeof options.instructions !== 'string') {
      throw new TypeError('createResponse: instructions must be a string');
    }
    const request: RealtimeResponseRequest =
      options.instructions !== undefined ? { instructions: options.instructions } : {};
    this.#resume = undefined; // a new request replaces one still to be resumed
    this.#replies.markTurnEnd();
    this.#whenReady(() => this.#requestResponse(request));
  }

  /** Adds a typed user message and asks for a reply; an agent reply in progress is interrupted. */
  sendText(text: string): void {
    if (this.#isClosed()) return;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new TypeError('sendText needs a non-empty string');
    }
    this.#replies.interrupt();
    this.#resume = undefined;
    this.#log.addUserText(text);
    this.#replies.markTurnEnd();
    this.#whenReady(() => {
      this.sendUserMessage(text);
      this.#requestResponse({});
    });
  }

  /** Stops the agent now: local playback, the reply being generated, and the history cut at what was heard. */
  interrupt(): void {
    if (this.#isClosed()) return;
    this.#replies.interrupt();
    this.#resume = undefined;
  }

  /** Closes the session; idempotent. Agent audio still playing is stopped. */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#state = 'closed';
    this.#lifetime.abort(new APIConnectionError('the realtime model was closed', { retryable: false }));
    this.#stopWatchdog();
    this.#journal.reset();
    this.#timeline?.reset();
    this.#inputReplay = undefined;
    this.#resume = undefined;
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
  /** Sends `response.create`; `request.instructions` (if any) apply to this reply only. */
  protected abstract sendCreateResponse(request: RealtimeResponseRequest): void;
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
  // Every handler counts as a sign of life for `responseTimeoutMs`.

  /**
   * A server event the provider does not pass to another handler (a keep-alive ping, an ignored
   * event): the connection is alive.
   */
  protected noteServerActivity(): void {
    this.#touch();
  }

  /**
   * Server VAD heard the user start speaking. `audioStartMs` (ms of user audio since the
   * connection began, as the server counts it) lets the model forget the silence before it.
   */
  protected handleUserSpeechStarted(itemId?: string, audioStartMs?: number): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#journal.speechStarted(itemId, audioStartMs);
    if (audioStartMs !== undefined) this.#timeline?.forgetBefore(audioStartMs);
    if (itemId !== undefined) this.#log.message('user', itemId);
    this.emit('user_speech_started');
    this.#replies.interrupt();
  }

  /**
   * Server VAD heard the user stop speaking at `audioEndMs` (see `handleUserSpeechStarted`). The
   * server says so only after `silence_duration_ms` of silence; the turn is taken to have ended
   * when the user pushed the audio at `audioEndMs` (the anchor of the reply's `ttfbMs`), or now
   * when that audio is unknown.
   */
  protected handleUserSpeechStopped(itemId?: string, audioEndMs?: number): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#journal.speechStopped(itemId, audioEndMs);
    if (itemId !== undefined) this.#log.message('user', itemId);
    const endedAtMs =
      (audioEndMs !== undefined ? this.#timeline?.pushTimeAt(audioEndMs) : undefined) ?? performance.now();
    this.#replies.markTurnEnd(endedAtMs);
    this.#replies.serverReplyDue();
    this.emit('user_speech_ended', { endedAtMs });
  }

  /** The server created a user item (e.g. committed audio): reserves its place in the history. */
  protected handleUserItem(itemId: string): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#log.message('user', itemId);
  }

  /**
   * A transcript of the user's speech. A final one acknowledges the turn's audio: it is in the
   * history now and is not sent again after a reconnect.
   */
  protected handleUserTranscript(itemId: string | undefined, text: string, final = true): void {
    if (this.#isClosed()) return;
    this.#touch();
    if (final) this.#journal.acknowledge(itemId);
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
    this.#touch();
    this.#replies.responseCreated(responseId);
    this.#armWatchdog();
  }

  /** The server refused a `response.create` (e.g. a reply was already active): none will come of it. */
  protected handleRequestRejected(): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.requestFailed();
  }

  /** Agent audio (mono PCM16 at `outputSampleRate`), in arrival order. */
  protected handleAudioDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    samples: Int16Array,
  ): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.audioDelta(responseId, itemId, samples);
  }

  /** A piece of the spoken reply's transcript. */
  protected handleTranscriptDelta(
    responseId: string | undefined,
    itemId: string | undefined,
    delta: string,
  ): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.transcriptDelta(responseId, itemId, delta);
  }

  protected handleTranscriptDone(
    responseId: string | undefined,
    itemId: string | undefined,
    text?: string,
  ): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.transcriptDone(responseId, itemId, text);
  }

  /** Text of a text-only reply. */
  protected handleTextDelta(responseId: string | undefined, itemId: string | undefined, delta: string): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.textDelta(responseId, itemId, delta);
  }

  protected handleTextDone(responseId: string | undefined, itemId: string | undefined, text?: string): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.textDone(responseId, itemId, text);
  }

  /**
   * A complete function call. Runs once per `callId` (servers may announce a call several times).
   * `responseId` defaults to the reply in progress.
   */
  protected handleFunctionCall(responseId: string | undefined, call: RealtimeFunctionCall): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.functionCall(responseId, call);
  }

  protected handleResponseDone(responseId: string | undefined, info: RealtimeResponseDone): void {
    if (this.#isClosed()) return;
    this.#touch();
    // A completed reply answered the turns before it, even if the server sent no transcript.
    if (info.status === 'completed') this.#journal.replyCompleted();
    this.#replies.responseDone(responseId, info);
  }

  /**
   * The server reported an error; benign ones should be filtered by the provider. A
   * `response.create` still waiting for its reply is taken as refused (so `responseTimeoutMs` does
   * not wait for it).
   */
  protected handleServerError(error: APIError): void {
    if (this.#isClosed()) return;
    this.#touch();
    this.#replies.requestFailed();
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
    this.#touch();
    this.emit('unknown_event', { type, raw });
  }

  /**
   * The connection dropped unexpectedly: reconnects (with backoff), then restores the session on
   * the new connection: the history, the user audio the old server had not acknowledged, and the
   * reply that was cut (asked for again).
   */
  protected handleConnectionLost(cause: unknown): void {
    if (this.#state !== 'ready') return;
    this.#state = 'reconnecting';
    this.#epoch++;
    this.#stopWatchdog();
    // Items added while reconnecting (typed text) go out through the queue, not the replay.
    this.#replay = this.#log.entries.slice();
    this.#inputReplay = this.#journal.takeReplay();
    this.#timeline?.newConnection();
    // A reply in flight is cut where its audio stops (what arrived plays out) and asked for again.
    const lost = this.#replies.connectionLost();
    this.#resume = lost.resume ? (lost.request ?? {}) : undefined;
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
    // The user audio the old server had not acknowledged, then (once ready) what was queued meanwhile.
    const input = this.#inputReplay;
    this.#inputReplay = undefined;
    for (const item of input?.items ?? []) {
      if (item.kind === 'audio') this.#transmitAudio(item.samples, item.origin);
      else this.#transmitCommit();
    }
    if (input && input.lostSamples > 0) this.#reportDropped(input.lostSamples, 'replay_limit');
    // Ask again for the reply the drop cut, unless the replayed audio holds a whole turn (server VAD
    // answers that one on its own).
    const resume = this.#resume;
    this.#resume = undefined;
    const resumedReply = resume !== undefined && !input?.holdsEndedTurn;
    if (resumedReply) {
      this.#replies.markTurnEnd();
      this.#requestResponse(resume);
    }
    this.#becomeReady();
    this.emit('reconnected', {
      attempts,
      replayedItems: replay.length,
      replayedInputMs: ((input?.samples ?? 0) * 1000) / this.inputSampleRate,
      resumedReply,
    });
  }

  #becomeReady(): void {
    this.#state = 'ready';
    this.#epoch++;
    this.#touch();
    if (this.#unreportedDroppedSamples > 0) {
      const dropped = this.#unreportedDroppedSamples;
      this.#unreportedDroppedSamples = 0;
      this.emit('input_dropped', {
        droppedMs: (dropped * 1000) / this.inputSampleRate,
        reason: 'buffer_full',
      });
    }
    const queued = this.#queue.splice(0);
    this.#queuedSamples = 0;
    this.#queuedActions = 0;
    for (const item of queued) {
      if (this.#state !== 'ready') {
        // The connection dropped while replaying the queue: keep the rest for the next one.
        this.#enqueue(item);
        continue;
      }
      if (item.kind === 'audio') this.#transmitAudio(item.samples, item.origin);
      else item.run();
    }
    this.#armWatchdog();
  }

  /**
   * Sends user audio on the connection and keeps it until the server acknowledges its turn.
   * `origin`: its index in everything the user pushed (unknown for none of ours, but typed so).
   */
  #transmitAudio(samples: Int16Array, origin: number | undefined): void {
    this.sendAudio(samples);
    this.#journal.recordAudio(samples, origin);
    this.#timeline?.sent(origin, samples.length);
  }

  #transmitCommit(): void {
    this.sendCommit();
    this.#journal.recordCommit();
  }

  /** Sends `response.create` (connected) and waits for the reply with `responseTimeoutMs`. */
  #requestResponse(request: RealtimeResponseRequest): void {
    this.#replies.requested(request);
    this.sendCreateResponse(request);
    this.#armWatchdog();
  }

  #reportDropped(samples: number, reason: 'buffer_full' | 'replay_limit'): void {
    this.#droppedInputSamples += samples;
    if (reason === 'buffer_full') {
      this.#unreportedDroppedSamples += samples;
      return;
    }
    this.emit('input_dropped', { droppedMs: (samples * 1000) / this.inputSampleRate, reason });
  }

  // ---------------------------------------------------------------- response timeout

  #touch(): void {
    this.#lastServerEventAtMs = performance.now();
  }

  /** Starts watching for a silent server while a reply is owed (no-op if already watching). */
  #armWatchdog(): void {
    if (this.#responseTimeoutMs === 0 || this.#watchdog !== undefined || this.#state !== 'ready') return;
    if (!this.#replies.awaitingServer) return;
    // Silence counts from now: the server owed nothing before.
    this.#touch();
    this.#watchdog = setTimeout(() => this.#checkWatchdog(), this.#responseTimeoutMs);
  }

  #stopWatchdog(): void {
    if (this.#watchdog !== undefined) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  #checkWatchdog(): void {
    this.#watchdog = undefined;
    if (this.#state !== 'ready' || !this.#replies.awaitingServer) return;
    const silentMs = performance.now() - this.#lastServerEventAtMs;
    if (silentMs < this.#responseTimeoutMs) {
      this.#watchdog = setTimeout(() => this.#checkWatchdog(), this.#responseTimeoutMs - silentMs);
      return;
    }
    const error = new APITimeoutError(
      `no event from the ${this.provider} realtime server for ${Math.round(silentMs)} ms while a reply was in progress (responseTimeoutMs ${this.#responseTimeoutMs}); reconnecting and asking for the reply again`,
    );
    this.reportError(error);
    if (this.#isClosed()) return;
    // The silent socket is closed without a loss report; the reconnect treats it as dropped.
    void this.closeConnection().catch(() => undefined);
    this.handleConnectionLost(error);
  }

  #whenReady(run: () => void): void {
    if (this.#state === 'ready') run();
    else this.#enqueue({ kind: 'action', run });
  }

  /** Converted user audio pushed at `pushedAt`: batched, then sent (or queued while not connected). */
  #batch(chunk: Int16Array, pushedAt: number): void {
    if (chunk.length === 0) return;
    this.#timeline?.pushed(chunk.length, pushedAt);
    for (const batch of this.#batcher.push(chunk)) {
      // The batcher keeps order and loses nothing: its n-th sample out is the n-th sample in.
      const origin = this.#batchedSamples;
      this.#batchedSamples += batch.length;
      this.#sendOrQueueAudio(batch, origin);
    }
  }

  #sendOrQueueAudio(samples: Int16Array, origin: number): void {
    if (this.#state === 'ready') this.#transmitAudio(samples, origin);
    else this.#enqueue({ kind: 'audio', samples, origin });
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
        this.#reportDropped(dropped.samples.length, 'buffer_full');
      } else {
        this.#queuedActions--;
      }
    }
  }

  #flushInput(): void {
    this.#batch(this.#inputConverter.flush(), performance.now());
    const rest = this.#batcher.flush();
    if (rest) {
      const origin = this.#batchedSamples;
      this.#batchedSamples += rest.length;
      this.#sendOrQueueAudio(rest, origin);
    }
  }
}

/** `responseTimeoutMs`: 0 (off) or 100–600 000 ms. */
export function resolveResponseTimeoutMs(value: unknown): number {
  if (value === undefined) return DEFAULT_RESPONSE_TIMEOUT_MS;
  if (value === 0) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 100 || value > 600_000) {
    throw new ConfigurationError('responseTimeoutMs', value, '0 (off) or a number of ms from 100 to 600000');
  }
  return value;
}
