export type { AudioInput, AudioOutput, PlayoutResult } from './audio-output.js';
export { type PlayoutClock, systemClock, ManualClock } from './clock.js';
export {
  SegmentedAudioOutput,
  type SegmentedOutputOptions,
  type PlayoutSegment,
  type AudioOutputEvents,
} from './segmented-output.js';
export { MemoryAudioOutput, type MemoryAudioOutputOptions } from './memory-output.js';
export { WavFileAudioOutput, type WavFileAudioOutputOptions, wavHeader } from './wav-file-output.js';
