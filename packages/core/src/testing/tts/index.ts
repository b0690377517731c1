export { FakeTTS, type FakeTTSOptions } from './fake-tts.js';
export { fakeSpeech, decodeFakeSpeech } from './fake-speech.js';
export {
  ttsConformanceChecks,
  type TTSConformanceSetup,
  type ConformanceCheck as TTSConformanceCheck,
  defaultNormalize as defaultTranscriptNormalize,
} from './conformance.js';
