/**
 * What each law's module (mulaw.ts, alaw.ts) provides, and the settings their loops share.
 *
 * The fast loops move 32 bits per load and store (two samples, four codes, or two decoded
 * samples): the code around them peels the first elements until the output is 4-byte aligned,
 * picks a loop by the input's alignment, and finishes the tail one element at a time. Results are
 * the same on every path (the tests compare each with reference.ts).
 */
import { HOST_IS_LITTLE_ENDIAN } from '../endian.js';
import { SlabPool } from './pool.js';

export interface G711Codec {
  /** Code of an int16 sample. */
  code(sample: number): number;
  /** Linear value of a code (low 8 bits used). */
  sample(code: number): number;
  /** Codes of `pcm` in a new array (small ones pooled, see pool.ts). */
  encode(pcm: Int16Array): Uint8Array;
  /** Codes of `pcm` into `out[0 … pcm.length)`; the caller checked the length. */
  encodeInto(pcm: Int16Array, out: Uint8Array): void;
  /** Samples of `codes` in a new array (small ones pooled, see pool.ts). */
  decode(codes: Uint8Array): Int16Array;
  /** Samples of `codes` into `out[0 … codes.length)`; the caller checked the length. */
  decodeInto(codes: Uint8Array, out: Int16Array): void;
}

/** The 32-bit loops assume little-endian packing; elsewhere every path is element by element. */
export const WIDE = HOST_IS_LITTLE_ENDIAN;
/**
 * Below this many elements, the typed-array views the 32-bit loops need cost more than they save
 * (measured: element by element is faster at 64, the 32-bit loops from about 100).
 */
export const WIDE_MIN = 96;
/** In a pooled output, aligned input is read through an int32/uint16 view from this many elements. */
export const VIEW_MIN = 1024;

/** Memory for small outputs of both laws. */
export const pool = new SlabPool();
