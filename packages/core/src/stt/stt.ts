import type { AudioFrame, ResamplerQuality } from '@x/audio';
import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  ConfigurationError,
  isAPIConnectionError,
  isAPIError,
  isAPIStatusError,
  isAPITimeoutError,
} from '../errors/errors.js';
import { oneOf } from '../config/validate.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import { type ConnectOptions, resolveConnectOptions } from '../retry/connect-options.js';
import { withRetry } from '../retry/with-retry.js';
import { STTAudioBuffer } from './audio-buffer.js';
import { STTAudioPipeline } from './audio-pipeline.js';
import type {
  SpeechEvent,
  STTAudioFormat,
  STTCapabilities,
  STTConnection,
  STTConnectionHandlers,
  STTEvents,
} from './types.js';

export type STTState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'failed';

export interface STTBaseOptions {
  /** Provider name used in metrics and error messages (`xai`). */
  provider: string;
  /** The audio the provider takes; every pushed frame is converted to it. */
  audioFormat: STTAudioFormat;
  capabilities?: Partial<STTCapabilities>;
  connectOptions?: Partial<ConnectOptions>;
  /** Duration of each audio chunk handed to the provider. Default 100 ms. */
  chunkMs?: number;
  /**
   * Most audio held for a reconnect: the unfinished utterance already sent (replayed on the new
   * connection) plus audio pushed while disconnected. Beyond it the oldest is dropped and reported.
   * Default 30 000 ms.
   */
  maxBufferedAudioMs?: number;
  /** Silence appended by `flush()` so the provider ends the utterance (its endpointing). Default 0. */
  flushSilenceMs?: number;
  /**
   * Longest `flush()` waits for the final transcript of pending speech before rejecting with
   * `APITimeoutError`. Default 5000 ms.
   */
  flushTimeoutMs?: number;
  /** Longest `close()` waits for the provider's last transcript. Default 2000 ms. */
  closeTimeoutMs?: number;
  /**
   * Quality of the resampler that converts pushed frames to `audioFormat.sampleRate` (unused when
   * they already have that rate). Default `'voice'`: see `DEFAULT_STT_RESAMPLER_QUALITY`.
   */
  resamplerQuality?: ResamplerQuality;
}

/** The resampler presets an STT takes (`@x/audio`'s). */
export const STT_RESAMPLER_QUALITIES: readonly ResamplerQuality[] = ['voice', 'fast', 'high'];

/**
 * STT input is resampled with `@x/audio`'s `'voice'` preset unless asked otherwise: it goes to a
 * recogniser. It keeps 80 % of the output band flat (6.4 kHz at a 16 kHz wire rate) and keeps
 * aliases out of it by ≥ 75 dB; only tones within 20 % above the Nyquist frequency fold back, into
 * the top 20 % of the band, where speech recognisers take little. It costs under half the CPU of
 * `'fast'` (which rejects everything above the Nyquist frequency by ~100 dB); at a 16 kHz wire rate
 * the resampler is most of an STT client's CPU. `'high'` keeps 90 % of the band flat.
 */
export const DEFAULT_STT_RESAMPLER_QUALITY: ResamplerQuality = 'voice';

const DEFAULT_CAPABILITIES: STTCapabilities = {
  interimResults: false,
  lockedResults: false,
  speechEvents: false,
  diarization: false,
};

/** Voiced audio (ms) held without a final transcript that makes `flush()` wait for one. */
const PENDING_SPEECH_MS = 150;
/** Silence before the next utterance kept for a replay after a reconnection. */
const SILENCE_KEPT_MS = 1000;
/** A connection that stayed up this long counts as working even without transcripts. */
const HEALTHY_CONNECTION_MS = 5000;

type Waiter = () => void;

interface ConnectionLink {
  readonly token: number;
  state: 'opening' | 'active' | 'ended';
  queued: Array<() => void>;
}

