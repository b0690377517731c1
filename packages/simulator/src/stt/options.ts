/** Query parameters of `wss /v1/stt` (xai-protocol.md §2). */
export const STT_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export const STT_ENCODINGS = ['pcm', 'mulaw', 'alaw'] as const;
export type SttEncoding = (typeof STT_ENCODINGS)[number];

export interface SttOptions {
  sampleRate: number;
  encoding: SttEncoding;
  interimResults: boolean;
  /** Silence (ms of audio) after speech before `speech_final`; xAI's default is 0. */
  endpointingMs: number;
  language: string | undefined;
  diarize: boolean;
  multichannel: boolean;
  /** Interleaved channels in the audio (1 unless `channels` is given). */
  channels: number;
}

function bool(query: URLSearchParams, name: string): boolean | string {
  const value = query.get(name);
  if (value === null) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return `${name} must be "true" or "false", got ${JSON.stringify(value)}`;
}

function int(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Parses and validates the query; returns an error message for the first bad parameter. */
export function parseSttQuery(query: URLSearchParams): SttOptions | string {
  const rateRaw = query.get('sample_rate');
  const sampleRate = rateRaw === null ? 16000 : int(rateRaw);
  if (sampleRate === undefined || !(STT_SAMPLE_RATES as readonly number[]).includes(sampleRate)) {
    return `sample_rate must be one of ${STT_SAMPLE_RATES.join(', ')}, got ${JSON.stringify(rateRaw)}`;
  }
  const encoding = query.get('encoding') ?? 'pcm';
  if (!(STT_ENCODINGS as readonly string[]).includes(encoding)) {
    return `encoding must be one of ${STT_ENCODINGS.join(', ')}, got ${JSON.stringify(encoding)}`;
  }
  const interimResults = bool(query, 'interim_results');
  if (typeof interimResults === 'string') return interimResults;
  const endpointingRaw = query.get('endpointing');
  const endpointingMs = endpointingRaw === null ? 0 : int(endpointingRaw);
  if (endpointingMs === undefined || endpointingMs > 5000) {
    return `endpointing must be an integer number of ms from 0 to 5000, got ${JSON.stringify(endpointingRaw)}`;
  }
  const language = query.get('language') ?? undefined;
  if (language !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) {
    return `language must be a BCP-47 code such as "en" or "en-US", got ${JSON.stringify(language)}`;
  }
  const diarize = bool(query, 'diarize');
  if (typeof diarize === 'string') return diarize;
  const multichannel = bool(query, 'multichannel');
  if (typeof multichannel === 'string') return multichannel;
  const channelsRaw = query.get('channels');
  let channels = multichannel ? 2 : 1;
  if (channelsRaw !== null) {
    const parsed = int(channelsRaw);
    if (parsed === undefined || parsed < 2 || parsed > 8) {
      return `channels must be an integer from 2 to 8, got ${JSON.stringify(channelsRaw)}`;
    }
    channels = parsed;
  }
  return {
    sampleRate,
    encoding: encoding as SttEncoding,
    interimResults,
    endpointingMs,
    language,
    diarize,
    multichannel,
    channels,
  };
}
