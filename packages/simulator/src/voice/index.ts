// The simulator's deterministic voice: text ⇄ tones. The modem's design is described in modem.ts
// and in the package README ("The simulator's voice").
export { normalizeVoiceText } from './alphabet.js';
export { SLOT_MS as VOICE_SYMBOL_MS, ALL_TONES_HZ as VOICE_TONES_HZ } from './modem.js';
export {
  type SynthesizeVoiceOptions,
  type VoiceTimeline,
  synthesizeVoice,
  voiceDurationMs,
  voiceTimeline,
} from './synthesize.js';
export {
  type RecognizedUtterance,
  type RecognizedWord,
  UNRECOGNIZED_SPEECH_MARKER,
  type UnrecognizedSegment,
  VoiceRecognizer,
  type VoiceRecognizerOptions,
} from './recognizer.js';