/**
 * Base of every streaming speech-to-text provider.
 *
 * Push frames of any sample rate and channel count with `pushAudio`; the base converts them to the
 * provider's `audioFormat` and cuts fixed chunks. The base owns the connection: it connects on the
 * first audio (or `connect()`), retries with backoff, reconnects when a connection drops, sends
 * again the audio of the unfinished utterance and what was pushed meanwhile (bounded), keeps
 * transcript times monotonic across connections, and reports metrics per final transcript.
 *
 * Providers implement `openConnection`, resolving once the connection is ready for audio and
 * rejecting with a typed `APIError` (`retryable: false` for auth failures) otherwise.
 *
 * Listen to `error`: with no listener, recoverable errors are not reported and a fatal one shows
 * only as `pushAudio` throwing it and `flush()`/`connect()` rejecting with it.
 */
export abstract class STT extends TypedEventEmitter<STTEvents> {
  readonly provider: string;
  readonly audioFormat: Readonly<STTAudioFormat>;
  readonly capabilities: Readonly<STTCapabilities>;
  readonly connectOptions: Readonly<ConnectOptions>;
  readonly chunkMs: number;
  readonly maxBufferedAudioMs: number;
  readonly flushTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly resamplerQuality: ResamplerQuality;

  readonly #flushSilenceMs: number;
  readonly #pipeline: STTAudioPipeline;
  readonly #buffer: STTAudioBuffer;
  readonly #lifecycle = new AbortController();

  #state: STTState = 'idle';
  #fatal: APIError | null = null;
  #connection: STTConnection | null = null;
  #connectionToken = 0;
  #link: ConnectionLink | null = null;
  #connectionCount = 0;
  #connectionOpenedAt = 0;
  #connectionProgress = false;
  #dropsWithoutProgress = 0;
  #offsetMs = 0;
  #connecting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #waiters = new Set<Waiter>();

  #utteranceOpen = false;
  #lockedTexts: string[] = [];
  /** End of the audio whose text `locked` events delivered, on the STT's clock. */
  #lockedUntilMs = Number.NEGATIVE_INFINITY;
  #metricsFromMs = 0;
  #droppedAudioMs = 0;
  #lastEndMs = 0;

