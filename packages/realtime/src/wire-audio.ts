import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '@x/audio';
import type { ResolvedXAIRealtimeConfig } from './config.js';
import type { WireAudioFormat } from './protocol.js';

type Format = ResolvedXAIRealtimeConfig['audioFormat'];

/** The session's `audio.*.format` on the wire. */
export function wireAudioFormat(format: Format): WireAudioFormat {
  if (format.type === 'pcm') return { type: 'audio/pcm', rate: format.sampleRate };
  return { type: format.type === 'pcmu' ? 'audio/pcmu' : 'audio/pcma' };
}

/** Mono PCM16 → base64 in the wire format (s16le, µ-law or A-law). */
export function encodeInputAudio(samples: Int16Array, format: Format): string {
  if (format.type === 'pcmu') return toBase64(mulawEncode(samples));
  if (format.type === 'pcma') return toBase64(alawEncode(samples));
  return toBase64(littleEndianBytes(samples));
}

/**
 * Decodes `response.output_audio.delta` payloads of one stream to mono PCM16, in order. PCM deltas
 * split mid-sample keep their odd byte for the next delta, so samples stay aligned.
 */
export class OutputAudioDecoder {
  readonly #format: Format;
  #carry: number | undefined;

  constructor(format: Format) {
    this.#format = format;
  }

  decode(base64: string): Int16Array {
    const bytes = Buffer.from(base64, 'base64');
    if (this.#format.type === 'pcmu') return mulawDecode(bytes);
    if (this.#format.type === 'pcma') return alawDecode(bytes);
    let start = 0;
    const total = bytes.length + (this.#carry === undefined ? 0 : 1);
    const out = new Int16Array(total >> 1);
    let index = 0;
    if (this.#carry !== undefined && bytes.length > 0) {
      out[index++] = (((bytes[0]! << 8) | this.#carry) << 16) >> 16;
      this.#carry = undefined;
      start = 1;
    }
    for (let i = start; i + 1 < bytes.length; i += 2)
      out[index++] = (((bytes[i + 1]! << 8) | bytes[i]!) << 16) >> 16;
    if ((bytes.length - start) % 2 === 1) this.#carry = bytes[bytes.length - 1];
    return out;
  }

  /** Forgets a dangling byte (a new reply starts). */
  reset(): void {
    this.#carry = undefined;
  }
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** s16le bytes of `samples`: a view of them on little-endian hosts (no copy), a swapped copy otherwise. */
function littleEndianBytes(samples: Int16Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
