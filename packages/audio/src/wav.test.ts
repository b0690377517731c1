import { describe, expect, it } from 'vitest';
import { AudioFormatError, createAudioFrame, decodeWav, encodeWav } from './index.js';
import { noise } from './test-signals.js';

interface HeaderOptions {
  formatTag?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  extensibleSubFormat?: number;
  extraChunks?: Array<{ id: string; body: Uint8Array }>;
  dataSize?: number;
}

/** Builds a WAV byte by byte, so the reader is tested against bytes it did not write. */
function buildWav(samples: Uint8Array, options: HeaderOptions = {}): Uint8Array {
  const { formatTag = 1, channels = 1, sampleRate = 16000, bitsPerSample = 16, extraChunks = [] } = options;
  const chunks: number[] = [];
  const u16 = (v: number) => chunks.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (v: number) => chunks.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const id = (s: string) => chunks.push(...Array.from(s, (c) => c.charCodeAt(0)));
  const blockAlign = (channels * bitsPerSample) / 8;
  const extensible = options.extensibleSubFormat !== undefined;
  id('fmt ');
  u32(extensible ? 40 : 16);
  u16(extensible ? 0xfffe : formatTag);
  u16(channels);
  u32(sampleRate);
  u32(sampleRate * blockAlign);
  u16(blockAlign);
  u16(bitsPerSample);
  if (extensible) {
    u16(22);
    u16(bitsPerSample);
    u32(channels === 2 ? 3 : 4);
    u16(options.extensibleSubFormat!);
    chunks.push(0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71);
  }
  for (const extra of extraChunks) {
    id(extra.id);
    u32(extra.body.length);
    chunks.push(...extra.body);
    if (extra.body.length % 2 === 1) chunks.push(0);
  }
  id('data');
  u32(options.dataSize ?? samples.length);
  const header = Uint8Array.from([
    ...'RIFF'.split('').map((c) => c.charCodeAt(0)),
    0,
    0,
    0,
    0,
    ...Array.from('WAVE', (c) => c.charCodeAt(0)),
    ...chunks,
  ]);
  const out = new Uint8Array(header.length + samples.length);
  out.set(header);
  out.set(samples, header.length);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function errorOf(fn: () => unknown): AudioFormatError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AudioFormatError) return error;
    throw error;
  }
  throw new Error('expected an AudioFormatError');
}

describe('WAV', () => {
  it('write → read round trip keeps rate, channels and samples', () => {
    for (const [rate, channels] of [
      [8000, 1],
      [44100, 2],
      [48000, 6],
    ] as const) {
      const frame = createAudioFrame(noise(1234, 8000, rate, channels), rate, channels);
      const bytes = encodeWav(frame);
      expect(bytes.length).toBe(44 + frame.data.length * 2);
      expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RIFF');
      const back = decodeWav(bytes);
      expect(back.sampleRate).toBe(rate);
      expect(back.channels).toBe(channels);
      expect(back.data).toEqual(frame.data);
    }
  });

  it('writes the canonical 44-byte PCM header', () => {
    const bytes = encodeWav(createAudioFrame(new Int16Array([1, -1]), 24000, 2));
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(4, true)).toBe(36 + 4);
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(24000);
    expect(view.getUint32(28, true)).toBe(96000);
    expect(view.getUint16(32, true)).toBe(4);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(4);
    expect(Array.from(bytes.subarray(44))).toEqual([1, 0, 0xff, 0xff]);
  });

  it('skips unknown chunks (LIST, odd-sized) before the data', () => {
    const samples = new Uint8Array([1, 0, 2, 0, 0xff, 0xff]);
    const info = Uint8Array.from('INFOISFT\u0005\u0000\u0000\u0000test\u0000', (c) => c.charCodeAt(0));
    const wav = buildWav(samples, {
      extraChunks: [
        { id: 'LIST', body: info },
        { id: 'odd!', body: new Uint8Array(3) },
      ],
    });
    const frame = decodeWav(wav);
    expect(Array.from(frame.data)).toEqual([1, 2, -1]);
    expect(frame.sampleRate).toBe(16000);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with the PCM sub-format', () => {
    const frame = decodeWav(
      buildWav(new Uint8Array([1, 0, 2, 0]), { channels: 2, sampleRate: 48000, extensibleSubFormat: 1 }),
    );
    expect(frame.channels).toBe(2);
    expect(frame.sampleRate).toBe(48000);
    expect(Array.from(frame.data)).toEqual([1, 2]);
  });

  it('reads what is there when the data size is a streaming placeholder or too large', () => {
    const frame = decodeWav(buildWav(new Uint8Array([1, 0, 2, 0, 3]), { dataSize: 0xffffffff }));
    expect(Array.from(frame.data)).toEqual([1, 2]);
  });

  it('works on an unaligned Buffer slice', () => {
    const wav = encodeWav(createAudioFrame(new Int16Array([300, -300]), 16000));
    const backing = Buffer.alloc(wav.length + 1);
    backing.set(wav, 1);
    expect(Array.from(decodeWav(backing.subarray(1)).data)).toEqual([300, -300]);
  });

  it('rejects what it cannot read, naming the format found', () => {
    const cases: Array<[HeaderOptions, RegExp]> = [
      [{ formatTag: 3, bitsPerSample: 32 }, /IEEE float.*32-bit/],
      [{ formatTag: 1, bitsPerSample: 24 }, /24-bit PCM/],
      [{ formatTag: 1, bitsPerSample: 8 }, /8-bit PCM/],
      [{ formatTag: 7, bitsPerSample: 8 }, /µ-law/],
      [{ formatTag: 6, bitsPerSample: 8 }, /A-law/],
      [{ formatTag: 0x11, bitsPerSample: 4 }, /IMA ADPCM/],
      [{ extensibleSubFormat: 3, bitsPerSample: 32 }, /EXTENSIBLE with sub-format IEEE float/],
    ];
    for (const [options, message] of cases) {
      const error = errorOf(() => decodeWav(buildWav(new Uint8Array(8), options)));
      expect(error.code).toBe('unsupported_wav_format');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/only 16-bit PCM/);
    }
  });

  it('rejects bytes that are not a WAV file', () => {
    expect(errorOf(() => decodeWav(new Uint8Array(4))).code).toBe('invalid_wav');
    expect(
      errorOf(() => decodeWav(Uint8Array.from('OggS0000WAVEfmt ', (c) => c.charCodeAt(0)))).message,
    ).toMatch(/'OggS'/);
    const noData = buildWav(new Uint8Array(0)).subarray(0, 36);
    expect(errorOf(() => decodeWav(noData)).message).toMatch(/no 'data' chunk/);
    const rifx = encodeWav(createAudioFrame(new Int16Array(2), 8000));
    rifx[3] = 'X'.charCodeAt(0);
    expect(errorOf(() => decodeWav(rifx)).code).toBe('unsupported_wav_format');
  });
});
