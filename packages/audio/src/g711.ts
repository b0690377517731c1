/**
 * G.711 µ-law and A-law (ITU-T G.711), bit-exact with the ITU-T G.191 reference software on
 * 16-bit input: µ-law uses the 14 most significant bits, A-law the 13 most significant bits, and
 * negative inputs are quantised from their one's complement (as the reference does), so −1 encodes
 * like −0. Decoding returns the reconstruction value (the middle of the quantisation interval),
 * scaled to 16 bits. Encoding and decoding are table lookups, done two
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
 * Encoder tables are indexed by the sample's top bits: µ-law depends only on x >> 2 (14 bits), A-law
 * only on x >> 4 (12 bits) — for negative x too, since ~x >> k = −(x >> k) − 1 — so they take 16 KiB
 * and 4 KiB and stay in the L1 cache. Decoder tables hold the 256 linear values, also as the low and
 * high halves of an int32 so two samples can be stored at once. All are built once at load (well
 * under a millisecond) and are module constants, which lets the JIT drop bounds checks in the loops
 * below (each law has its own loop with literal masks for the same reason).
 */
function buildEncodeTable(encode: (sample: number) => number, shift: number): Uint8Array {
  const size = 1 << (16 - shift);
  const table = new Uint8Array(size);
  for (let i = 0; i < size; i++) table[i] = encode((i << (16 + shift)) >> 16);
  return table;
}

function buildDecodeTables(decode: (code: number) => number): [Int16Array, Int32Array, Int32Array] {
  const table = new Int16Array(256);
  const low = new Int32Array(256);
  const high = new Int32Array(256);
  for (let c = 0; c < 256; c++) {
    const v = decode(c);
    table[c] = v;
    low[c] = v & 0xffff;
    high[c] = v << 16;
  }
  return [table, low, high];
}

const MULAW_ENCODE = buildEncodeTable(encodeMulawSample, 2);
const ALAW_ENCODE = buildEncodeTable(encodeAlawSample, 4);
const [MULAW_DECODE, MULAW_DECODE_LOW, MULAW_DECODE_HIGH] = buildDecodeTables(decodeMulawCode);
const [ALAW_DECODE, ALAW_DECODE_LOW, ALAW_DECODE_HIGH] = buildDecodeTables(decodeAlawCode);

/** Below this many samples the two extra typed-array views cost more than the wide loops save. */
const WIDE_MIN = 1024;

/** Clamps to int16 and rounds, so any number is a valid input. */
function toInt16(sample: number): number {
  if (!(sample > -32768)) return -32768; // also NaN
  if (sample >= 32767) return 32767;
  return Math.round(sample);
}

function checkOutput(have: number, need: number, unit: string): void {
  if (have < need)
    throw new AudioFormatError('invalid_option', `output holds ${have} ${unit}; ${need} needed`);
}

/** Two samples per load and two codes per store, when both arrays are suitably aligned. */
function wideEncode(pcm: Int16Array, out: Uint8Array): boolean {
  return (
    HOST_IS_LITTLE_ENDIAN && pcm.length >= WIDE_MIN && pcm.byteOffset % 4 === 0 && out.byteOffset % 2 === 0
  );
}

/** Four codes per load and two samples per store, when both arrays are suitably aligned. */
function wideDecode(codes: Uint8Array, out: Int16Array): boolean {
  return (
    HOST_IS_LITTLE_ENDIAN &&
    codes.length >= WIDE_MIN &&
    codes.byteOffset % 4 === 0 &&
    out.byteOffset % 4 === 0
  );
}

function written<T extends Uint8Array | Int16Array>(out: T, n: number): T {
  return (n === out.length ? out : out.subarray(0, n)) as T;
}