  protected constructor(options: STTBaseOptions) {
    super();
    this.provider = options.provider;
    const { sampleRate, channels } = options.audioFormat;
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new ConfigurationError('sampleRate', sampleRate, 'a positive integer (Hz)');
    }
    if (!Number.isInteger(channels) || channels < 1) {
      throw new ConfigurationError('channels', channels, 'a positive integer');
    }
    this.audioFormat = Object.freeze({ sampleRate, channels });
    this.capabilities = Object.freeze({ ...DEFAULT_CAPABILITIES, ...options.capabilities });
    this.connectOptions = Object.freeze(resolveConnectOptions(options.connectOptions));
    this.chunkMs = positive('chunkMs', options.chunkMs ?? 100, 5, 1000);
    this.maxBufferedAudioMs = positive(
      'maxBufferedAudioMs',
      options.maxBufferedAudioMs ?? 30_000,
      100,
      600_000,
    );
    this.#flushSilenceMs = positive('flushSilenceMs', options.flushSilenceMs ?? 0, 0, 10_000);
    this.flushTimeoutMs = positive('flushTimeoutMs', options.flushTimeoutMs ?? 5000, 1, 120_000);
    this.closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs ?? 2000, 0, 60_000);
    this.resamplerQuality = oneOf(
      'resamplerQuality',
      options.resamplerQuality ?? DEFAULT_STT_RESAMPLER_QUALITY,
      STT_RESAMPLER_QUALITIES,
    );
    this.#pipeline = new STTAudioPipeline({
      sampleRate,
      channels,
      chunkMs: this.chunkMs,
      resamplerQuality: this.resamplerQuality,
    });
    this.#buffer = new STTAudioBuffer(this.audioFormat, this.maxBufferedAudioMs);
  }

  /**
   * Opens one connection, resolving when it is ready for audio. Transcripts and the end of the
   * connection are reported through `handlers` (only after this resolves). Reject with a typed
   * `APIError`; `retryable: false` stops the STT. `signal` aborts on timeout and on `close()`.
   */
  protected abstract openConnection(
    handlers: STTConnectionHandlers,
    signal: AbortSignal,
    attempt: number,
  ): Promise<STTConnection>;

  get state(): STTState {
    return this.#state;
  }

  /** Audio pushed and converted so far (the head of the monotonic clock), in ms. */
  get audioPushedMs(): number {
    return this.#buffer.headMs;
  }

  /** Audio dropped because it exceeded `maxBufferedAudioMs` while disconnected, in ms. */
  get droppedAudioMs(): number {
    return this.#droppedAudioMs;
  }

  /** The error that stopped the STT, if any. */
  get fatalError(): APIError | null {
    return this.#fatal;
  }

  /** Connects now instead of on the first audio. Resolves when ready; rejects with a fatal error. */
  async connect(): Promise<void> {
    this.#throwIfFailed();
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw new APIConnectionError(`${this.provider} STT is closed`, { retryable: false });
    }
    this.#ensureConnecting();
    if (this.#connecting) await this.#connecting;
    this.#throwIfFailed();
  }

  /**
   * Takes a frame of any sample rate and channel count (interleaved PCM16). Ignored after
   * `close()`; throws the fatal error once the STT has stopped.
   */
  pushAudio(frame: AudioFrame): void {
    this.#throwIfFailed();
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const chunks = this.#pipeline.push(frame);
    for (const chunk of chunks) this.#enqueue(chunk);
    if (chunks.length > 0) this.#ensureConnecting();
  }

  /**
   * Ends the current utterance: sends what is pending plus the provider's endpointing silence,
   * then resolves when the final transcript of every speech sent so far has arrived, or at once
   * when no speech is pending (only silence pushed, or everything already final).
   *
   * Rejects with `APITimeoutError` (retryable; the STT stays usable and a late final is still
   * delivered) when speech is pending and no final came within `flushTimeoutMs`: an utterance the
   * provider reported in interims, or at least 150 ms of voiced audio it has not answered at all
   * (a stalled server, or a connection that is not back yet). Rejects with the fatal error if the
   * STT stopped.
   */
  async flush(): Promise<void> {
    this.#throwIfFailed();
    if (this.#state === 'closing' || this.#state === 'closed') return;
    for (const chunk of this.#pipeline.drain()) this.#enqueue(chunk);
    // Not connected and no speech to finish: nothing to do (and no reason to connect).
    if (this.#state === 'idle' && !this.#pendingSpeech()) return;
    if (this.#flushSilenceMs > 0) {
      const frames = Math.round((this.#flushSilenceMs * this.audioFormat.sampleRate) / 1000);
      const silence = new Int16Array(frames * this.audioFormat.channels);
      for (const chunk of this.#pipeline.pushConverted(silence)) this.#enqueue(chunk);
      for (const chunk of this.#pipeline.drain()) this.#enqueue(chunk);
    }
    this.#ensureConnecting();
    await this.#waitForFinal(this.flushTimeoutMs);
    this.#throwIfFailed();
  }

  /**
   * Sends the rest of the audio, lets the provider deliver its last transcript (at most
   * `closeTimeoutMs`), then releases the connection, timers and buffers. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const previous = this.#state;
    if (previous !== 'failed') this.#state = 'closing';
    try {
      if (previous === 'connecting' || previous === 'reconnecting') {
        // Audio is waiting for a connection: give it the connect timeout, not more.
        if (this.#buffer.voicedMs() > 0 && this.#connecting) {
          await raceTimeout(this.#connecting, this.connectOptions.timeoutMs);
        }
      }
      const connection = this.#connection;
      if (connection && this.#fatal === null) {
        for (const chunk of this.#pipeline.drain()) this.#enqueue(chunk);
        await raceTimeout(connection.finish(this.closeTimeoutMs), this.closeTimeoutMs + 1000);
      }
    } finally {
      this.#releaseConnection();
      this.#lifecycle.abort(new APIConnectionError(`${this.provider} STT closed`, { retryable: false }));
      if (this.#connecting) await this.#connecting.catch(() => {});
      this.#buffer.clear();
      this.#pipeline.reset();
      if (this.#state !== 'failed') this.#state = 'closed';
      this.#wake();
    }
  }

  #throwIfFailed(): void {
    if (this.#fatal) throw this.#fatal;
  }

  #enqueue(data: Int16Array): void {
    const { chunk, droppedUnsentMs } = this.#buffer.append(data);
    if (droppedUnsentMs > 0) {
      this.#droppedAudioMs += droppedUnsentMs;
      this.emit('audio_dropped', { droppedMs: droppedUnsentMs, totalDroppedMs: this.#droppedAudioMs });
      this.#report(
        new APIError(
          `${this.provider} STT dropped ${Math.round(droppedUnsentMs)} ms of audio pushed while disconnected ` +
            `(buffer bound ${this.maxBufferedAudioMs} ms; ${Math.round(this.#droppedAudioMs)} ms in total)`,
          { retryable: true },
        ),
      );
    }
    const connection = this.#connection;
    if (connection && this.#state !== 'failed') {
      this.#buffer.markSent(chunk, performance.now());
      connection.sendAudio(chunk.data);
      // Between utterances, keep only a little of the silence already sent for a replay.
      if (!this.#utteranceOpen) this.#buffer.trimLeadingSilence(SILENCE_KEPT_MS);
    }
  }

  #ensureConnecting(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'connecting';
    this.#startConnecting();
  }

  #startConnecting(): void {
    const run = this.#connectLoop().finally(() => {
      if (this.#connecting === run) this.#connecting = null;
    });
    this.#connecting = run;
  }

  async #connectLoop(): Promise<void> {
    const token = ++this.#connectionToken;
    let link: ConnectionLink | undefined;
    let connection: STTConnection;
    try {
      connection = await withRetry(
        (signal, attempt) => {
          // Each attempt gets its own link, so a failed attempt can never reach the session.
          link = { token, state: 'opening', queued: [] };
          return this.openConnection(this.#handlersFor(link), signal, attempt);
        },
        {
          connectOptions: this.connectOptions,
          signal: this.#lifecycle.signal,
          label: `${this.provider} STT connect`,
          onRetry: (error) => this.#report(asAPIError(error, this.provider)),
        },
      );
    } catch (error) {
      if (this.#lifecycle.signal.aborted) return;
      this.#fail(asAPIError(error, this.provider));
      return;
    }
    if (!link || this.#lifecycle.signal.aborted || this.#fatal || token !== this.#connectionToken) {
      connection.close();
      return;
    }
    this.#connection = connection;
    this.#link = link;
    this.#connectionCount += 1;
    this.#connectionOpenedAt = performance.now();
    this.#connectionProgress = false;
    this.#offsetMs = this.#buffer.replayStartMs;
    const replayStart = this.#buffer.replayStartMs;
    const now = performance.now();
    for (const chunk of this.#buffer.unsent()) {
      this.#buffer.markSent(chunk, now);
      connection.sendAudio(chunk.data);
    }
    const replayedMs = this.#buffer.headMs - replayStart;
    if (this.#state === 'connecting' || this.#state === 'reconnecting') this.#state = 'connected';
    if (this.#connectionCount === 1) this.emit('connected');
    else this.emit('reconnected', { connection: this.#connectionCount, replayedMs });
    // What the connection reported between being ready and being taken into use, in order.
    link.state = 'active';
    for (const call of link.queued.splice(0)) {
      if (link.state === 'active') call();
    }
  }

  /**
   * Handlers for one connection attempt: calls made before the connection is taken into use are
   * queued, calls after it ended (or from an attempt that was not used) are ignored.
   */
  #handlersFor(link: ConnectionLink): STTConnectionHandlers {
    const run = (call: () => void) => {
      if (link.token !== this.#connectionToken || this.#fatal !== null) return;
      if (link.state === 'opening') link.queued.push(call);
      else if (link.state === 'active') call();
    };
    return {
      transcript: (event) => run(() => this.#onTranscript(event)),
      speechStarted: (timeMs) => run(() => this.emit('speech_started', { timeMs: timeMs + this.#offsetMs })),
      speechEnded: (timeMs) => run(() => this.emit('speech_ended', { timeMs: timeMs + this.#offsetMs })),
      warning: (error) => run(() => this.#report(error)),
      closed: (error) => run(() => this.#onConnectionClosed(error)),
    };
  }

  #onConnectionClosed(reason: APIError | undefined): void {
    this.#releaseConnection();
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const error = reason ?? new APIConnectionError(`${this.provider} STT: the server ended the session`);
    if (!error.retryable) {
      this.#fail(error);
      return;
    }
    const healthy =
      this.#connectionProgress || performance.now() - this.#connectionOpenedAt >= HEALTHY_CONNECTION_MS;
    this.#dropsWithoutProgress = healthy ? 0 : this.#dropsWithoutProgress + 1;
    if (this.#dropsWithoutProgress > this.connectOptions.maxRetry) {
      this.#fail(error);
      return;
    }
    if (reason) this.#report(reason);
    this.#buffer.markAllUnsent();
    if (!this.#pendingSpeech()) {
      // Nothing to recover: connect again when audio comes (no idle connection churn).
      this.#state = 'idle';
      return;
    }
    this.#state = 'reconnecting';
    this.#startConnecting();
  }

  #onTranscript(raw: SpeechEvent): void {
    this.#connectionProgress = true;
    const event = this.#withoutLocked(this.#onClock(raw));
    if (event.type === 'interim' || event.type === 'locked') {
      if (event.text === '') return; // all of it was already delivered
      this.#utteranceOpen = true;
      if (event.type === 'locked') {
        this.#lockedTexts.push(event.text);
        this.#lockedUntilMs = Math.max(this.#lockedUntilMs, event.endMs);
      }
      this.emit('transcript', event);
      return;
    }
    // final
    const sentAt = this.#buffer.sentAtFor(event.endMs);
    const latencyMs = sentAt === null ? null : Math.max(0, performance.now() - sentAt);
    const parts = [...this.#lockedTexts, event.text].filter((part) => part !== '');
    const hadUtterance = parts.length > 0;
    this.#lockedTexts = [];
    this.#lockedUntilMs = Number.NEGATIVE_INFINITY;
    this.#utteranceOpen = false;
    this.#ack(event.endMs);
    if (hadUtterance) {
      this.emit('transcript', { ...event, utteranceText: parts.join(' ') });
      const sentHeadMs = this.#buffer.sentHeadMs;
      this.emit('metrics', {
        type: 'stt',
        provider: this.provider,
        audioDurationMs: Math.max(0, sentHeadMs - this.#metricsFromMs),
        latencyMs,
        requestId: this.#connection?.requestId ?? null,
      });
      this.#metricsFromMs = sentHeadMs;
    }
    this.#wake();
  }

  /** Connection-relative times → the STT's clock. */
  #onClock(raw: SpeechEvent): SpeechEvent {
    const offset = this.#offsetMs;
    return {
      ...raw,
      text: raw.text.trim(),
      startMs: raw.startMs + offset,
      endMs: Math.max(raw.endMs, raw.startMs) + offset,
      words: raw.words.map((word) => ({
        ...word,
        startMs: word.startMs + offset,
        endMs: word.endMs + offset,
      })),
    };
  }

  /**
   * Cuts what `locked` events of this utterance already delivered. After a reconnection the
   * unfinished utterance is sent again from its start, so the new connection repeats locked words;
   * a word is repeated when its middle lies before the end of the locked audio.
   */
  #withoutLocked(event: SpeechEvent): SpeechEvent {
    const until = this.#lockedUntilMs;
    if (!Number.isFinite(until)) return event;
    if (event.words.length > 0) {
      const kept = event.words.filter((word) => (word.startMs + word.endMs) / 2 >= until);
      if (kept.length === event.words.length) return event;
      return {
        ...event,
        text: kept.map((word) => word.text).join(' '),
        words: kept,
        startMs: kept[0]?.startMs ?? event.endMs,
      };
    }
    // Without words only whole events can be recognised as repeated.
    return event.endMs <= until + 1 ? { ...event, text: '' } : event;
  }

  #ack(endMs: number): void {
    // A provider without usable times still finalises everything sent so far.
    const until = endMs > this.#lastEndMs ? endMs : this.#buffer.sentHeadMs;
    this.#lastEndMs = Math.max(this.#lastEndMs, endMs);
    this.#buffer.ack(until);
  }

  #pendingSpeech(): boolean {
    return this.#utteranceOpen || this.#buffer.voicedMs() >= PENDING_SPEECH_MS;
  }

  async #waitForFinal(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.#pendingSpeech()) {
      if (this.#fatal || this.#state === 'closing' || this.#state === 'closed') return;
      const left = deadline - performance.now();
      if (left <= 0) {
        // Speech was sent (or is waiting for a connection) and the provider never finalised it:
        // whether or not an interim came first, resolving would claim a transcript that is not
        // there. The STT stays usable; a late final is still delivered.
        const heard = this.#utteranceOpen ? 'after an interim transcript' : 'and no transcript at all';
        throw new APITimeoutError(
          `${this.provider} STT: no final transcript within ${timeoutMs} ms of flush() ` +
            `(${Math.round(this.#buffer.voicedMs())} ms of speech audio pending ${heard})`,
        );
      }
      await new Promise<void>((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        };
        const timer = setTimeout(waiter, left);
        this.#waiters.add(waiter);
      });
    }
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }

  #fail(error: APIError): void {
    if (this.#fatal) return;
    const fatal = error.retryable ? asFatal(error) : error;
    this.#fatal = fatal;
    this.#state = 'failed';
    this.#releaseConnection();
    this.#lifecycle.abort(fatal);
    this.#buffer.clear();
    this.#wake();
    if (this.listenerCount('error') > 0) this.emit('error', fatal);
  }

  /** Reports a recoverable problem to `error` listeners, if any. */
  #report(error: APIError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #releaseConnection(): void {
    const connection = this.#connection;
    this.#connection = null;
    if (this.#link) this.#link.state = 'ended';
    this.#link = null;
    connection?.close();
  }
}

function positive(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigurationError(option, value, `a number of ms from ${min} to ${max}`);
  }
  return value;
}

function asAPIError(error: unknown, provider: string): APIError {
  if (isAPIError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new APIConnectionError(`${provider} STT: ${message}`, { cause: error });
}

/** The same kind of error, marked not retryable: the STT gave up on it. */
function asFatal(error: APIError): APIError {
  const { message } = error;
  const options = { retryable: false, cause: error, body: error.body };
  if (isAPIStatusError(error)) {
    return new APIStatusError(message, {
      ...options,
      status: error.status,
      requestId: error.requestId,
      retryAfterMs: error.retryAfterMs,
    });
  }
  if (isAPITimeoutError(error)) return new APITimeoutError(message, options);
  if (isAPIConnectionError(error)) return new APIConnectionError(message, options);
  return new APIError(message, options);
}

async function raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise.then(
        () => {},
        () => {},
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
