import {
  APIConnectionError,
  APIError,
  redact,
  TTS,
  type TTSAudioEncoding,
  type TTSConnectRequest,
  withRetry,
} from '@x/core';
import { TTSSocket } from './connection.js';
import {
  buildTTSUrl,
  type ResolvedXAITTSOptions,
  resolveXAITTSOptions,
  validateVoice,
  type XAITTSOptions,
  type XAITTSVoice,
} from './options.js';
import { type ServerEvent, TEXT_CLEAR, TEXT_DONE, textDelta } from './protocol.js';

interface Live {
  socket: TTSSocket;
  voice: XAITTSVoice;
  /** `text.clear` sent; audio is dropped until the server's `audio.clear`. */
  clearing: { done: Promise<void>; resolve: () => void } | undefined;
}

/**
 * xAI streaming text-to-speech over one reused WebSocket (`wss://api.x.ai/v1/tts`).
 *
 * ```ts
 * const tts = new XAITTS({ voice: 'ara', output: new MemoryAudioOutput() });
 * await tts.synthesize('Hello [pause] there!');
 * await tts.close();
 * ```
 *
 * Each utterance is sent as `text.delta` messages (never splitting a speech tag) and a `text.done`;
 * the call resolves on the matching `audio.done`. The socket is reused across utterances, replaced
 * once older than `maxConnectionAgeMs` (between calls) or when a call needs another voice, and
 * reopened after a drop. `interrupt()` sends `text.clear` and drops audio until `audio.clear`.
 */
export class XAITTS extends TTS {
  readonly provider = 'xai';
  readonly sampleRate: number;
  readonly options: Readonly<Omit<ResolvedXAITTSOptions, 'apiKey'>>;
  protected readonly audioEncoding: TTSAudioEncoding;

  readonly #apiKey: string;
  readonly #resolved: ResolvedXAITTSOptions;
  #live: Live | undefined;
  #opening: { voice: XAITTSVoice; promise: Promise<Live> } | undefined;
  #dropped = false;
  #handshakes = 0;

  constructor(options: XAITTSOptions = {}) {
    super(options);
    const resolved = resolveXAITTSOptions(options);
    this.#resolved = resolved;
    this.#apiKey = resolved.apiKey;
    const { apiKey: _hidden, ...visible } = resolved;
    this.options = Object.freeze(visible);
    this.sampleRate = resolved.sampleRate;
    this.audioEncoding = resolved.codec === 'mulaw' ? 'mulaw' : 'pcm_s16le';
  }

  /** The default voice. */
  get voice(): XAITTSVoice {
    return this.#resolved.voice;
  }

  /** Handshakes completed so far (sockets opened). */
  get connectionCount(): number {
    return this.#handshakes;
  }

  protected validateVoice(voice: string): string {
    return validateVoice(voice);
  }

  protected override requestId(): string | null {
    return this.#live?.socket.requestId ?? null;
  }

  protected async connect({ voice, signal }: TTSConnectRequest): Promise<void> {
    const wanted = (voice as XAITTSVoice | undefined) ?? this.#live?.voice ?? this.#resolved.voice;
    for (;;) {
      signal.throwIfAborted();
      const opening = this.#opening;
      if (opening) {
        // Share a handshake in flight (prewarm and a call racing); then re-check.
        await opening.promise.catch(() => undefined);
        continue;
      }
      const live = this.#live;
      if (live?.clearing) await this.#awaitClear(live, signal);
      if (this.#live && this.#usable(this.#live, wanted)) return;
      await this.#replace(wanted, signal);
      return;
    }
  }

  protected sendText(text: string): void {
    this.#socket().send(textDelta(text));
  }

  protected sendUtteranceEnd(): void {
    this.#socket().send(TEXT_DONE);
  }

  protected sendClear(): void {
    const live = this.#live;
    if (!live?.socket.open) return;
    if (!live.clearing) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      live.clearing = { done, resolve };
    }
    live.socket.send(TEXT_CLEAR);
  }

