export * from './types.js';
export { STT, type STTBaseOptions, type STTState } from './stt.js';
export { STTAudioPipeline, type STTAudioPipelineOptions } from './audio-pipeline.js';
