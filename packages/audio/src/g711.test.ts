import { describe, expect, it } from 'vitest';
import {
  AudioFormatError,
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
} from './index.js';

const ALL_INPUTS = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711 µ-law', () => {
  // Sample → code → decoded value on the 16-bit scale. The decoded values are G.711 Table 2's
  // decoder outputs (14-bit normalised: 0, 2, 30, 33, 99, 231, 495, 1023, 2079, 4191, 8031) × 4,
  // and the codes are the table's character signals (with all bits inverted on the line).
  const table: Array<[number, number, number]> = [
    [0, 0xff, 0],
    [1, 0xff, 0],
    [-1, 0x7f, 0], // one's complement: −1 quantises like −0
    [8, 0xfe, 8],
    [-8, 0x7e, -8],
    [120, 0xf0, 120],
    [132, 0xef, 132],
    [396, 0xdf, 396],
    [924, 0xcf, 924],
    [1980, 0xbf, 1980],
    [4092, 0xaf, 4092],
    [8316, 0x9f, 8316],
    [16764, 0x8f, 16764],
    [32124, 0x80, 32124],
    [32767, 0x80, 32124],
    [-32124, 0x00, -32124],
    [-32768, 0x00, -32124],
  ];
  it('matches reference code points', () => {
    for (const [sample, code, decoded] of table) {
      expect(linearToMulaw(sample), `encode ${sample}`).toBe(code);
      expect(mulawToLinear(code), `decode 0x${code.toString(16)}`).toBe(decoded);
    }
  });

  it('encode → decode error is at most half the segment step for every 16-bit input', () => {
    const decoded = mulawDecode(mulawEncode(ALL_INPUTS));
    const codes = mulawEncode(ALL_INPUTS);
    for (let i = 0; i < ALL_INPUTS.length; i++) {
      const x = ALL_INPUTS[i]!;
      const y = decoded[i]!;
      const exponent = (~codes[i]! >> 4) & 7;
      const step = 8 << exponent; // 16-bit step of the code's segment
      if (Math.abs(x) > 32124 + step / 2) {
        expect(y, `clipped ${x}`).toBe(x > 0 ? 32124 : -32124);
      } else {
        expect(Math.abs(y - x), `sample ${x}`).toBeLessThanOrEqual(step / 2);
      }
      // The code's sign bit follows the sample's sign (0 and −1 … −4 land on ±0).
      if (x > 0) expect(codes[i]! & 0x80).toBe(0x80);
    }
  });

  it('decode → encode returns every code, except 0x7F (−0), which comes back as 0xFF (+0)', () => {
    const again = mulawEncode(mulawDecode(ALL_CODES));
    for (let c = 0; c < 256; c++) expect(again[c], `code 0x${c.toString(16)}`).toBe(c === 0x7f ? 0xff : c);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0xff)).toBe(0);
  });

  it('is monotonic: larger samples never get smaller decoded values', () => {
    const decoded = mulawDecode(mulawEncode(ALL_INPUTS));
    for (let i = 1; i < decoded.length; i++) expect(decoded[i]! >= decoded[i - 1]!).toBe(true);
  });
});

describe('G.711 A-law', () => {
  // Decoded values are G.711 Table 1's decoder outputs (13-bit normalised: 1, 33, 66, 4032) × 8;
  // codes include the inversion of the even bits (0x55) applied on the line.
  const table: Array<[number, number, number]> = [
    [0, 0xd5, 8],
    [-1, 0x55, -8],
    [8, 0xd5, 8],
    [15, 0xd5, 8],
    [16, 0xd4, 24],
    [256, 0xc5, 264],
    [528, 0xf5, 528],
    [32256, 0xaa, 32256],
    [32767, 0xaa, 32256],
    [-32256, 0x2a, -32256],
    [-32768, 0x2a, -32256],
  ];
  it('matches reference code points', () => {
    for (const [sample, code, decoded] of table) {
      expect(linearToAlaw(sample), `encode ${sample}`).toBe(code);
      expect(alawToLinear(code), `decode 0x${code.toString(16)}`).toBe(decoded);
    }
  });

  it('encode → decode error is at most half the segment step for every 16-bit input', () => {
    const codes = alawEncode(ALL_INPUTS);
    const decoded = alawDecode(codes);
    for (let i = 0; i < ALL_INPUTS.length; i++) {
      const x = ALL_INPUTS[i]!;
      const y = decoded[i]!;
      const segment = ((codes[i]! ^ 0x55) >> 4) & 7;
      const step = segment <= 1 ? 16 : 16 << (segment - 1);
      if (Math.abs(x) > 32256 + step / 2) {
        expect(y, `clipped ${x}`).toBe(x > 0 ? 32256 : -32256);
      } else {
        expect(Math.abs(y - x), `sample ${x}`).toBeLessThanOrEqual(step / 2);
      }
    }
  });

  it('decode → encode returns all 256 codes', () => {
    const again = alawEncode(alawDecode(ALL_CODES));
    for (let c = 0; c < 256; c++) expect(again[c], `code 0x${c.toString(16)}`).toBe(c);
  });

  it('is monotonic', () => {
    const decoded = alawDecode(alawEncode(ALL_INPUTS));
    for (let i = 1; i < decoded.length; i++) expect(decoded[i]! >= decoded[i - 1]!).toBe(true);
  });
});

