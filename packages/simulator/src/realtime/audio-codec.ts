import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '@x/audio';
import { type AudioFormat, ClientEventError, ERROR_CODES } from './protocol.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes the base64 of `input_audio_buffer.append`; throws a `ClientEventError` on bad base64. */
export function decodeBase64Audio(audio: unknown): Buffer {
  if (typeof audio !== 'string') {
    throw new ClientEventError(
      ERROR_CODES.invalidType,
      "Invalid type for 'audio': expected a base64 string.",
      'audio',
    );
  }
  if (audio.length % 4 !== 0 || !BASE64.test(audio)) {
    throw new ClientEventError(
      ERROR_CODES.invalidValue,
      "Invalid value for 'audio': not valid base64.",
      'audio',
    );
  }
  return Buffer.from(audio, 'base64');
}

/**
 * Turns client audio bytes into PCM16 samples for one input format. s16le may arrive split at any
 * byte: an odd trailing byte is kept for the next chunk, so decoding is chunking-invariant.
 */
export class InputAudioDecoder {
  private carry = -1;

  constructor(readonly format: AudioFormat) {}

  decode(bytes: Uint8Array): Int16Array {
    switch (this.format.type) {
      case 'audio/pcmu':
        return mulawDecode(bytes);
      case 'audio/pcma':
        return alawDecode(bytes);
      case 'audio/pcm':
        return this.decodePcm(bytes);
    }
  }

  private decodePcm(bytes: Uint8Array): Int16Array {
    let start = 0;
    const total = bytes.length + (this.carry >= 0 ? 1 : 0);
    const count = total >> 1;
    const out = new Int16Array(count);
    let i = 0;
    if (this.carry >= 0 && count > 0) {
      const hi = bytes[0] ?? 0;
      out[0] = (hi << 8) | this.carry;
      start = 1;
      i = 1;
      this.carry = -1;
    }
    const pairs = (bytes.length - start) >> 1;
    if (pairs > 0) {
      const offset = bytes.byteOffset + start;
      if (offset % 2 === 0) {
        out.set(new Int16Array(bytes.buffer, offset, pairs), i);
      } else {
        const view = new DataView(bytes.buffer, offset, pairs * 2);
        for (let k = 0; k < pairs; k++) out[i + k] = view.getInt16(k * 2, true);
      }
    }
    const used = start + pairs * 2;
    if (used < bytes.length) this.carry = bytes[used] ?? 0;
    return out;
  }
}

/** Encodes PCM16 samples in an output format and returns base64. */
export function encodeOutputAudio(samples: Int16Array, format: AudioFormat): string {
  switch (format.type) {
    case 'audio/pcmu': {
      const codes = mulawEncode(samples);
      return Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength).toString('base64');
    }
    case 'audio/pcma': {
      const codes = alawEncode(samples);
      return Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength).toString('base64');
    }
    case 'audio/pcm':
      return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
  }
}

/** Bytes per sample of a format on the wire. */
export function bytesPerSample(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 2 : 1;
}
