export { AudioFormatError, type AudioFormatErrorCode, isAudioFormatError } from './errors.js';
export {
  assertChannels,
  assertSampleRate,
  isSupportedSampleRate,
  MAX_CHANNELS,
  MAX_SAMPLE_RATE,
  SUPPORTED_SAMPLE_RATES,
  type SampleRate,
} from './rates.js';
export {
  type AudioFrame,
  concatFrames,
  createAudioFrame,
  frameDurationMs,
  frameFromBytes,
  frameToBytes,
  samplesForDuration,
  silence,
} from './frame.js';
export {
  QUALITY_PRESETS,
  type QualityPreset,
  RESAMPLER_QUALITIES,
  type ResamplerQuality,
} from './resampler/filter.js';
export { StreamingResampler, type StreamingResamplerOptions } from './resampler/streaming-resampler.js';
export { type ResampleOptions, resample, resampleFrame } from './resampler/resample.js';
export { downmixToMono, remix, upmix } from './mix.js';
export {
  alawDecode,
  alawDecodeInto,
  alawEncode,
  alawEncodeInto,
  alawToLinear,
  linearToAlaw,
  linearToMulaw,
  mulawDecode,
  mulawDecodeInto,
  mulawEncode,
  mulawEncodeInto,
  mulawToLinear,
} from './g711.js';
export { AudioFramer, type AudioFramerOptions } from './framer.js';
export { decodeWav, encodeWav } from './wav.js';
export { dbfs, peak, rms } from './levels.js';
export { EnergyVAD, VAD_DEFAULTS, type VADEvent, type VADOptions } from './vad.js';
