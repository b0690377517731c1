export { TTS, type TTSBaseOptions, type TTSConnectRequest } from './tts.js';
export {
  FLUSH,
  type FlushMarker,
  type SynthesisInput,
  type SynthesizeOptions,
  type SynthesisResult,
  type UtteranceResult,
  type FirstAudioEvent,
  type TTSEvents,
  type TTSAudioEncoding,
} from './types.js';
export {
  SpeechTagChunker,
  INLINE_SPEECH_TAGS,
  WRAPPING_SPEECH_TAGS,
  type SpeechTagOptions,
  speechTagForms,
  findSpeechTags,
  stripSpeechTags,
} from './speech-tags.js';
export { TTSAudioDecoder, type TTSAudioDecoderOptions } from './audio-decoder.js';
