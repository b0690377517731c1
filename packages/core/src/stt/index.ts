export * from './types.js';
export {
  DEFAULT_STT_RESAMPLER_QUALITY,
  STT,
  STT_RESAMPLER_QUALITIES,
  type STTBaseOptions,
  type STTState,
} from './stt.js';
export { STTAudioPipeline, type STTAudioPipelineOptions } from './audio-pipeline.js';
