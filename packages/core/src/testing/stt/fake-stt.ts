import { rms } from '@x/audio';
import { APIConnectionError, type APIError } from '../../errors/errors.js';
import type { ConnectOptions } from '../../retry/connect-options.js';
import { sleep } from '../../retry/sleep.js';
import { STT } from '../../stt/stt.js';
import type { SpeechEvent, SpeechWord, STTConnection, STTConnectionHandlers } from '../../stt/types.js';

/** What the fake "recognises" for one utterance. */
export interface FakeTranscript {
  text: string;
  language?: string;
  confidence?: number;
  speaker?: number;
}

export interface FakeSTTOptions {
  /** Transcripts given out one per detected utterance, in order. More with `addTranscript`. */
  transcripts?: Array<string | FakeTranscript>;
  /** The format the fake asks the base for. Default 16 000 Hz mono. */
  sampleRate?: number;
  channels?: number;
  /** Emit interim transcripts while speech goes on. Default true. */
  interimResults?: boolean;
  /** Speech between two interim transcripts. Default 200 ms. */
  interimEveryMs?: number;
  /** Lock a chunk of the utterance's words after this much speech (null = never). Default null. */
  lockEveryMs?: number | null;
  /** Silence that ends an utterance. Default 300 ms. */
  endpointingMs?: number;
  /** RMS level (0..1) above which a chunk is speech. Default 0.01. */
  speechThreshold?: number;
  /** Shorter bursts of sound are not utterances. Default 50 ms. */
  minSpeechMs?: number;
  /** Delay before a connection is ready. Default 0. */
  connectDelayMs?: number;
  /** Errors thrown by the first connection attempts, one per attempt, in order. */
  connectErrors?: APIError[];
  /** Per connection (in order): drop it after it received this many chunks (undefined = never). */
  dropAfterChunks?: Array<number | undefined>;
  /** Delay between the end of an utterance and its final transcript. Default 0. */
  finalDelayMs?: number;
  connectOptions?: Partial<ConnectOptions>;
  chunkMs?: number;
  maxBufferedAudioMs?: number;
  flushTimeoutMs?: number;
  closeTimeoutMs?: number;
  provider?: string;
}

/** What one fake connection received. */
export interface FakeConnectionRecord {
  chunks: number;
  audioMs: number;
  /** Closed by the STT (true) or dropped by the fake (false); undefined while open. */
  closedByClient?: boolean;
}

/**
 * A scripted STT for tests. It detects utterances by energy in the audio it is sent (after the
 * base's conversion): speech starts when a chunk is louder than `speechThreshold` and ends after
 * `endpointingMs` of silence, on `flush()` (through the base's silence) or on `close()`. Each
 * utterance gets the next scripted transcript, revealed word by word in interim events, optionally
 * partly locked on long speech. Connections can be made to fail or drop, to test recovery.
 */
export class FakeSTT extends STT {
  readonly connections: FakeConnectionRecord[] = [];
  readonly #script: FakeTranscript[] = [];
  readonly #options: Required<
    Pick<
      FakeSTTOptions,
      | 'interimEveryMs'
      | 'endpointingMs'
      | 'speechThreshold'
      | 'minSpeechMs'
      | 'connectDelayMs'
      | 'finalDelayMs'
    >
  > & { interimResults: boolean; lockEveryMs: number | null };
  readonly #connectErrors: APIError[];
  readonly #dropAfterChunks: Array<number | undefined>;
  #current: FakeConnection | null = null;
  connectAttempts = 0;

