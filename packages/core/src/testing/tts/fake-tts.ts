import { mulawEncode } from '@x/audio';
import { APIConnectionError, ConfigurationError } from '../../errors/errors.js';
import { sleep } from '../../retry/sleep.js';
import { stripSpeechTags } from '../../tts/speech-tags.js';
import { TTS, type TTSBaseOptions, type TTSConnectRequest } from '../../tts/tts.js';
import type { TTSAudioEncoding } from '../../tts/types.js';
import { decodeFakeSpeech, fakeSpeech } from './fake-speech.js';

export interface FakeTTSOptions extends TTSBaseOptions {
  /** Rate of the audio (default 16000). */
  sampleRate?: number;
  /** Milliseconds of audio per character (default 5). */
  msPerChar?: number;
  /** Bytes per delivered chunk; odd by default (331) so chunks cut samples in half. */
  chunkBytes?: number;
  /** Pause between chunks (default 2 ms). */
  chunkIntervalMs?: number;
  /** Pause between an utterance's end and its first chunk (default 5 ms). */
  firstAudioDelayMs?: number;
  /** Time a new "connection" takes (default 0). */
  connectDelayMs?: number;
  /** Chunks of cleared audio still delivered after a clear, like a real network (default 2). */
  lateChunksAfterClear?: number;
  /** Voices accepted (default `fake`, `alt`); the first is the default. */
  voices?: readonly string[];
  /** Encoding of the audio the fake "server" sends (default PCM16; µ-law is lossy for `decode`). */
  encoding?: 'pcm_s16le' | 'mulaw';
}

interface PendingAudio {
  bytes: Uint8Array;
  offset: number;
}

/**
 * An in-process TTS for tests: behaves like a streaming provider (one connection reused, audio in
 * odd-sized chunks after each utterance end, late audio after a clear, speech tags recognised only
 * when whole inside one text message) and speaks a deterministic "voice" that `decode()` reads back.
 */
export class FakeTTS extends TTS {
  readonly provider = 'fake';
  readonly sampleRate: number;
  protected readonly audioEncoding: TTSAudioEncoding;
  readonly samplesPerChar: number;

  /** Every text message received, in order. */
  readonly sentTexts: string[] = [];
  /** The text of each utterance as received (messages joined). */
  readonly utterances: string[] = [];
  /** Connections opened (a voice change opens a new one). */
  connections = 0;
  clears = 0;
  voice: string | undefined;

  readonly #options: Required<Omit<FakeTTSOptions, keyof TTSBaseOptions>>;
  #connected = false;
  #current: string[] = [];
  #queue: PendingAudio[] = [];
  #timer: NodeJS.Timeout | undefined;
  #drained: Promise<void> = Promise.resolve();
  #endDrain: (() => void) | undefined;
  #dropAfterChunks: number | undefined;

  constructor(options: FakeTTSOptions = {}) {
    super(options);
    this.#options = {
      sampleRate: options.sampleRate ?? 16000,
      msPerChar: options.msPerChar ?? 5,
      chunkBytes: options.chunkBytes ?? 331,
      chunkIntervalMs: options.chunkIntervalMs ?? 2,
      firstAudioDelayMs: options.firstAudioDelayMs ?? 5,
      connectDelayMs: options.connectDelayMs ?? 0,
      lateChunksAfterClear: options.lateChunksAfterClear ?? 2,
      voices: options.voices ?? ['fake', 'alt'],
      encoding: options.encoding ?? 'pcm_s16le',
    };
    this.audioEncoding = this.#options.encoding;
    this.sampleRate = this.#options.sampleRate;
    this.samplesPerChar = Math.max(1, Math.round((this.#options.msPerChar * this.sampleRate) / 1000));
  }

  /** Text spoken in audio this TTS produced (not resampled). */
  decode(audio: Parameters<typeof decodeFakeSpeech>[0]): string {
    return decodeFakeSpeech(audio, this.samplesPerChar);
  }

  /** The connection drops after `chunks` more audio chunks (the call in progress fails). */
  dropAfter(chunks: number): void {
    this.#dropAfterChunks = chunks;
  }

  protected validateVoice(voice: string): string {
    const found = this.#options.voices.find((v) => v.toLowerCase() === voice.toLowerCase());
    if (!found) {
      throw new ConfigurationError('voice', voice, `one of ${this.#options.voices.join(', ')}`);
    }
    return found;
  }

  protected async connect({ voice, signal }: TTSConnectRequest): Promise<void> {
    const wanted = voice ?? this.voice ?? this.#options.voices[0];
    await this.#drained;
    if (this.#connected && wanted === this.voice) return;
    if (this.#options.connectDelayMs > 0) await sleep(this.#options.connectDelayMs, signal);
    signal.throwIfAborted();
    this.#connected = true;
    this.voice = wanted;
    this.connections++;
  }

  protected sendText(text: string): void {
    this.sentTexts.push(text);
    this.#current.push(text);
  }

  protected sendUtteranceEnd(): void {
    const messages = this.#current;
    this.#current = [];
    this.utterances.push(messages.join(''));
    // Like xAI: a tag is recognised only when whole inside one message; a split one is read out.
    const spoken = messages.map((m) => stripSpeechTags(m)).join('');
    const samples = fakeSpeech(spoken, this.samplesPerChar);
    const bytes = this.audioEncoding === 'mulaw' ? mulawEncode(samples) : new Uint8Array(samples.buffer);
    this.#queue.push({ bytes, offset: 0 });
    if (!this.#timer) this.#schedule(this.#options.firstAudioDelayMs);
  }

  protected sendClear(): void {
    this.clears++;
    this.#current = [];
    const stale = this.#queue;
    this.#queue = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    let late = this.#options.lateChunksAfterClear;
    this.#drained = new Promise((resolve) => {
      this.#endDrain = resolve;
      const next = () => {
        const head = stale[0];
        if (late-- <= 0 || !head || !this.#connected) {
          this.#timer = undefined;
          this.#endDrain = undefined;
          resolve();
          if (this.#queue.length > 0) this.#schedule(this.#options.firstAudioDelayMs);
          return;
        }
        this.#deliverChunk(head, stale);
        this.#timer = setTimeout(next, this.#options.chunkIntervalMs);
      };
      this.#timer = setTimeout(next, this.#options.chunkIntervalMs);
    });
  }

  protected async disconnect(): Promise<void> {
    this.#connected = false;
    this.#queue = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#endDrain?.();
    this.#endDrain = undefined;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, delayMs);
  }

  #tick(): void {
    const head = this.#queue[0];
    if (!head) return;
    if (this.#dropAfterChunks !== undefined && this.#dropAfterChunks-- <= 0) {
      this.#dropAfterChunks = undefined;
      this.#connected = false;
      this.#queue = [];
      this.receiveError(new APIConnectionError('fake TTS connection dropped'));
      return;
    }
    this.#deliverChunk(head, this.#queue);
    this.#schedule(this.#options.chunkIntervalMs);
  }

  #deliverChunk(head: PendingAudio, queue: PendingAudio[]): void {
    const end = Math.min(head.bytes.byteLength, head.offset + this.#options.chunkBytes);
    const chunk = head.bytes.subarray(head.offset, end);
    head.offset = end;
    if (chunk.byteLength > 0) this.receiveAudio(chunk);
    if (head.offset >= head.bytes.byteLength) {
      queue.shift();
      if (queue === this.#queue) this.receiveUtteranceDone();
    }
  }
}
