import { STT, type STTConnection, type STTConnectionHandlers } from '@x/core';
import { openXAISTTConnection } from './connection.js';
import {
  buildSTTUrl,
  type ResolvedXAISTTOptions,
  resolveXAISTTOptions,
  type XAISTTOptions,
} from './options.js';

/**
 * Streaming speech-to-text on xAI (`wss://api.x.ai/v1/stt`).
 *
 * Push frames of any rate and channel count; they are converted to `sampleRate` (mono unless
 * `multichannel`), cut into `chunkMs` binary messages and encoded as `encoding`. Transcripts arrive
 * as `transcript` events: `interim`, `locked` (stable chunks of long speech) and `final` (the rest
 * of the utterance; locked text is not repeated, `utteranceText` has it all). `flush()` sends
 * `endpointing + 50` ms of silence (at least 100 ms) and resolves on the final. A dropped socket
 * is reopened with backoff and the unfinished utterance is sent again; a refused key is a fatal
 * `APIStatusError`.
 */
export class XAISTT extends STT {
  /** The validated options (without the key). */
  readonly options: Readonly<ResolvedXAISTTOptions>;
  /** The endpoint URL with its query (holds no secret). */
  readonly url: string;
  readonly #apiKey: string;

  constructor(options: XAISTTOptions = {}) {
    const { apiKey, resolved } = resolveXAISTTOptions(options);
    super({
      provider: 'xai',
      audioFormat: {
        sampleRate: resolved.sampleRate,
        channels: resolved.multichannel ? resolved.channels : 1,
      },
      capabilities: {
        interimResults: resolved.interimResults,
        lockedResults: true,
        speechEvents: false,
        diarization: resolved.diarize,
      },
      connectOptions: options.connectOptions,
      chunkMs: options.chunkMs ?? 100,
      maxBufferedAudioMs: options.maxBufferedAudioMs,
      flushSilenceMs: Math.max(resolved.endpointing + 50, 100),
      flushTimeoutMs: options.flushTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
      resamplerQuality: resolved.resamplerQuality,
    });
    this.options = Object.freeze(resolved);
    this.url = buildSTTUrl(resolved);
    this.#apiKey = apiKey;
  }

  protected override openConnection(
    handlers: STTConnectionHandlers,
    signal: AbortSignal,
  ): Promise<STTConnection> {
    return openXAISTTConnection({
      url: this.url,
      apiKey: this.#apiKey,
      options: this.options,
      handlers,
      signal,
    });
  }
}