  protected async disconnect(): Promise<void> {
    const opening = this.#opening;
    if (opening) await opening.promise.catch(() => undefined);
    const live = this.#live;
    this.#live = undefined;
    live?.clearing?.resolve();
    await live?.socket.close();
  }

  #socket(): TTSSocket {
    const socket = this.#live?.socket;
    if (!socket?.open) throw new APIConnectionError('xAI TTS connection is not open');
    return socket;
  }

  #usable(live: Live, voice: XAITTSVoice): boolean {
    return (
      live.socket.open &&
      !live.clearing &&
      live.voice === voice &&
      live.socket.ageMs < this.#resolved.maxConnectionAgeMs
    );
  }

  /** Waits (bounded) for `audio.clear`; a socket that does not confirm is retired. */
  async #awaitClear(live: Live, signal: AbortSignal): Promise<void> {
    const clearing = live.clearing;
    if (!clearing) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#resolved.clearTimeoutMs);
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([clearing.done.then(() => 'cleared' as const), timedOut, aborted]);
      if (outcome === 'aborted') signal.throwIfAborted();
      if (outcome === 'timeout' && this.#live === live) {
        // No confirmation: audio of the cleared text could still come on this socket.
        this.#live = undefined;
        await live.socket.close();
      }
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the current socket (if any) and opens one for `voice`, retrying per `connectOptions`. */
  async #replace(voice: XAITTSVoice, signal: AbortSignal): Promise<void> {
    const old = this.#live;
    this.#live = undefined;
    if (old) void old.socket.close();
    const promise = withRetry((attemptSignal) => this.#open(voice, attemptSignal), {
      connectOptions: this.#resolved.connectOptions,
      signal,
      label: 'xAI TTS connect',
    });
    const opening = { voice, promise };
    this.#opening = opening;
    try {
      const live = await promise;
      if (this.closed) {
        await live.socket.close();
        throw new APIConnectionError('xAI TTS closed while connecting');
      }
      this.#live = live;
      if (this.#dropped) {
        this.#dropped = false;
        this.emit('reconnected');
      }
    } finally {
      if (this.#opening === opening) this.#opening = undefined;
    }
  }

  async #open(voice: XAITTSVoice, signal: AbortSignal): Promise<Live> {
    let live: Live | undefined;
    const socket = await TTSSocket.open({
      url: buildTTSUrl(this.#resolved, voice),
      apiKey: this.#apiKey,
      signal,
      handlers: {
        event: (event) => {
          if (live) this.#onEvent(live, event);
        },
        binary: (bytes) => {
          if (live && this.#live === live && !live.clearing) this.receiveAudio(bytes);
        },
        malformed: () => {
          // Not JSON: nothing in it can be used; the stream goes on.
        },
        dropped: (error) => {
          if (!live) return;
          live.clearing?.resolve();
          if (this.#live !== live) return;
          this.#live = undefined;
          this.#dropped = true;
          // Idle sockets may be closed by the server; only a call in progress fails.
          if (this.busy) this.receiveError(error);
        },
      },
    });
    live = { socket, voice, clearing: undefined };
    this.#handshakes++;
    return live;
  }

  #onEvent(live: Live, event: ServerEvent): void {
    if (this.#live !== live) return;
    if (live.clearing) {
      // Everything up to the server's confirmation belongs to the cleared text.
      if (event.type === 'audio.clear') {
        live.clearing.resolve();
        live.clearing = undefined;
      }
      return;
    }
    switch (event.type) {
      case 'audio.delta':
        this.receiveAudio(decodeBase64(event.delta));
        break;
      case 'audio.done':
        this.receiveUtteranceDone();
        break;
      case 'error':
        this.receiveError(
          new APIError(`xAI TTS error: ${redact(event.message)}`, { retryable: false, body: event }),
        );
        break;
      default:
        break;
    }
  }
}

function decodeBase64(b64: string): Uint8Array {
  const buffer = Buffer.from(b64, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
