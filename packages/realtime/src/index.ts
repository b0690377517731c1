export { XAIRealtime } from './realtime.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  type ResolvedTurnDetection,
  type ResolvedXAIRealtimeConfig,
  resolveXAIRealtimeConfig,
  XAI_PCM_RATES,
  XAI_VOICES,
  type XAIAudioFormat,
  type XAIModality,
  type XAIRealtimeConfig,
  type XAITurnDetection,
  type XAIVoice,
} from './config.js';
export { type ClientSecret, type CreateClientSecretOptions, createClientSecret } from './client-secret.js';
export * as protocol from './protocol.js';
