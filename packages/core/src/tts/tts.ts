import type { AudioOutput } from '../audio-io/audio-output.js';
import { type APIError, ConfigurationError, isAPIError } from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import type { SpeechTagOptions } from './speech-tags.js';
import { SynthesisRun } from './synthesis-run.js';
import type {
  SynthesisInput,
  SynthesisResult,
  SynthesizeOptions,
  TTSAudioEncoding,
  TTSEvents,
} from './types.js';

export interface TTSBaseOptions {
  /** Default destination of the audio (`tts.output`). */
  output?: AudioOutput;
  /** Duration of the frames written to the output (default 20 ms). */
  frameDurationMs?: number;
  /**
   * Once an utterance's text is complete, the longest silence allowed from the provider before
   * the call fails with `APITimeoutError` (default 10 000 ms).
   */
  responseTimeoutMs?: number;
  /** More speech tags the chunker must keep whole. */
  speechTags?: SpeechTagOptions;
}

/** Options of the provider's connection step. */
export interface TTSConnectRequest {
  /** The voice this call needs (validated), or `undefined` for the provider's default. */
  voice: string | undefined;
  /** Aborted when the call ends early or the TTS closes; connecting must then stop. */
  signal: AbortSignal;
}

const EMPTY_INTERRUPTED: SynthesisResult = Object.freeze({
  utterances: [],
  characters: 0,
  audioDurationMs: 0,
  ttfbMs: null,
  interrupted: true,
}) as SynthesisResult;

/**
 * Streaming text-to-speech. The base owns everything that is the same for every provider: reading
 * the text (one string, or deltas with `FLUSH` markers between utterances), never splitting a
 * speech tag across messages, decoding and framing audio into PCM16 frames in order on an
 * `AudioOutput`, TTFB (anchored at the first text available to send, so LLM latency is not charged
 * to TTS), character counts, metrics, cancellation, interruption and the response timeout.
 *
 * A provider implements the transport in a few protected methods (`connect`, `sendText`,
 * `sendUtteranceEnd`, `sendClear`, `disconnect`) and hands what the server sends back through
 * `receiveAudio`, `receiveUtteranceDone` and `receiveError`. Calls run one at a time, in order.
 */
export abstract class TTS extends TypedEventEmitter<TTSEvents> {
  /** The provider's name, used in metrics (`xai`). */
  abstract readonly provider: string;
  /** Rate of the frames produced (before any resampling the output asks for). */
  abstract readonly sampleRate: number;
  /** Where audio goes unless a call passes `output`. */
  output: AudioOutput | undefined;

  /** Encoding of the bytes given to `receiveAudio`. */
  protected abstract readonly audioEncoding: TTSAudioEncoding;

  readonly #frameDurationMs: number;
  readonly #responseTimeoutMs: number;
  readonly #speechTags: SpeechTagOptions;
  readonly #lifetime = new AbortController();
  #run: SynthesisRun | undefined;
  #queue: Promise<void> = Promise.resolve();
  #epoch = 0;
  #closing: Promise<void> | undefined;

  constructor(options: TTSBaseOptions = {}) {
    super();
    this.output = options.output;
    this.#frameDurationMs = positive('frameDurationMs', options.frameDurationMs ?? 20);
    this.#responseTimeoutMs = positive('responseTimeoutMs', options.responseTimeoutMs ?? 10_000);
    this.#speechTags = options.speechTags ?? {};
  }

  /** Validates a voice for a call and returns its canonical form; throws `ConfigurationError`. */
  protected abstract validateVoice(voice: string): string;
  /** Opens (or reuses) a connection that can synthesize with `request.voice`. */
  protected abstract connect(request: TTSConnectRequest): Promise<void>;
  /** Sends a chunk of the current utterance's text (never splits a speech tag). */
  protected abstract sendText(text: string): void;
  /** Tells the provider the current utterance's text is complete. */
  protected abstract sendUtteranceEnd(): void;
  /**
   * Tells the provider to drop everything in flight. Until the next `connect` resolves, audio is
   * ignored; `connect` must not resolve while audio of cleared utterances can still arrive.
   */
  protected abstract sendClear(): void;
  /** Closes the connection for good. */
  protected abstract disconnect(): Promise<void>;
  /** Request id of the current connection or response, for metrics. */
  protected requestId(): string | null {
    return null;
  }

