/**
 * G.711 µ-law and A-law (ITU-T G.711), bit-exact with the ITU-T G.191 reference software on
 * 16-bit input: µ-law uses the 14 most significant bits, A-law the 13 most significant bits, and
 * negative inputs are quantised from their one's complement (as the reference does), so −1 encodes
 * like −0. Decoding returns the reconstruction value (the middle of the quantisation interval),
 * scaled to 16 bits. Encoding and decoding are table lookups (tables built on first use), done two
 * samples or four codes at a time when the arrays are aligned.
 */

import { HOST_IS_LITTLE_ENDIAN } from './endian.js';
import { AudioFormatError } from './errors.js';

/** µ-law code of one 16-bit sample, computed from the G.711 segment rules (no table). */
function encodeMulawSample(sample: number): number {
  const negative = sample < 0;
  // 14-bit magnitude (one's complement for negatives) plus the µ-law bias of 33.
  let magnitude = ((negative ? ~sample : sample) >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  // Segment: position of the leading one above bit 5 (magnitude ≥ 33 always has one).
  let segment = 1;
  for (let v = magnitude >> 6; v !== 0; v >>= 1) segment++;
  const code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 0x0f));
  return negative ? code : code | 0x80;
}

/** Linear value (16-bit scale) of a µ-law code. */
function decodeMulawCode(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return code & 0x80 ? magnitude : -magnitude;
}

/** A-law code of one 16-bit sample, from the G.711 segment rules (no table). */
function encodeAlawSample(sample: number): number {
  const negative = sample < 0;
  let magnitude = (negative ? ~sample : sample) >> 4; // 12-bit magnitude, 0 … 2047
  if (magnitude > 15) {
    let exponent = 1;
    while (magnitude > 31) {
      magnitude >>= 1;
      exponent++;
    }
    magnitude = magnitude - 16 + (exponent << 4);
  }
  if (!negative) magnitude |= 0x80;
  return magnitude ^ 0x55; // even bits are inverted on the line
}

/** Linear value (16-bit scale) of an A-law code. */
function decodeAlawCode(code: number): number {
  const v = (code ^ 0x55) & 0x7f;
  const exponent = v >> 4;
  let mantissa = v & 0x0f;
  if (exponent > 0) mantissa += 16;
  mantissa = (mantissa << 4) + 8;
  if (exponent > 1) mantissa <<= exponent - 1;
  return code & 0x80 ? mantissa : -mantissa;
}

/**
 * Encoder tables indexed by the sample's top bits: µ-law depends only on x >> 2 (14 bits), A-law only
 * on x >> 4 (12 bits) — for negative x too, since ~x >> k = −(x >> k) − 1 — so the tables are 16 KiB
 * and 4 KiB and stay in the L1 cache.
 */
interface Encoder {
  table: Uint8Array;
  shift: number;
  mask: number;
}

/** Decoder: 256 linear values, plus the same as low/high halves of an int32 (two samples per store). */
interface Decoder {
  table: Int16Array;
  low: Int32Array;
  high: Int32Array;
}

function buildEncoder(encode: (sample: number) => number, shift: number): Encoder {
  const size = 1 << (16 - shift);
  const table = new Uint8Array(size);
  for (let i = 0; i < size; i++) table[i] = encode(((i << (16 + shift)) >> 16) | 0);
  return { table, shift, mask: size - 1 };
}

function buildDecoder(decode: (code: number) => number): Decoder {
  const table = new Int16Array(256);
  const low = new Int32Array(256);
  const high = new Int32Array(256);
  for (let c = 0; c < 256; c++) {
    const v = decode(c);
    table[c] = v;
    low[c] = v & 0xffff;
    high[c] = v << 16;
  }
  return { table, low, high };
}

let mulawEncoderState: Encoder | undefined;
let alawEncoderState: Encoder | undefined;
let mulawDecoderState: Decoder | undefined;
let alawDecoderState: Decoder | undefined;

function mulawEncoder(): Encoder {
  if (mulawEncoderState === undefined) mulawEncoderState = buildEncoder(encodeMulawSample, 2);
  return mulawEncoderState;
}
function alawEncoder(): Encoder {
  if (alawEncoderState === undefined) alawEncoderState = buildEncoder(encodeAlawSample, 4);
  return alawEncoderState;
}
function mulawDecoder(): Decoder {
  if (mulawDecoderState === undefined) mulawDecoderState = buildDecoder(decodeMulawCode);
  return mulawDecoderState;
}
function alawDecoder(): Decoder {
  if (alawDecoderState === undefined) alawDecoderState = buildDecoder(decodeAlawCode);
  return alawDecoderState;
}

