// The simulator's deterministic voice: text ⇄ tones (see modem.ts for the design).
export {
  END,
  ESCAPE,
  SHIFT,
  SYNC_A,
  SYNC_B,
  SymbolDecoder,
  encodeText,
  normalizeVoiceText,
} from './alphabet.js';
export {
  ALL_TONES_HZ,
  BURST_MS,
  HIGH_TONES_HZ,
  LOW_TONES_HZ,
  SLOT_MS,
  WINDOW_MS,
  checkSampleRate as checkVoiceSampleRate,
} from './modem.js';
export {
  type SynthesizeVoiceOptions,
  type VoiceTimeline,
  synthesizeVoice,
  utteranceSymbols,
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