  /** Whether a call is in progress (text being sent or audio awaited). */
  protected get busy(): boolean {
    return this.#run?.active ?? false;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Speaks `input` into the output. Resolves when all its audio has been written to the output
   * (call `output.waitForPlayout()` to wait for playback), or early with `interrupted: true` after
   * `interrupt()`. Rejects with a typed `APIError` on provider failure, with the signal's reason
   * when `signal` aborts, and with `ConfigurationError` for a bad voice or a missing output.
   */
  async synthesize(input: SynthesisInput, options: SynthesizeOptions = {}): Promise<SynthesisResult> {
    if (this.closed) throw new Error(`${this.provider} TTS is closed`);
    const output = options.output ?? this.output;
    if (!output) {
      throw new ConfigurationError(
        'output',
        undefined,
        'an AudioOutput, set as tts.output or passed as options.output',
      );
    }
    const voice = options.voice === undefined ? undefined : this.validateVoice(options.voice);
    options.signal?.throwIfAborted();
    const epoch = this.#epoch;
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => {
      release = resolve;
    });
    let run: SynthesisRun | undefined;
    try {
      await previous;
      if (epoch !== this.#epoch) return { ...EMPTY_INTERRUPTED, utterances: [] };
      if (this.closed) throw new Error(`${this.provider} TTS is closed`);
      options.signal?.throwIfAborted();
      run = this.#createRun(output, voice);
      this.#run = run;
      const onAbort = () => run?.fail(options.signal?.reason, { interruptOutput: true });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await run.start(input);
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    } catch (error) {
      if (isAPIError(error) && this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    } finally {
      if (run && this.#run === run) this.#run = undefined;
      release();
    }
  }

  /**
   * Stops at once: the output is interrupted, the provider is told to clear, audio still arriving
   * for the interrupted text is dropped, and calls queued behind it end without speaking. Calls made
   * afterwards start clean.
   */
  interrupt(): void {
    this.#epoch++;
    this.#run?.interrupt();
  }

  /** Opens the connection ahead of the first call so it does not pay for the handshake. */
  async prewarm(): Promise<void> {
    if (this.closed) throw new Error(`${this.provider} TTS is closed`);
    await this.connect({ voice: undefined, signal: this.#lifetime.signal });
  }

  /** Interrupts any call and closes the connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.interrupt();
      this.#lifetime.abort(new Error(`${this.provider} TTS closed`));
      await this.disconnect();
    })();
    return this.#closing;
  }

  /** Audio bytes (in `audioEncoding`, at `sampleRate`) for the oldest utterance awaiting audio. */
  protected receiveAudio(bytes: Uint8Array): void {
    this.#guard((run) => run.onAudio(bytes));
  }

  /** The provider finished the audio of the oldest utterance whose end was sent. */
  protected receiveUtteranceDone(): void {
    this.#guard((run) => run.onUtteranceDone());
  }

  /**
   * Runs a step of the current call from a transport callback: a throwing output or listener fails
   * the call instead of escaping into the socket's event handler.
   */
  #guard(step: (run: SynthesisRun) => void): void {
    const run = this.#run;
    if (!run) return;
    try {
      step(run);
    } catch (error) {
      run.fail(error);
    }
  }

  /** The connection failed or the provider reported an error: the call in progress fails with it. */
  protected receiveError(error: APIError): void {
    const run = this.#run;
    if (run?.active) run.fail(error);
    else if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #createRun(output: AudioOutput, voice: string | undefined): SynthesisRun {
    return new SynthesisRun(
      {
        provider: this.provider,
        sampleRate: this.sampleRate,
        encoding: this.audioEncoding,
        frameDurationMs: this.#frameDurationMs,
        responseTimeoutMs: this.#responseTimeoutMs,
        speechTags: this.#speechTags,
        lifetime: this.#lifetime.signal,
        connect: (signal) => this.connect({ voice, signal }),
        sendText: (text) => this.sendText(text),
        sendUtteranceEnd: () => this.sendUtteranceEnd(),
        sendClear: () => this.sendClear(),
        requestId: () => this.requestId(),
        firstAudio: (event) => this.emit('first_audio', event),
        metrics: (metrics) => this.emit('metrics', metrics),
      },
      output,
    );
  }
}

function positive(option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(option, value, 'a number of ms > 0');
  }
  return value;
}
