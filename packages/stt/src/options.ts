import type { ResamplerQuality } from '@x/audio';
import {
  type ConnectOptions,
  ConfigurationError,
  DEFAULT_STT_RESAMPLER_QUALITY,
  inRange,
  oneOf,
  resolveApiKey,
  STT_RESAMPLER_QUALITIES,
} from '@x/core';

export const XAI_STT_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export type XAISTTSampleRate = (typeof XAI_STT_SAMPLE_RATES)[number];
export const XAI_STT_ENCODINGS = ['pcm', 'mulaw', 'alaw'] as const;
export type XAISTTEncoding = (typeof XAI_STT_ENCODINGS)[number];
export const DEFAULT_XAI_STT_BASE_URL = 'wss://api.x.ai/v1';

export interface XAISTTOptions {
  /** xAI API key; defaults to the `XAI_API_KEY` environment variable. */
  apiKey?: string;
  /** Rate the audio is sent at (pushed frames of any rate are converted). Default 48000. */
  sampleRate?: XAISTTSampleRate;
  /** Wire encoding: `pcm` (s16le), `mulaw` or `alaw` (G.711). Default `pcm`. */
  encoding?: XAISTTEncoding;
  /** Interim (not yet final) transcripts. Default true. */
  interimResults?: boolean;
  /** Silence (ms) after which the server ends an utterance, 0–5000. Default 50. */
  endpointing?: number;
  /** Language for inverse text normalisation (`en`); null leaves it out. Default `en`. */
  language?: string | null;
  /** Speaker index per word. Default false. */
  diarize?: boolean;
  /** Transcribe each channel on its own (audio is sent with `channels` channels). Default false. */
  multichannel?: boolean;
  /** Channels sent when `multichannel` is true, 2–8. Default 1 (2 when `multichannel`). */
  channels?: number;
  /** WebSocket base URL; the STT endpoint is `${baseURL}/stt`. Default `wss://api.x.ai/v1`. */
  baseURL?: string;
  connectOptions?: Partial<ConnectOptions>;
  /** Duration of each binary audio message. Default 100 ms. */
  chunkMs?: number;
  /** Audio held for a reconnect (unfinished utterance + audio pushed meanwhile). Default 30 000 ms. */
  maxBufferedAudioMs?: number;
  /** Longest `flush()` waits for the final transcript. Default 5000 ms. */
  flushTimeoutMs?: number;
  /** Longest `close()` waits for `transcript.done`. Default 2000 ms. */
  closeTimeoutMs?: number;
  /**
   * Resampler used when pushed frames are not at `sampleRate`: `'voice'` (default; flat to 80 % of
   * the wire Nyquist, e.g. 6.4 kHz at 16 kHz, aliases into that band ≥ 75 dB down, under half the
   * CPU of `'fast'`), `'fast'` (nothing above the Nyquist aliases, ~100 dB) or `'high'` (90 %,
   * ≥ 125 dB). No effect on frames already at `sampleRate`.
   */
  resamplerQuality?: ResamplerQuality;
}

export interface ResolvedXAISTTOptions {
  sampleRate: XAISTTSampleRate;
  encoding: XAISTTEncoding;
  interimResults: boolean;
  endpointing: number;
  language: string | null;
  diarize: boolean;
  multichannel: boolean;
  channels: number;
  baseURL: string;
  resamplerQuality: ResamplerQuality;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigurationError(option, value, 'true or false');
  return value;
}

/** Validates every option (the key is returned apart so it never lands in a printable object). */
export function resolveXAISTTOptions(options: XAISTTOptions): {
  apiKey: string;
  resolved: ResolvedXAISTTOptions;
} {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', options, 'an object');
  }
  const sampleRate = oneOf('sampleRate', options.sampleRate ?? 48000, XAI_STT_SAMPLE_RATES);
  const encoding = oneOf('encoding', options.encoding ?? 'pcm', XAI_STT_ENCODINGS, { caseInsensitive: true });
  const interimResults = bool('interimResults', options.interimResults, true);
  const endpointing = inRange('endpointing', options.endpointing ?? 50, 0, 5000, { integer: true });
  const language = options.language === undefined ? 'en' : options.language;
  if (language !== null && (typeof language !== 'string' || language.trim() === '')) {
    throw new ConfigurationError(
      'language',
      language,
      'a language code such as "en", or null to leave it out',
    );
  }
  const diarize = bool('diarize', options.diarize, false);
  const multichannel = bool('multichannel', options.multichannel, false);
  let channels: number;
  if (multichannel) {
    channels = inRange('channels', options.channels ?? 2, 2, 8, { integer: true });
  } else {
    channels = options.channels ?? 1;
    if (channels !== 1) {
      throw new ConfigurationError('channels', channels, '1 unless multichannel is true (then 2 to 8)');
    }
  }
  const baseURL = resolveBaseURL(options.baseURL);
  const resamplerQuality = oneOf(
    'resamplerQuality',
    options.resamplerQuality ?? DEFAULT_STT_RESAMPLER_QUALITY,
    STT_RESAMPLER_QUALITIES,
  );
  const apiKey = resolveApiKey(options.apiKey);
  return {
    apiKey,
    resolved: {
      sampleRate,
      encoding,
      interimResults,
      endpointing,
      language: language === null ? null : language.trim(),
      diarize,
      multichannel,
      channels,
      baseURL,
      resamplerQuality,
    },
  };
}

/** `${baseURL}/stt?...` with every option the server takes. */
export function buildSTTUrl(options: ResolvedXAISTTOptions): string {
  const params = new URLSearchParams({
    sample_rate: String(options.sampleRate),
    encoding: options.encoding,
    interim_results: String(options.interimResults),
    endpointing: String(options.endpointing),
  });
  if (options.language !== null) params.set('language', options.language);
  params.set('diarize', String(options.diarize));
  params.set('multichannel', String(options.multichannel));
  // xAI takes `channels` 2–8, and only with `multichannel`; mono needs no parameter.
  if (options.multichannel) params.set('channels', String(options.channels));
  return `${options.baseURL}/stt?${params.toString()}`;
}

function resolveBaseURL(value: unknown): string {
  const allowed = 'a ws:// or wss:// URL such as "wss://api.x.ai/v1"';
  if (value === undefined) return DEFAULT_XAI_STT_BASE_URL;
  if (typeof value !== 'string' || !/^wss?:\/\/[^/]/i.test(value)) {
    throw new ConfigurationError('baseURL', value, allowed);
  }
  try {
    new URL(value);
  } catch {
    throw new ConfigurationError('baseURL', value, allowed);
  }
  return value.replace(/\/+$/, '');
}
