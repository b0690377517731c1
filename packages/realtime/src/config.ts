import type { ResamplerQuality } from '@x/audio';
import type { AudioOutput, ConnectOptions } from '@x/core';
import {
  ConfigurationError,
  DEFAULT_MAX_REPLAY_INPUT_MS,
  DEFAULT_REALTIME_RESAMPLER_QUALITY,
  REALTIME_RESAMPLER_QUALITIES,
  inRange,
  oneOf,
  resolveConnectOptions,
  resolveResponseTimeoutMs,
} from '@x/core';

export const XAI_VOICES = ['Ara', 'Rex', 'Sal', 'Eve', 'Leo'] as const;
export type XAIVoice = (typeof XAI_VOICES)[number];

export const XAI_PCM_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
export const DEFAULT_MODEL = 'grok-voice-fast-1.0';
export const DEFAULT_BASE_URL = 'wss://api.x.ai/v1';
export const DEFAULT_MODALITIES: readonly XAIModality[] = ['text', 'audio'];

export type XAIModality = 'text' | 'audio';

/** Server voice-activity detection; `type: null` (or `turnDetection: null`) = manual turns. */
export interface XAITurnDetection {
  type?: 'server_vad' | null;
  /** Speech probability threshold, 0.1–0.9 (default 0.5). */
  threshold?: number;
  /** Audio kept before detected speech, 0–10 000 ms (default 300). */
  prefixPaddingMs?: number;
  /** Silence that ends a turn, 0–10 000 ms (default 200). */
  silenceDurationMs?: number;
}

/**
 * Audio on the wire, both directions: `pcm` = 16-bit mono at `sampleRate` (default 24 000);
 * `pcmu` (µ-law) / `pcma` (A-law) = 8 kHz G.711 for telephony.
 */
export type XAIAudioFormat = { type: 'pcm'; sampleRate?: number } | { type: 'pcmu' } | { type: 'pcma' };

export interface XAIRealtimeConfig {
  /** Model id, sent in the URL (`?model=`). Default `grok-voice-fast-1.0`. */
  model?: string;
  /** Ara (default), Rex, Sal, Eve or Leo; case-insensitive. */
  voice?: XAIVoice | Lowercase<XAIVoice> | (string & {});
  /** System prompt; an agent's instructions (`setAgent`) take precedence. */
  instructions?: string;
  /** Server VAD settings, or `null` for manual turns (`commitAudio()` + `createResponse()`). */
  turnDetection?: XAITurnDetection | null;
  /** Output modalities (default `["text", "audio"]`). */
  modalities?: XAIModality[];
  /** Adds xAI's server-side web search tool. */
  enableWebSearch?: boolean;
  /** Adds xAI's server-side X search tool (also implied by `allowedXHandles`). */
  enableXSearch?: boolean;
  /** Limits X search to these handles. */
  allowedXHandles?: string[];
  /** A collection (vector store) id: adds the file search tool over it. */
  collectionId?: string;
  /** File search results, 1–50 (default 10). */
  maxNumResults?: number;
  /** Wire audio format (default `{type: 'pcm', sampleRate: 24000}`). */
  audioFormat?: XAIAudioFormat;
  /** Default `wss://api.x.ai/v1`; query parameters in it are kept on the connect URL. */
  baseURL?: string;
  /** Default: the `XAI_API_KEY` environment variable. */
  apiKey?: string;
  connectOptions?: Partial<ConnectOptions>;
  /** Longest wait from opening the socket to `session.updated` (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /** User audio per `input_audio_buffer.append`, 20–100 ms (default 40). */
  inputBatchMs?: number;
  /**
   * A reply in progress (requested, or created and not done) with no server event for this long
   * means the connection is dead: one `APITimeoutError` is reported (`error` event), the model
   * reconnects and asks for the reply again. 100–600 000 ms, default 15 000; 0 = never.
   */
  responseTimeoutMs?: number;
  /**
   * User audio kept after sending until the server acknowledges its turn (with a transcript), to
   * send again if the socket drops. 1000–600 000 ms, default 30 000.
   */
  maxReplayInputMs?: number;
  /**
   * Quality of the resampler that brings pushed user audio to the wire rate (unused for frames
   * already at it): `'voice'` (default: flat to 9.6 kHz at 24 kHz, aliases into that band ≥ 75 dB
   * down, under half the CPU of `'fast'`), `'fast'` (nothing above 12 kHz aliases, ~100 dB) or
   * `'high'` (~125 dB, flat to 10.8 kHz). See `DEFAULT_REALTIME_RESAMPLER_QUALITY` in `@x/core`.
   */
  resamplerQuality?: ResamplerQuality;
  /** Where agent audio goes (can be set later through `model.output`). */
  output?: AudioOutput;
}

