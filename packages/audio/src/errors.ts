/**
 * Machine-readable reasons an {@link AudioFormatError} is thrown.
 * - `odd_byte_length`: PCM16 bytes whose length is not a multiple of 2.
 * - `partial_sample_frame`: samples that do not split evenly into the channel count.
 * - `invalid_sample_rate`, `invalid_channels`, `invalid_option`: a bad option value.
 * - `unsupported_rate_pair`: the resampler cannot build a filter for this pair of rates.
 * - `format_mismatch`: frames or streams with different rates/channel counts were combined.
 * - `invalid_wav`: bytes that are not a well-formed RIFF/WAVE file.
 * - `unsupported_wav_format`: a WAV file that is not 16-bit PCM (float, 8/24/32-bit, compressed).
 */
export type AudioFormatErrorCode =
  | 'odd_byte_length'
  | 'partial_sample_frame'
  | 'invalid_sample_rate'
  | 'invalid_channels'
  | 'invalid_option'
  | 'unsupported_rate_pair'
  | 'format_mismatch'
  | 'invalid_wav'
  | 'unsupported_wav_format';

const AUDIO_FORMAT_ERROR = Symbol.for('@x/audio/AudioFormatError');

/** Bad audio bytes, an unreadable format, or a bad option. `code` says which. */
export class AudioFormatError extends Error {
  readonly code: AudioFormatErrorCode;

  constructor(code: AudioFormatErrorCode, message: string) {
    super(message);
    this.name = 'AudioFormatError';
    this.code = code;
    Object.defineProperty(this, AUDIO_FORMAT_ERROR, { value: true });
  }
}

/** True for an {@link AudioFormatError}, also one thrown by another copy of this package (ESM/CJS). */
export function isAudioFormatError(value: unknown): value is AudioFormatError {
  return typeof value === 'object' && value !== null && AUDIO_FORMAT_ERROR in value;
}
