export { XAITTS } from './xai-tts.js';
export {
  type XAITTSOptions,
  type XAITTSVoice,
  type XAITTSCodec,
  type XAITTSSampleRate,
  XAI_TTS_VOICES,
  XAI_TTS_CODECS,
  XAI_TTS_SAMPLE_RATES,
  DEFAULT_XAI_TTS_BASE_URL,
  buildTTSUrl,
  resolveXAITTSOptions,
} from './options.js';
export type { ClientEvent as XAITTSClientEvent, ServerEvent as XAITTSServerEvent } from './protocol.js';