describe('G.711 helpers', () => {
  it('array and single-sample functions agree', () => {
    const mu = mulawEncode(ALL_INPUTS);
    const a = alawEncode(ALL_INPUTS);
    for (let i = 0; i < ALL_INPUTS.length; i += 97) {
      expect(linearToMulaw(ALL_INPUTS[i]!)).toBe(mu[i]);
      expect(linearToAlaw(ALL_INPUTS[i]!)).toBe(a[i]);
    }
  });

  it('single-sample encoders clamp and round any number; decoders use the low 8 bits', () => {
    expect(linearToMulaw(40000)).toBe(0x80);
    expect(linearToMulaw(-40000)).toBe(0x00);
    expect(linearToMulaw(7.6)).toBe(linearToMulaw(8));
    expect(linearToAlaw(Number.NaN)).toBe(linearToAlaw(-32768));
    expect(mulawToLinear(0x180)).toBe(mulawToLinear(0x80));
    expect(alawToLinear(-1)).toBe(alawToLinear(0xff));
  });

  it('handles empty input and subarray views', () => {
    expect(mulawEncode(new Int16Array(0)).length).toBe(0);
    expect(alawDecode(new Uint8Array(0)).length).toBe(0);
    const view = ALL_INPUTS.subarray(100, 110);
    expect(Array.from(mulawEncode(view))).toEqual(Array.from(view, (v) => linearToMulaw(v)));
  });

  it('aligned (two/four at a time) and unaligned paths give the same codes and samples', () => {
    for (const offset of [0, 1, 2, 3]) {
      const view = ALL_INPUTS.subarray(offset, offset + 3001);
      expect(Array.from(mulawEncode(view))).toEqual(Array.from(view, (v) => linearToMulaw(v)));
      expect(Array.from(alawEncode(view))).toEqual(Array.from(view, (v) => linearToAlaw(v)));
      const codes = new Uint8Array(3100).subarray(offset, offset + 3001);
      for (let i = 0; i < codes.length; i++) codes[i] = (i * 37 + offset) & 0xff;
      expect(Array.from(mulawDecode(codes))).toEqual(Array.from(codes, (c) => mulawToLinear(c)));
      expect(Array.from(alawDecode(codes))).toEqual(Array.from(codes, (c) => alawToLinear(c)));
    }
  });

  it('Into variants write into a caller buffer and return the written part', () => {
    const pcm = ALL_INPUTS.subarray(30000, 30100);
    const out = new Uint8Array(128);
    const written = mulawEncodeInto(pcm, out);
    expect(written.buffer).toBe(out.buffer);
    expect(written.length).toBe(100);
    expect(Array.from(written)).toEqual(Array.from(mulawEncode(pcm)));
    expect(Array.from(alawEncodeInto(pcm, new Uint8Array(100)))).toEqual(Array.from(alawEncode(pcm)));
    const samples = new Int16Array(100);
    expect(mulawDecodeInto(written, samples)).toBe(samples);
    expect(Array.from(samples)).toEqual(Array.from(mulawDecode(written)));
    expect(Array.from(alawDecodeInto(ALL_CODES, new Int16Array(256)))).toEqual(
      Array.from(alawDecode(ALL_CODES)),
    );
    expect(() => mulawEncodeInto(pcm, new Uint8Array(99))).toThrowError(AudioFormatError);
    expect(() => alawDecodeInto(ALL_CODES, new Int16Array(10))).toThrowError(/256 needed/);
  });
});
