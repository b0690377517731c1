import type { AudioFrame } from '@x/audio';
import type { AudioOutput } from '../audio-io/audio-output.js';
import { APITimeoutError } from '../errors/errors.js';
import { StreamRace } from '../llm/abort.js';
import type { TTSMetrics } from '../metrics/types.js';
import { TTSAudioDecoder } from './audio-decoder.js';
import { SpeechTagChunker, type SpeechTagOptions } from './speech-tags.js';
import {
  FLUSH,
  type FirstAudioEvent,
  type SynthesisInput,
  type SynthesisResult,
  type TTSAudioEncoding,
  type UtteranceResult,
} from './types.js';

/** What a run needs from its TTS: the provider's transport hooks and the event sinks. */
export interface RunPort {
  readonly provider: string;
  readonly sampleRate: number;
  readonly encoding: TTSAudioEncoding;
  readonly frameDurationMs: number;
  readonly responseTimeoutMs: number;
  readonly speechTags: SpeechTagOptions;
  /** Aborted when the TTS closes: a connection still being opened for this run is then abandoned. */
  readonly lifetime: AbortSignal;
  /** Opens (or reuses) the provider's connection; `signal` aborts with the run or the TTS. */
  connect(signal: AbortSignal): Promise<void>;
  sendText(text: string): void;
  sendUtteranceEnd(): void;
  sendClear(): void;
  requestId(): string | null;
  firstAudio(event: FirstAudioEvent): void;
  metrics(metrics: TTSMetrics): void;
}

interface Utterance {
  readonly index: number;
  /**
   * TTFB anchor: the first text of the utterance available to send, or the end of the previous
   * utterance's audio if later (audio cannot start before it; that wait is not this one's latency).
   */
  anchor: number;
  characters: number;
  endSent: boolean;
  done: boolean;
  firstAudioAt?: number;
  lastAudioAt?: number;
  audioMs: number;
  decoder?: TTSAudioDecoder;
}

type RunState = 'running' | 'interrupted' | 'failed' | 'finished';

const now = () => performance.now();

/**
 * One `synthesize` call: reads the input, sends tag-safe text through the provider, matches audio
 * to utterances in order (the provider answers each utterance end with one "done"), writes frames
 * to the output, and owns TTFB, character counts, metrics, interruption and the response watchdog.
 */
export class SynthesisRun {
  readonly #port: RunPort;
  readonly #output: AudioOutput;
  readonly #controller = new AbortController();
  readonly #chunker: SpeechTagChunker;
  readonly #utterances: Utterance[] = [];
  #state: RunState = 'running';
  #sending: Utterance | undefined;
  #audioHead = 0;
  #inputEnded = false;
  #watchdog: NodeJS.Timeout | undefined;
  /** Last audio, utterance end sent or utterance done: the provider's silence is counted from it. */
  #progressAt = 0;
  #resolve!: (result: SynthesisResult) => void;
  #reject!: (error: unknown) => void;
  readonly promise: Promise<SynthesisResult>;

  constructor(port: RunPort, output: AudioOutput) {
    this.#port = port;
    this.#output = output;
    this.#chunker = new SpeechTagChunker(port.speechTags);
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get active(): boolean {
    return this.#state === 'running';
  }

  /** Starts reading `input`; the result arrives on `promise`. */
  start(input: SynthesisInput): Promise<SynthesisResult> {
    const signal = this.#controller.signal;
    let connected: Promise<void> | undefined;
    const ensureConnected = () => {
      connected ??= this.#connect(signal);
      return connected;
    };
    // Connect at once so the handshake overlaps the wait for the first text.
    ensureConnected().catch((error: unknown) => this.fail(error));
    this.#pump(input, ensureConnected).catch((error: unknown) => this.fail(error));
    return this.promise;
  }

  /**
   * The provider's connect with a signal that aborts with the run or when the TTS closes (even if
   * the run finished meanwhile). The TTS's lifetime is followed only while connecting: one listener
   * added and removed, cheaper than a combined signal per call.
   */
  #connect(signal: AbortSignal): Promise<void> {
    const { lifetime } = this.#port;
    if (lifetime.aborted) return Promise.reject(lifetime.reason);
    const onClosed = () => this.#controller.abort(lifetime.reason);
    lifetime.addEventListener('abort', onClosed, { once: true });
    const detach = () => lifetime.removeEventListener('abort', onClosed);
    const connecting = this.#port.connect(signal);
    connecting.then(detach, detach);
    return connecting;
  }

