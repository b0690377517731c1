/** Query parameters of `wss /v1/tts` (xai-protocol.md §3). */
export const TTS_VOICES = ['eve', 'ara', 'rex', 'sal', 'leo'] as const;
export const TTS_CODECS = ['mp3', 'wav', 'pcm', 'mulaw', 'alaw'] as const;
export const TTS_SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export type TtsCodec = Exclude<(typeof TTS_CODECS)[number], 'mp3'>;

export interface TtsOptions {
  voice: (typeof TTS_VOICES)[number];
  language: string;
  codec: TtsCodec;
  sampleRate: number;
  optimizeStreamingLatency: 0 | 1;
  textNormalization: boolean;
  /** Delay between two `audio.delta` messages (the simulator's `sim_pacing` flag or option). */
  chunkDelayMs: number | 'realtime';
}

/** Parses and validates the query; returns an error message for the first bad parameter. */
export function parseTtsQuery(
  query: URLSearchParams,
  defaultDelay: number | 'realtime',
): TtsOptions | string {
  const voiceRaw = query.get('voice') ?? 'eve';
  const voice = voiceRaw.toLowerCase();
  if (!(TTS_VOICES as readonly string[]).includes(voice)) {
    return `voice must be one of ${TTS_VOICES.join(', ')} (case-insensitive), got ${JSON.stringify(voiceRaw)}`;
  }
  const language = query.get('language');
  if (language === null || language === '') {
    return 'language is required: a BCP-47 code such as "en" or "en-US", or "auto"';
  }
  if (language !== 'auto' && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) {
    return `language must be a BCP-47 code such as "en" or "en-US", or "auto", got ${JSON.stringify(language)}`;
  }
  const codec = query.get('codec') ?? 'mp3';
  if (!(TTS_CODECS as readonly string[]).includes(codec)) {
    return `codec must be one of ${TTS_CODECS.join(', ')}, got ${JSON.stringify(codec)}`;
  }
  if (codec === 'mp3') {
    return 'codec=mp3 (the default) is not supported by the simulator, which cannot encode MP3; use codec=pcm, wav, mulaw or alaw';
  }
  const rateRaw = query.get('sample_rate');
  const sampleRate = rateRaw === null ? 24000 : /^\d+$/.test(rateRaw) ? Number(rateRaw) : Number.NaN;
  if (!(TTS_SAMPLE_RATES as readonly number[]).includes(sampleRate)) {
    return `sample_rate must be one of ${TTS_SAMPLE_RATES.join(', ')}, got ${JSON.stringify(rateRaw)}`;
  }
  const osl = query.get('optimize_streaming_latency') ?? '0';
  if (osl !== '0' && osl !== '1') {
    return `optimize_streaming_latency must be 0 or 1, got ${JSON.stringify(osl)}`;
  }
  const tn = query.get('text_normalization') ?? 'false';
  if (tn !== 'true' && tn !== 'false') {
    return `text_normalization must be "true" or "false", got ${JSON.stringify(tn)}`;
  }
  const pacing = query.get('sim_pacing');
  let chunkDelayMs = defaultDelay;
  if (pacing !== null) {
    if (pacing === 'realtime') chunkDelayMs = 'realtime';
    else if (/^\d+$/.test(pacing)) chunkDelayMs = Number(pacing);
    else return `sim_pacing must be "realtime" or a number of ms, got ${JSON.stringify(pacing)}`;
  }
  return {
    voice: voice as TtsOptions['voice'],
    language,
    codec: codec as TtsCodec,
    sampleRate,
    optimizeStreamingLatency: osl === '1' ? 1 : 0,
    textNormalization: tn === 'true',
    chunkDelayMs,
  };
}
