import {
  ConfigurationError,
  type ConnectOptions,
  inRange,
  oneOf,
  resolveApiKey,
  resolveConnectOptions,
  type TTSBaseOptions,
} from '@x/core';

export const XAI_TTS_VOICES = ['eve', 'ara', 'rex', 'sal', 'leo'] as const;
export type XAITTSVoice = (typeof XAI_TTS_VOICES)[number];

export const XAI_TTS_CODECS = ['pcm', 'mulaw'] as const;
export type XAITTSCodec = (typeof XAI_TTS_CODECS)[number];

export const XAI_TTS_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export type XAITTSSampleRate = (typeof XAI_TTS_SAMPLE_RATES)[number];

export const DEFAULT_XAI_TTS_BASE_URL = 'wss://api.x.ai/v1';

export interface XAITTSOptions extends TTSBaseOptions {
  /** xAI API key; defaults to the `XAI_API_KEY` environment variable. */
  apiKey?: string;
  /** Voice (case-insensitive): eve (default), ara, rex, sal, leo. */
  voice?: XAITTSVoice | (string & {});
  /** BCP-47 language tag (`en`, `pt-BR`) or `auto` (default `en`). */
  language?: string;
  /** Audio encoding on the wire (default `pcm`); outputs always receive PCM16 frames. */
  codec?: XAITTSCodec;
  /** Sample rate of the audio (default 24000). */
  sampleRate?: XAITTSSampleRate;
  /** 1 trades some quality for lower latency (sent only when set). */
  optimizeStreamingLatency?: 0 | 1;
  /** Whether the server normalises numbers, dates, … into words (sent only when set). */
  textNormalization?: boolean;
  /** WebSocket base URL (default `wss://api.x.ai/v1`); the client connects to `${baseURL}/tts`. */
  baseURL?: string;
  /** A socket older than this is replaced before the next call (default 300 000 ms). */
  maxConnectionAgeMs?: number;
  /** Retries, backoff and per-attempt timeout of the handshake. */
  connectOptions?: Partial<ConnectOptions>;
  /**
   * After `interrupt()`, how long to wait for the server's `audio.clear` before the socket is
   * replaced instead (default 1500 ms).
   */
  clearTimeoutMs?: number;
}

export interface ResolvedXAITTSOptions {
  apiKey: string;
  voice: XAITTSVoice;
  language: string;
  codec: XAITTSCodec;
  sampleRate: XAITTSSampleRate;
  optimizeStreamingLatency: 0 | 1 | undefined;
  textNormalization: boolean | undefined;
  baseURL: string;
  maxConnectionAgeMs: number;
  connectOptions: ConnectOptions;
  clearTimeoutMs: number;
}

/** Loose BCP-47: a 2–3 letter language, then up to four 1–8 character subtags, or `auto`. */
const BCP47 = /^[a-z]{2,3}(-[a-z0-9]{1,8}){0,4}$/i;

export function validateVoice(voice: unknown, option = 'voice'): XAITTSVoice {
  if (typeof voice !== 'string') {
    throw new ConfigurationError(option, voice, `one of ${XAI_TTS_VOICES.join(', ')} (case-insensitive)`);
  }
  return oneOf(option, voice.trim(), XAI_TTS_VOICES, { caseInsensitive: true });
}

export function validateLanguage(language: unknown): string {
  if (typeof language === 'string' && (language.toLowerCase() === 'auto' || BCP47.test(language))) {
    return language.toLowerCase() === 'auto' ? 'auto' : language;
  }
  throw new ConfigurationError(
    'language',
    language,
    'a BCP-47 language tag such as "en" or "pt-BR", or "auto"',
  );
}

function validateBaseURL(baseURL: unknown): string {
  if (typeof baseURL === 'string') {
    try {
      const url = new URL(baseURL);
      if (url.protocol === 'ws:' || url.protocol === 'wss:') return baseURL.replace(/\/+$/, '');
    } catch {
      // reported below
    }
  }
  throw new ConfigurationError('baseURL', baseURL, 'a ws:// or wss:// URL such as "wss://api.x.ai/v1"');
}

/** Applies defaults and validates every option; throws `ConfigurationError` naming the option. */
export function resolveXAITTSOptions(options: XAITTSOptions = {}): ResolvedXAITTSOptions {
  const voice = validateVoice(options.voice ?? 'eve');
  const language = validateLanguage(options.language ?? 'en');
  const codec = oneOf('codec', options.codec ?? 'pcm', XAI_TTS_CODECS, { caseInsensitive: true });
  const sampleRate = oneOf('sampleRate', options.sampleRate ?? 24000, XAI_TTS_SAMPLE_RATES);
  const optimizeStreamingLatency =
    options.optimizeStreamingLatency === undefined
      ? undefined
      : oneOf('optimizeStreamingLatency', options.optimizeStreamingLatency, [0, 1] as const);
  const textNormalization =
    options.textNormalization === undefined
      ? undefined
      : oneOf('textNormalization', options.textNormalization, [true, false] as const);
  const baseURL = validateBaseURL(options.baseURL ?? DEFAULT_XAI_TTS_BASE_URL);
  const maxConnectionAgeMs = inRange(
    'maxConnectionAgeMs',
    options.maxConnectionAgeMs ?? 300_000,
    1,
    86_400_000,
  );
  const clearTimeoutMs = inRange('clearTimeoutMs', options.clearTimeoutMs ?? 1500, 1, 60_000);
  const connectOptions = resolveConnectOptions(options.connectOptions);
  // Last, so a bad option is reported even without a key in the environment.
  const apiKey = resolveApiKey(options.apiKey);
  return {
    apiKey,
    voice,
    language,
    codec,
    sampleRate,
    optimizeStreamingLatency,
    textNormalization,
    baseURL,
    maxConnectionAgeMs,
    connectOptions,
    clearTimeoutMs,
  };
}

/** `${baseURL}/tts?voice=…&language=…&codec=…&sample_rate=…[&optimize_streaming_latency=…][&text_normalization=…]` */
export function buildTTSUrl(options: ResolvedXAITTSOptions, voice: XAITTSVoice = options.voice): string {
  const query = new URLSearchParams({
    voice,
    language: options.language,
    codec: options.codec,
    sample_rate: String(options.sampleRate),
  });
  if (options.optimizeStreamingLatency !== undefined) {
    query.set('optimize_streaming_latency', String(options.optimizeStreamingLatency));
  }
  if (options.textNormalization !== undefined) {
    query.set('text_normalization', String(options.textNormalization));
  }
  return `${options.baseURL}/tts?${query.toString()}`;
}