  async #pump(input: SynthesisInput, ensureConnected: () => Promise<void>): Promise<void> {
    // One abort listener for the whole call (not one per text delta and per send).
    const race = new StreamRace(this.#controller.signal);
    try {
      await this.#read(input, ensureConnected, race);
    } finally {
      race.dispose();
    }
  }

  async #read(input: SynthesisInput, ensureConnected: () => Promise<void>, race: StreamRace): Promise<void> {
    let connected = false;
    const send = async (text: string) => {
      if (text === '') return;
      if (!connected) {
        await race.next(ensureConnected());
        connected = true;
      }
      if (!this.active) return;
      this.#sendText(text);
    };
    const onText = async (text: string) => {
      if (text === '') return;
      if (!this.#sending) this.#openUtterance();
      await send(this.#chunker.push(text));
    };
    const endUtterance = async () => {
      await send(this.#chunker.flush());
      if (!this.active) return;
      const utterance = this.#sending;
      this.#sending = undefined;
      if (!utterance || utterance.characters === 0) return;
      utterance.endSent = true;
      this.#port.sendUtteranceEnd();
      this.#armWatchdog();
    };

    if (typeof input === 'string') {
      await onText(input);
    } else {
      const iterator =
        Symbol.asyncIterator in input
          ? input[Symbol.asyncIterator]()
          : (input as Iterable<string | typeof FLUSH>)[Symbol.iterator]();
      let finished = false;
      try {
        for (;;) {
          const next = await race.next(Promise.resolve(iterator.next()));
          if (next.done) {
            finished = true;
            break;
          }
          if (!this.active) return;
          if (next.value === FLUSH) await endUtterance();
          else if (typeof next.value === 'string') await onText(next.value);
          else throw new TypeError('synthesize() input must yield strings or FLUSH');
          if (!this.active) return;
        }
      } finally {
        if (!finished) Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
    }
    if (!this.active) return;
    await endUtterance();
    this.#inputEnded = true;
    this.#checkFinished();
  }

  #openUtterance(): void {
    const utterance: Utterance = {
      index: this.#utterances.length,
      anchor: now(),
      characters: 0,
      endSent: false,
      done: false,
      audioMs: 0,
    };
    this.#utterances.push(utterance);
    this.#sending = utterance;
  }

  #sendText(text: string): void {
    const utterance = this.#sending;
    if (!utterance) return;
    utterance.characters += text.length;
    this.#port.sendText(text);
  }

  /** Audio bytes from the provider, for the oldest utterance not yet done. */
  onAudio(bytes: Uint8Array): void {
    if (!this.active) return;
    const utterance = this.#utterances[this.#audioHead];
    if (!utterance || utterance.characters === 0) return;
    const at = now();
    if (utterance.firstAudioAt === undefined) {
      utterance.firstAudioAt = at;
      this.#port.firstAudio({ ttfbMs: this.#ttfb(utterance) ?? 0, utteranceIndex: utterance.index });
    }
    utterance.lastAudioAt = at;
    utterance.decoder ??= new TTSAudioDecoder({
      encoding: this.#port.encoding,
      sampleRate: this.#port.sampleRate,
      outputRate: this.#output.sampleRate,
      frameDurationMs: this.#port.frameDurationMs,
    });
    this.#write(utterance, utterance.decoder.write(bytes));
    this.#armWatchdog();
  }

  /** The provider finished the oldest pending utterance's audio. */
  onUtteranceDone(): void {
    if (!this.active) return;
    const utterance = this.#utterances[this.#audioHead];
    if (!utterance?.endSent) return;
    if (utterance.decoder) this.#write(utterance, utterance.decoder.flush());
    this.#output.flush();
    utterance.done = true;
    this.#audioHead++;
    const next = this.#utterances[this.#audioHead];
    if (next) next.anchor = Math.max(next.anchor, now());
    this.#emitMetrics(utterance, false);
    this.#armWatchdog();
    this.#checkFinished();
  }

  /** Stops the run now: output interrupted, provider told to clear, result marked interrupted. */
  interrupt(): void {
    if (!this.active) return;
    this.#state = 'interrupted';
    this.#output.interrupt();
    this.#stop(true);
    this.#resolve(this.#result(true));
  }

  /** Ends the run with `error` (connection lost, timeout, aborted signal, bad input). */
  fail(error: unknown, { interruptOutput = false }: { interruptOutput?: boolean } = {}): void {
    if (!this.active) return;
    this.#state = 'failed';
    if (interruptOutput) this.#output.interrupt();
    else this.#output.flush();
    this.#stop(true);
    this.#reject(error);
  }

  #stop(cancelled: boolean): void {
    this.#clearWatchdog();
    this.#controller.abort();
    const inFlight = this.#utterances.filter((u) => !u.done && u.characters > 0);
    if (inFlight.length > 0) {
      try {
        this.#port.sendClear();
      } catch {
        // The connection is gone; the provider reconnects for the next call.
      }
    }
    for (const utterance of inFlight) this.#emitMetrics(utterance, cancelled);
  }