export interface ResolvedTurnDetection {
  type: 'server_vad';
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

export interface ResolvedXAIRealtimeConfig {
  model: string;
  voice: XAIVoice;
  instructions: string | undefined;
  turnDetection: ResolvedTurnDetection | null;
  modalities: XAIModality[];
  enableWebSearch: boolean;
  enableXSearch: boolean;
  allowedXHandles: string[] | undefined;
  collectionId: string | undefined;
  maxNumResults: number;
  audioFormat: { type: 'pcm'; sampleRate: number } | { type: 'pcmu' } | { type: 'pcma' };
  /** Sample rate of the wire format (8000 for G.711). */
  sampleRate: number;
  baseURL: string;
  connectOptions: ConnectOptions;
  handshakeTimeoutMs: number;
  inputBatchMs: number;
  responseTimeoutMs: number;
  maxReplayInputMs: number;
  resamplerQuality: ResamplerQuality;
}

const KNOWN_KEYS = new Set<string>([
  'model',
  'voice',
  'instructions',
  'turnDetection',
  'modalities',
  'enableWebSearch',
  'enableXSearch',
  'allowedXHandles',
  'collectionId',
  'maxNumResults',
  'audioFormat',
  'baseURL',
  'apiKey',
  'connectOptions',
  'handshakeTimeoutMs',
  'inputBatchMs',
  'responseTimeoutMs',
  'maxReplayInputMs',
  'resamplerQuality',
  'output',
]);

function optionalBoolean(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConfigurationError(option, value, 'true or false');
  return value;
}

function resolveTurnDetection(value: XAITurnDetection | null | undefined): ResolvedTurnDetection | null {
  if (value === null) return null;
  if (value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigurationError(
      'turnDetection',
      value,
      'an object ({type, threshold, prefixPaddingMs, silenceDurationMs}) or null',
    );
  }
  const td = value ?? {};
  for (const key of Object.keys(td)) {
    if (!['type', 'threshold', 'prefixPaddingMs', 'silenceDurationMs'].includes(key)) {
      throw new ConfigurationError(
        `turnDetection.${key}`,
        (td as Record<string, unknown>)[key],
        'one of the options type, threshold, prefixPaddingMs, silenceDurationMs',
      );
    }
  }
  const type = oneOf('turnDetection.type', td.type === undefined ? 'server_vad' : td.type, [
    'server_vad',
    null,
  ]);
  if (type === null) return null;
  return {
    type,
    threshold: inRange('turnDetection.threshold', td.threshold ?? 0.5, 0.1, 0.9),
    prefixPaddingMs: inRange('turnDetection.prefixPaddingMs', td.prefixPaddingMs ?? 300, 0, 10_000, {
      integer: true,
    }),
    silenceDurationMs: inRange('turnDetection.silenceDurationMs', td.silenceDurationMs ?? 200, 0, 10_000, {
      integer: true,
    }),
  };
}

function resolveAudioFormat(value: XAIAudioFormat | undefined): ResolvedXAIRealtimeConfig['audioFormat'] {
  if (value === undefined) return { type: 'pcm', sampleRate: 24_000 };
  if (typeof value !== 'object' || value === null) {
    throw new ConfigurationError(
      'audioFormat',
      value,
      "{type: 'pcm', sampleRate?}, {type: 'pcmu'} or {type: 'pcma'}",
    );
  }
  const type = oneOf('audioFormat.type', value.type, ['pcm', 'pcmu', 'pcma'], { caseInsensitive: true });
  if (type === 'pcm') {
    const rate = (value as { sampleRate?: number }).sampleRate ?? 24_000;
    return { type, sampleRate: oneOf('audioFormat.sampleRate', rate, XAI_PCM_RATES) };
  }
  const rate = (value as { sampleRate?: number }).sampleRate;
  if (rate !== undefined && rate !== 8000) {
    throw new ConfigurationError('audioFormat.sampleRate', rate, `8000 (or none): ${type} is 8 kHz only`);
  }
  return { type };
}

function resolveBaseURL(value: string | undefined): string {
  const raw = value ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError('baseURL', raw, 'an absolute URL such as wss://api.x.ai/v1');
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw new ConfigurationError('baseURL', raw, 'a ws://, wss://, http:// or https:// URL');
  }
  return raw;
}

