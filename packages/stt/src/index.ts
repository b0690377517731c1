export { XAISTT } from './xai-stt.js';
export {
  DEFAULT_XAI_STT_BASE_URL,
  XAI_STT_ENCODINGS,
  XAI_STT_SAMPLE_RATES,
  buildSTTUrl,
  type ResolvedXAISTTOptions,
  type XAISTTEncoding,
  type XAISTTOptions,
  type XAISTTSampleRate,
} from './options.js';
export { TranscriptMapper } from './mapping.js';
export type { ServerEvent, TranscriptDoneEvent, TranscriptPartialEvent, WireWord } from './protocol.js';