  #checkFinished(): void {
    if (!this.active || !this.#inputEnded) return;
    if (this.#utterances.some((u) => !u.done)) return;
    this.#state = 'finished';
    this.#clearWatchdog();
    this.#resolve(this.#result(false));
  }

  #write(utterance: Utterance, frames: readonly AudioFrame[]): void {
    for (const frame of frames) {
      if (frame.samplesPerChannel === 0) continue;
      utterance.audioMs += (frame.samplesPerChannel * 1000) / frame.sampleRate;
      this.#output.push(frame);
    }
  }

  #ttfb(utterance: Utterance): number | null {
    if (utterance.firstAudioAt === undefined) return null;
    return Math.max(0, utterance.firstAudioAt - utterance.anchor);
  }

  #utteranceResult(utterance: Utterance, interrupted: boolean): UtteranceResult {
    const end = utterance.done ? (utterance.lastAudioAt ?? now()) : now();
    return {
      characters: utterance.characters,
      audioDurationMs: utterance.audioMs,
      ttfbMs: this.#ttfb(utterance),
      durationMs: Math.max(0, end - utterance.anchor),
      interrupted,
    };
  }

  #emitMetrics(utterance: Utterance, cancelled: boolean): void {
    const result = this.#utteranceResult(utterance, cancelled);
    this.#port.metrics({
      type: 'tts',
      provider: this.#port.provider,
      ttfbMs: result.ttfbMs,
      durationMs: result.durationMs,
      audioDurationMs: result.audioDurationMs,
      charactersCount: result.characters,
      cancelled,
      requestId: this.#port.requestId(),
    });
  }

  #result(interrupted: boolean): SynthesisResult {
    const utterances = this.#utterances
      .filter((u) => u.characters > 0)
      .map((u) => this.#utteranceResult(u, interrupted && !u.done));
    return {
      utterances,
      characters: utterances.reduce((sum, u) => sum + u.characters, 0),
      audioDurationMs: utterances.reduce((sum, u) => sum + u.audioDurationMs, 0),
      ttfbMs: utterances[0]?.ttfbMs ?? null,
      interrupted,
    };
  }

  /**
   * While an ended utterance awaits audio, the provider must answer within `responseTimeoutMs`.
   * Called on every audio chunk, so it is cheap: it notes the time and starts a timer only when
   * none is pending; the timer checks the time since the last progress when it fires and re-arms
   * for what is left (one timer per silence, not a `setTimeout`/`clearTimeout` per chunk).
   */
  #armWatchdog(): void {
    if (!this.active) {
      this.#clearWatchdog();
      return;
    }
    this.#progressAt = now();
    if (this.#watchdog === undefined && this.#awaitingAudio()) {
      this.#watchdog = setTimeout(this.#onWatchdog, this.#port.responseTimeoutMs);
    }
  }

  readonly #onWatchdog = (): void => {
    this.#watchdog = undefined;
    if (!this.active || !this.#awaitingAudio()) return;
    const ms = this.#port.responseTimeoutMs;
    const left = ms - (now() - this.#progressAt);
    if (left > 0) {
      this.#watchdog = setTimeout(this.#onWatchdog, Math.max(1, Math.ceil(left)));
      return;
    }
    this.fail(new APITimeoutError(`${this.#port.provider} TTS sent no audio for ${ms} ms`));
  };

  #awaitingAudio(): boolean {
    return this.#utterances.some((u) => u.endSent && !u.done);
  }

  #clearWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }
}