function resolveStringList(option: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new ConfigurationError(option, value, 'an array of non-empty strings');
  }
  return value.map((v: string) => v.replace(/^@/, ''));
}

/** Validates every option and fills in the defaults; throws `ConfigurationError` naming the option. */
export function resolveXAIRealtimeConfig(config: XAIRealtimeConfig = {}): ResolvedXAIRealtimeConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigurationError('config', config, 'an options object');
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigurationError(
        key,
        (config as Record<string, unknown>)[key],
        `a known option (${[...KNOWN_KEYS].join(', ')})`,
      );
    }
  }
  const model = config.model ?? DEFAULT_MODEL;
  if (typeof model !== 'string' || !/^[A-Za-z0-9._:-]+$/.test(model)) {
    throw new ConfigurationError('model', model, 'a model id such as grok-voice-fast-1.0');
  }
  if (config.instructions !== undefined && typeof config.instructions !== 'string') {
    throw new ConfigurationError('instructions', config.instructions, 'a string');
  }
  const modalities = config.modalities ?? [...DEFAULT_MODALITIES];
  if (
    !Array.isArray(modalities) ||
    modalities.length === 0 ||
    modalities.some((m) => m !== 'text' && m !== 'audio') ||
    new Set(modalities).size !== modalities.length
  ) {
    throw new ConfigurationError('modalities', modalities, '["text", "audio"], ["audio"] or ["text"]');
  }
  const allowedXHandles = resolveStringList('allowedXHandles', config.allowedXHandles);
  if (
    config.collectionId !== undefined &&
    (typeof config.collectionId !== 'string' || config.collectionId.trim() === '')
  ) {
    throw new ConfigurationError('collectionId', config.collectionId, 'a non-empty collection id');
  }
  const audioFormat = resolveAudioFormat(config.audioFormat);
  return {
    model,
    voice: oneOf('voice', config.voice ?? 'Ara', XAI_VOICES, { caseInsensitive: true }),
    instructions: config.instructions,
    turnDetection: resolveTurnDetection(config.turnDetection),
    modalities: [...modalities],
    enableWebSearch: optionalBoolean('enableWebSearch', config.enableWebSearch),
    enableXSearch: optionalBoolean('enableXSearch', config.enableXSearch),
    allowedXHandles,
    collectionId: config.collectionId,
    maxNumResults: inRange('maxNumResults', config.maxNumResults ?? 10, 1, 50, { integer: true }),
    audioFormat,
    sampleRate: audioFormat.type === 'pcm' ? audioFormat.sampleRate : 8000,
    baseURL: resolveBaseURL(config.baseURL),
    connectOptions: resolveConnectOptions(config.connectOptions),
    handshakeTimeoutMs: inRange('handshakeTimeoutMs', config.handshakeTimeoutMs ?? 10_000, 1, 120_000),
    inputBatchMs: inRange('inputBatchMs', config.inputBatchMs ?? 40, 20, 100),
    responseTimeoutMs: resolveResponseTimeoutMs(config.responseTimeoutMs),
    maxReplayInputMs: inRange(
      'maxReplayInputMs',
      config.maxReplayInputMs ?? DEFAULT_MAX_REPLAY_INPUT_MS,
      1000,
      600_000,
    ),
    resamplerQuality: oneOf(
      'resamplerQuality',
      config.resamplerQuality ?? DEFAULT_REALTIME_RESAMPLER_QUALITY,
      REALTIME_RESAMPLER_QUALITIES,
    ),
  };
}

/** `wss://…/v1/realtime?model=…` from the base URL (its own query parameters kept). */
export function realtimeURL(config: Pick<ResolvedXAIRealtimeConfig, 'baseURL' | 'model'>): string {
  const url = new URL(config.baseURL);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/realtime`;
  url.searchParams.set('model', config.model);
  return url.toString();
}

/** `https://…/v1` for the REST calls (client secrets). */
export function httpBaseURL(baseURL: string): string {
  const url = new URL(baseURL);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  url.search = '';
  return url.toString().replace(/\/+$/, '');
}