/** Clamps to int16 and rounds, so any number is a valid input. */
function toInt16(sample: number): number {
  if (!(sample > -32768)) return -32768; // also NaN
  if (sample >= 32767) return 32767;
  return Math.round(sample);
}

function encodeInto(encoder: Encoder, pcm: Int16Array, out: Uint8Array): Uint8Array {
  const n = pcm.length;
  if (out.length < n) {
    throw new AudioFormatError('invalid_option', `output holds ${out.length} bytes; ${n} needed`);
  }
  const { table, shift, mask } = encoder;
  let i = 0;
  if (HOST_IS_LITTLE_ENDIAN && n >= 8 && pcm.byteOffset % 4 === 0 && out.byteOffset % 2 === 0) {
    // Two samples per load and two codes per store.
    const pairs = n >> 1;
    const src = new Int32Array(pcm.buffer, pcm.byteOffset, pairs);
    const dst = new Uint16Array(out.buffer, out.byteOffset, pairs);
    const highShift = 16 + shift;
    for (let p = 0; p < pairs; p++) {
      const v = src[p]!;
      dst[p] = table[(v >> shift) & mask]! | (table[(v >>> highShift) & mask]! << 8);
    }
    i = pairs * 2;
  }
  for (; i < n; i++) out[i] = table[(pcm[i]! >> shift) & mask]!;
  return n === out.length ? out : out.subarray(0, n);
}

function decodeInto(decoder: Decoder, codes: Uint8Array, out: Int16Array): Int16Array {
  const n = codes.length;
  if (out.length < n) {
    throw new AudioFormatError('invalid_option', `output holds ${out.length} samples; ${n} needed`);
  }
  const { table, low, high } = decoder;
  let i = 0;
  if (HOST_IS_LITTLE_ENDIAN && n >= 8 && codes.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    // Four codes per load, two samples per store.
    const quads = n >> 2;
    const src = new Uint32Array(codes.buffer, codes.byteOffset, quads);
    const dst = new Int32Array(out.buffer, out.byteOffset, quads * 2);
    for (let q = 0, d = 0; q < quads; q++, d += 2) {
      const v = src[q]!;
      dst[d] = low[v & 0xff]! | high[(v >>> 8) & 0xff]!;
      dst[d + 1] = low[(v >>> 16) & 0xff]! | high[v >>> 24]!;
    }
    i = quads * 4;
  }
  for (; i < n; i++) out[i] = table[codes[i]!]!;
  return n === out.length ? out : out.subarray(0, n);
}

/** µ-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToMulaw(sample: number): number {
  const { table, shift, mask } = mulawEncoder();
  return table[(toInt16(sample) >> shift) & mask]!;
}

/** 16-bit linear value of a µ-law code (only the low 8 bits of `code` are used). */
export function mulawToLinear(code: number): number {
  return mulawDecoder().table[code & 0xff]!;
}

/** A-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToAlaw(sample: number): number {
  const { table, shift, mask } = alawEncoder();
  return table[(toInt16(sample) >> shift) & mask]!;
}

/** 16-bit linear value of an A-law code (only the low 8 bits of `code` are used). */
export function alawToLinear(code: number): number {
  return alawDecoder().table[code & 0xff]!;
}

export function mulawEncode(pcm: Int16Array): Uint8Array {
  return encodeInto(mulawEncoder(), pcm, new Uint8Array(pcm.length));
}

export function mulawDecode(codes: Uint8Array): Int16Array {
  return decodeInto(mulawDecoder(), codes, new Int16Array(codes.length));
}

export function alawEncode(pcm: Int16Array): Uint8Array {
  return encodeInto(alawEncoder(), pcm, new Uint8Array(pcm.length));
}

export function alawDecode(codes: Uint8Array): Int16Array {
  return decodeInto(alawDecoder(), codes, new Int16Array(codes.length));
}

/** Allocation-free µ-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function mulawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  return encodeInto(mulawEncoder(), pcm, out);
}

/** Allocation-free µ-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function mulawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  return decodeInto(mulawDecoder(), codes, out);
}

/** Allocation-free A-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function alawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  return encodeInto(alawEncoder(), pcm, out);
}

/** Allocation-free A-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function alawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  return decodeInto(alawDecoder(), codes, out);
}