  constructor(options: FakeSTTOptions = {}) {
    const interimResults = options.interimResults ?? true;
    const lockEveryMs = options.lockEveryMs ?? null;
    const endpointingMs = options.endpointingMs ?? 300;
    super({
      provider: options.provider ?? 'fake',
      audioFormat: { sampleRate: options.sampleRate ?? 16_000, channels: options.channels ?? 1 },
      capabilities: { interimResults, lockedResults: lockEveryMs !== null, speechEvents: true },
      connectOptions: options.connectOptions ?? { maxRetry: 3, retryIntervalMs: 20, timeoutMs: 2000 },
      chunkMs: options.chunkMs,
      maxBufferedAudioMs: options.maxBufferedAudioMs,
      flushSilenceMs: endpointingMs + 50,
      flushTimeoutMs: options.flushTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
    });
    this.#options = {
      interimResults,
      lockEveryMs,
      endpointingMs,
      interimEveryMs: options.interimEveryMs ?? 200,
      speechThreshold: options.speechThreshold ?? 0.01,
      minSpeechMs: options.minSpeechMs ?? 50,
      connectDelayMs: options.connectDelayMs ?? 0,
      finalDelayMs: options.finalDelayMs ?? 0,
    };
    this.#connectErrors = [...(options.connectErrors ?? [])];
    this.#dropAfterChunks = [...(options.dropAfterChunks ?? [])];
    for (const entry of options.transcripts ?? []) this.addTranscript(entry);
  }

  /** Queues the transcript of a later utterance. */
  addTranscript(entry: string | FakeTranscript): void {
    this.#script.push(typeof entry === 'string' ? { text: entry } : entry);
  }

  /**
   * Delivers a transcript as if the provider had recognised it now, without audio (for tests of
   * code that consumes transcripts). Goes through the base (times, locked text, metrics) when a
   * connection is open; otherwise it is emitted as is.
   */
  injectTranscript(event: Pick<SpeechEvent, 'type' | 'text'> & Partial<SpeechEvent>): void {
    const full: SpeechEvent = { startMs: 0, endMs: 0, words: [], ...event };
    if (this.#current?.isOpen) this.#current.deliver(full);
    else this.emit('transcript', full);
  }

  /** Transcripts not given out yet. */
  get remainingTranscripts(): number {
    return this.#script.length;
  }

  /** Drops the current connection as a network failure would (or, `clean`, as a server ending the session). */
  dropConnection(options: { clean?: boolean } = {}): void {
    this.#current?.drop(options.clean ?? false);
  }

  protected override async openConnection(
    handlers: STTConnectionHandlers,
    signal: AbortSignal,
  ): Promise<STTConnection> {
    this.connectAttempts += 1;
    if (this.#options.connectDelayMs > 0) await sleep(this.#options.connectDelayMs, signal);
    else await Promise.resolve();
    signal.throwIfAborted();
    const error = this.#connectErrors.shift();
    if (error) throw error;
    const record: FakeConnectionRecord = { chunks: 0, audioMs: 0 };
    this.connections.push(record);
    const connection = new FakeConnection(this, handlers, record, this.#dropAfterChunks.shift());
    this.#current = connection;
    return connection;
  }

  /** @internal */
  get fakeOptions() {
    return this.#options;
  }

  /** @internal The transcript the current utterance will get. */
  peekTranscript(): FakeTranscript | undefined {
    return this.#script[0];
  }

  /** @internal */
  takeTranscript(): void {
    this.#script.shift();
  }
}

class FakeConnection implements STTConnection {
  readonly requestId: string;
  readonly #stt: FakeSTT;
  readonly #handlers: STTConnectionHandlers;
  readonly #record: FakeConnectionRecord;
  readonly #dropAfter: number | undefined;
  #open = true;
  #dropping = false;
  /** Words of the current utterance delivered in locked events (like a server, per connection). */
  #lockedWords = 0;
  #timeMs = 0;
  #inSpeech = false;
  #lastVoicedEndMs = 0;
  #silenceMs = 0;
  #speechMs = 0;
  #nextInterimMs = 0;
  #nextLockMs = 0;
  #lockStartMs = 0;
  #timers = new Set<NodeJS.Timeout>();

  constructor(
    stt: FakeSTT,
    handlers: STTConnectionHandlers,
    record: FakeConnectionRecord,
    dropAfter?: number,
  ) {
    this.#stt = stt;
    this.#handlers = handlers;
    this.#record = record;
    this.#dropAfter = dropAfter;
    this.requestId = `fake-${stt.connections.length}`;
  }

  sendAudio(chunk: Int16Array): void {
    if (!this.#open || this.#dropping) return;
    const { sampleRate, channels } = this.#stt.audioFormat;
    const durationMs = (chunk.length / channels / sampleRate) * 1000;
    this.#record.chunks += 1;
    this.#record.audioMs += durationMs;
    const startMs = this.#timeMs;
    this.#timeMs += durationMs;
    const options = this.#stt.fakeOptions;
    if (rms(chunk) > options.speechThreshold) {
      if (!this.#inSpeech) {
        this.#inSpeech = true;
        this.#lockStartMs = startMs;
        this.#speechMs = 0;
        this.#nextInterimMs = options.interimEveryMs;
        this.#nextLockMs = options.lockEveryMs ?? Number.POSITIVE_INFINITY;
        this.#later(() => this.#handlers.speechStarted(startMs));
      }
      this.#silenceMs = 0;
      this.#speechMs += durationMs;
      this.#lastVoicedEndMs = this.#timeMs;
      if (this.#speechMs >= this.#nextLockMs) {
        this.#nextLockMs += options.lockEveryMs ?? Number.POSITIVE_INFINITY;
        this.#lock();
      }
      if (options.interimResults && this.#speechMs >= this.#nextInterimMs) {
        this.#nextInterimMs += options.interimEveryMs;
        this.#interim();
      }
    } else if (this.#inSpeech) {
      this.#silenceMs += durationMs;
      if (this.#silenceMs >= options.endpointingMs) this.#endUtterance(options.finalDelayMs);
    }
    if (this.#dropAfter !== undefined && this.#record.chunks >= this.#dropAfter) this.drop();
  }

  async finish(timeoutMs: number): Promise<void> {
    if (!this.#open || this.#dropping) return;
    if (this.#inSpeech) this.#endUtterance(0);
    // Let scheduled events go out, bounded by the timeout.
    const deadline = Date.now() + timeoutMs;
    while (this.#timers.size > 0 && Date.now() < deadline) await sleep(5);
    await Promise.resolve();
    this.close();
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#record.closedByClient ??= true;
    this.#clearTimers();
  }

  get isOpen(): boolean {
    return this.#open && !this.#dropping;
  }

  /** Reports `event` with times relative to this connection's audio so far. */
  deliver(event: SpeechEvent): void {
    const endMs = event.endMs || this.#timeMs;
    this.#later(() => this.#handlers.transcript({ ...event, endMs }));
  }

  /** Stops taking audio at once; events already on their way are delivered, then it closes. */
  drop(clean = false): void {
    if (!this.#open || this.#dropping) return;
    this.#dropping = true;
    queueMicrotask(() => {
      if (!this.#open) return;
      this.#open = false;
      this.#record.closedByClient = false;
      this.#clearTimers();
      this.#handlers.closed(clean ? undefined : new APIConnectionError('fake STT connection dropped'));
    });
  }

  #words(): string[] {
    const entry = this.#stt.peekTranscript();
    return entry ? entry.text.split(/\s+/).filter((word) => word !== '') : [];
  }

  #interim(): void {
    const words = this.#words().slice(this.#lockedWords);
    if (words.length === 0) return;
    const shown = Math.min(
      words.length,
      Math.max(1, Math.floor(this.#speechMs / this.#stt.fakeOptions.interimEveryMs)),
    );
    const text = words.slice(0, shown).join(' ');
    const event = this.#event('interim', text, this.#lockStartMs, this.#lastVoicedEndMs);
    this.#later(() => this.#handlers.transcript(event));
  }

  #lock(): void {
    const remaining = this.#words().slice(this.#lockedWords);
    if (remaining.length < 2) return;
    const count = Math.ceil(remaining.length / 2);
    this.#lockedWords += count;
    const event = this.#event(
      'locked',
      remaining.slice(0, count).join(' '),
      this.#lockStartMs,
      this.#lastVoicedEndMs,
    );
    this.#lockStartMs = this.#lastVoicedEndMs;
    this.#later(() => this.#handlers.transcript(event));
  }

  #endUtterance(delayMs: number): void {
    this.#inSpeech = false;
    this.#silenceMs = 0;
    if (this.#speechMs < this.#stt.fakeOptions.minSpeechMs) return; // a click, not speech
    const entry = this.#stt.peekTranscript();
    const text = this.#words().slice(this.#lockedWords).join(' ');
    const endMs = this.#lastVoicedEndMs;
    const event: SpeechEvent = {
      ...this.#event('final', text, this.#lockStartMs, endMs),
      ...(entry?.language === undefined ? {} : { language: entry.language }),
    };
    this.#lockedWords = 0;
    if (entry) this.#stt.takeTranscript();
    this.#later(() => {
      this.#handlers.speechEnded(endMs);
      this.#handlers.transcript(event);
    }, delayMs);
  }

  #event(type: SpeechEvent['type'], text: string, startMs: number, endMs: number): SpeechEvent {
    const entry = this.#stt.peekTranscript();
    const words = text.split(/\s+/).filter((word) => word !== '');
    const step = words.length > 0 ? (endMs - startMs) / words.length : 0;
    const timed: SpeechWord[] = words.map((word, index) => ({
      text: word,
      startMs: startMs + index * step,
      endMs: startMs + (index + 1) * step,
      ...(entry?.confidence === undefined ? {} : { confidence: entry.confidence }),
      ...(entry?.speaker === undefined ? {} : { speaker: entry.speaker }),
    }));
    return {
      type,
      text,
      startMs,
      endMs,
      words: timed,
      ...(entry?.confidence === undefined ? {} : { confidence: entry.confidence }),
      ...(entry?.speaker === undefined ? {} : { speaker: entry.speaker }),
    };
  }

  /** Delivers asynchronously, like a network would, and never after the connection ended. */
  #later(deliver: () => void, delayMs = 0): void {
    if (delayMs <= 0) {
      queueMicrotask(() => {
        if (this.#open) deliver();
      });
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#open) deliver();
    }, delayMs);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
