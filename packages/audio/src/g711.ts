/**
 * G.711 µ-law and A-law (ITU-T G.711), bit-exact with the ITU-T G.191 reference software on
 * 16-bit input: µ-law uses the 14 most significant bits, A-law the 13 most significant bits, and
 * negative inputs are quantised from their one's complement (as the reference does), so −1 encodes
 * like −0. Decoding returns the reconstruction value (the middle of the quantisation interval),
 * scaled to 16 bits. Encoding is one lookup in a 64 KiB table per law, decoding one lookup in a
 * 256-entry table; tables are built on first use.
 */

let mulawEncodeTable: Uint8Array | undefined;
let alawEncodeTable: Uint8Array | undefined;
let mulawDecodeTable: Int16Array | undefined;
let alawDecodeTable: Int16Array | undefined;

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

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16); // index = sample & 0xffff
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let c = 0; c < 256; c++) table[c] = decode(c);
  return table;
}

function mulawEncoder(): Uint8Array {
  if (mulawEncodeTable === undefined) mulawEncodeTable = buildEncodeTable(encodeMulawSample);
  return mulawEncodeTable;
}
function alawEncoder(): Uint8Array {
  if (alawEncodeTable === undefined) alawEncodeTable = buildEncodeTable(encodeAlawSample);
  return alawEncodeTable;
}
function mulawDecoder(): Int16Array {
  if (mulawDecodeTable === undefined) mulawDecodeTable = buildDecodeTable(decodeMulawCode);
  return mulawDecodeTable;
}
function alawDecoder(): Int16Array {
  if (alawDecodeTable === undefined) alawDecodeTable = buildDecodeTable(decodeAlawCode);
  return alawDecodeTable;
}

/** Clamps to int16 and rounds, so any number is a valid table index. */
function toInt16(sample: number): number {
  if (!(sample > -32768)) return -32768; // also NaN
  if (sample >= 32767) return 32767;
  return Math.round(sample);
}

/** µ-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToMulaw(sample: number): number {
  return mulawEncoder()[toInt16(sample) & 0xffff]!;
}

/** 16-bit linear value of a µ-law code (only the low 8 bits of `code` are used). */
export function mulawToLinear(code: number): number {
  return mulawDecoder()[code & 0xff]!;
}

/** A-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToAlaw(sample: number): number {
  return alawEncoder()[toInt16(sample) & 0xffff]!;
}

/** 16-bit linear value of an A-law code (only the low 8 bits of `code` are used). */
export function alawToLinear(code: number): number {
  return alawDecoder()[code & 0xff]!;
}

export function mulawEncode(pcm: Int16Array): Uint8Array {
  const table = mulawEncoder();
  const n = pcm.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export function mulawDecode(codes: Uint8Array): Int16Array {
  const table = mulawDecoder();
  const n = codes.length;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = table[codes[i]!]!;
  return out;
}

export function alawEncode(pcm: Int16Array): Uint8Array {
  const table = alawEncoder();
  const n = pcm.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export function alawDecode(codes: Uint8Array): Int16Array {
  const table = alawDecoder();
  const n = codes.length;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = table[codes[i]!]!;
  return out;
}
