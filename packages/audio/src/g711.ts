/**
 * G.711 µ-law and A-law (ITU-T G.711), bit-exact with the ITU-T G.191 reference software on
 * 16-bit input: µ-law uses the 14 most significant bits, A-law the 13 most significant bits, and
 * negative inputs are quantised from their one's complement (as the reference does), so −1 encodes
 * like −0. Decoding returns the reconstruction value (the middle of the quantisation interval),
 * scaled to 16 bits.
 *
 * Encoding is one lookup per sample in a 64 KiB table indexed by the sample's 16 bits; decoding is
 * one lookup per two codes in a 65536-entry table of sample pairs; both move 32 bits per load and
 * store where alignment allows (g711/codec.ts). Each law's tables (322 KiB) are built on its first
 * use.
 *
 * Outputs of the allocating functions up to 4 KiB (2048 decoded samples, 4096 codes) are views into
 * a shared 64 KiB slab, as Node's `Buffer.allocUnsafe` does for small Buffers (see g711/pool.ts):
 * read `.buffer` only together with `.byteOffset` and `.byteLength`, and do not transfer it to a
 * worker. Larger outputs, and the `*Into` functions, use memory of their own.
 */

import { AudioFormatError } from './errors.js';
import { createAlaw } from './g711/alaw.js';
import type { G711Codec } from './g711/codec.js';
import { createMulaw } from './g711/mulaw.js';

// Each law's tables and loops, created on its first use (see g711/mulaw.ts for the memory).
let mulaw: G711Codec | undefined;
let alaw: G711Codec | undefined;
const mulawCodec = (): G711Codec => (mulaw ??= createMulaw());
const alawCodec = (): G711Codec => (alaw ??= createAlaw());

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

function written<T extends Uint8Array | Int16Array>(out: T, n: number): T {
  return (n === out.length ? out : out.subarray(0, n)) as T;
}

/** Allocation-free µ-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function mulawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  const n = pcm.length;
  checkOutput(out.length, n, 'bytes');
  mulawCodec().encodeInto(pcm, out);
  return written(out, n);
}

/** Allocation-free A-law encode into `out` (length ≥ pcm.length); returns the written part of `out`. */
export function alawEncodeInto(pcm: Int16Array, out: Uint8Array): Uint8Array {
  const n = pcm.length;
  checkOutput(out.length, n, 'bytes');
  alawCodec().encodeInto(pcm, out);
  return written(out, n);
}

/** Allocation-free µ-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function mulawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  const n = codes.length;
  checkOutput(out.length, n, 'samples');
  mulawCodec().decodeInto(codes, out);
  return written(out, n);
}

/** Allocation-free A-law decode into `out` (length ≥ codes.length); returns the written part of `out`. */
export function alawDecodeInto(codes: Uint8Array, out: Int16Array): Int16Array {
  const n = codes.length;
  checkOutput(out.length, n, 'samples');
  alawCodec().decodeInto(codes, out);
  return written(out, n);
}

/** µ-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToMulaw(sample: number): number {
  return mulawCodec().code(toInt16(sample));
}

/** 16-bit linear value of a µ-law code (only the low 8 bits of `code` are used). */
export function mulawToLinear(code: number): number {
  return mulawCodec().sample(code);
}

/** A-law code (0–255) of one sample (clamped to int16 and rounded). */
export function linearToAlaw(sample: number): number {
  return alawCodec().code(toInt16(sample));
}

/** 16-bit linear value of an A-law code (only the low 8 bits of `code` are used). */
export function alawToLinear(code: number): number {
  return alawCodec().sample(code);
}

/** µ-law codes of `pcm` (outputs ≤ 4 KiB share a pooled slab: see the module comment). */
export function mulawEncode(pcm: Int16Array): Uint8Array {
  return mulawCodec().encode(pcm);
}

/** 16-bit samples of µ-law `codes` (outputs ≤ 4 KiB share a pooled slab: see the module comment). */
export function mulawDecode(codes: Uint8Array): Int16Array {
  return mulawCodec().decode(codes);
}

/** A-law codes of `pcm` (outputs ≤ 4 KiB share a pooled slab: see the module comment). */
export function alawEncode(pcm: Int16Array): Uint8Array {
  return alawCodec().encode(pcm);
}

/** 16-bit samples of A-law `codes` (outputs ≤ 4 KiB share a pooled slab: see the module comment). */
export function alawDecode(codes: Uint8Array): Int16Array {
  return alawCodec().decode(codes);
}