/** Allocation-free µ-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function mulawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  const n = pcm.length;
  checkOutput(out.length, n, 'bytes');
  let i = 0;
  if (wideEncode(pcm, out)) {
    const pairs = n >> 1;
    const src = new Int32Array(pcm.buffer, pcm.byteOffset, pairs);
    const dst = new Uint16Array(out.buffer, out.byteOffset, pairs);
    for (let p = 0; p < pairs; p++) {
      const v = src[p]!;
      dst[p] = MULAW_ENCODE[(v >> 2) & 0x3fff]! | (MULAW_ENCODE[(v >>> 18) & 0x3fff]! << 8);
    }
    i = pairs * 2;
  }
  for (; i < n; i++) out[i] = MULAW_ENCODE[(pcm[i]! >> 2) & 0x3fff]!;
  return written(out, n);
}

/** Allocation-free A-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function alawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  const n = pcm.length;
  checkOutput(out.length, n, 'bytes');
  let i = 0;
  if (wideEncode(pcm, out)) {
    const pairs = n >> 1;
    const src = new Int32Array(pcm.buffer, pcm.byteOffset, pairs);
    const dst = new Uint16Array(out.buffer, out.byteOffset, pairs);
    for (let p = 0; p < pairs; p++) {
      const v = src[p]!;
      dst[p] = ALAW_ENCODE[(v >> 4) & 0xfff]! | (ALAW_ENCODE[(v >>> 20) & 0xfff]! << 8);
    }
    i = pairs * 2;
  }
  for (; i < n; i++) out[i] = ALAW_ENCODE[(pcm[i]! >> 4) & 0xfff]!;
  return written(out, n);
}

/** Allocation-free µ-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function mulawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  const n = codes.length;
  checkOutput(out.length, n, 'samples');
  let i = 0;
  if (wideDecode(codes, out)) {
    const quads = n >> 2;
    const src = new Uint32Array(codes.buffer, codes.byteOffset, quads);
    const dst = new Int32Array(out.buffer, out.byteOffset, quads * 2);
    for (let q = 0, d = 0; q < quads; q++, d += 2) {
      const v = src[q]!;
      dst[d] = MULAW_DECODE_LOW[v & 0xff]! | MULAW_DECODE_HIGH[(v >>> 8) & 0xff]!;
      dst[d + 1] = MULAW_DECODE_LOW[(v >>> 16) & 0xff]! | MULAW_DECODE_HIGH[v >>> 24]!;
    }
    i = quads * 4;
  }
  for (; i < n; i++) out[i] = MULAW_DECODE[codes[i]!]!;
  return written(out, n);
}

/** Allocation-free A-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function alawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  const n = codes.length;
  checkOutput(out.length, n, 'samples');
  let i = 0;
  if (wideDecode(codes, out)) {
    const quads = n >> 2;
    const src = new Uint32Array(codes.buffer, codes.byteOffset, quads);
    const dst = new Int32Array(out.buffer, out.byteOffset, quads * 2);
    for (let q = 0, d = 0; q < quads; q++, d += 2) {
      const v = src[q]!;
      dst[d] = ALAW_DECODE_LOW[v & 0xff]! | ALAW_DECODE_HIGH[(v >>> 8) & 0xff]!;
      dst[d + 1] = ALAW_DECODE_LOW[(v >>> 16) & 0xff]! | ALAW_DECODE_HIGH[v >>> 24]!;
    }
    i = quads * 4;
  }
  for (; i < n; i++) out[i] = ALAW_DECODE[codes[i]!]!;
  return written(out, n);
}

/** µ-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToMulaw(sample: number): number {
  return MULAW_ENCODE[(toInt16(sample) >> 2) & 0x3fff]!;
}

/** 16-bit linear value of a µ-law code (only the low 8 bits of `code` are used). */
export function mulawToLinear(code: number): number {
  return MULAW_DECODE[code & 0xff]!;
}

/** A-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[(toInt16(sample) >> 4) & 0xfff]!;
}

/** 16-bit linear value of an A-law code (only the low 8 bits of `code` are used). */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

export function mulawEncode(pcm: Int16Array): Uint8Array {
  return mulawEncodeInto(pcm, new Uint8Array(pcm.length));
}

export function mulawDecode(codes: Uint8Array): Int16Array {
  return mulawDecodeInto(codes, new Int16Array(codes.length));
}

export function alawEncode(pcm: Int16Array): Uint8Array {
  return alawEncodeInto(pcm, new Uint8Array(pcm.length));
}

export function alawDecode(codes: Uint8Array): Int16Array {
  return alawDecodeInto(codes, new Int16Array(codes.length));
}
