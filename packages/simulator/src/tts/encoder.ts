import { alawEncode, mulawEncode } from '@x/audio';
import type { TtsCodec } from './options.js';

function pcmBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

/**
 * A WAV header for a stream of unknown length: RIFF and data sizes are 0xFFFFFFFF, the usual
 * convention for streamed WAV. Sent at the start of each utterance's audio.
 */
export function streamingWavHeader(sampleRate: number): Uint8Array {
  const header = new Uint8Array(44);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 0xffffffff, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, 0xffffffff, true);
  return header;
}

/** Encodes mono PCM16 in the connection's codec (wav chunks are PCM16 after the header). */
export function encodeChunk(samples: Int16Array, codec: TtsCodec): Uint8Array {
  switch (codec) {
    case 'mulaw':
      return mulawEncode(samples);
    case 'alaw':
      return alawEncode(samples);
    default:
      return pcmBytes(samples);
  }
}
