/**
 * Memory for the small outputs of the allocating G.711 functions (a 20 ms telephony frame is 160
 * codes or 320 bytes of samples). A new typed array of that size costs more than coding it: V8
 * gives every typed array over 64 bytes its own off-heap ArrayBuffer (~170 ns each, measured),
 * about twice the table lookups for 160 samples. So small outputs are consecutive, 8-byte aligned
 * views into a shared zero-filled slab, the scheme of Node's `Buffer.allocUnsafe` pool (which,
 * unlike this one, hands out uninitialised memory). A slab is never reused: when it is full, a new
 * one is started and the old one lives as long as any view into it.
 */

/** Outputs up to this many bytes come from the slab. */
export const POOL_MAX_BYTES = 4096;
/**
 * 64 KiB: a zero-filled ArrayBuffer costs ~0.35 µs at 8 KiB, ~0.8 µs at 16 KiB and ~1.3 µs at
 * 64 KiB (measured), so larger slabs cost less per frame (about 6 ns per 320-byte frame here). The
 * price: one small output kept alive keeps its whole slab alive.
 */
const SLAB_BYTES = 65536;

export class SlabPool {
  /** The current slab; a view returned by `take` lies in this buffer. */
  buffer: ArrayBuffer = new ArrayBuffer(0);
  /** The current slab as int32, for loops that store four codes or two samples at once. */
  words: Int32Array = new Int32Array(this.buffer);
  private used = 0;

  /** Reserves `bytes` (≤ POOL_MAX_BYTES) and returns their byte offset in `buffer`, a multiple of 8. */
  take(bytes: number): number {
    const size = (bytes + 7) & ~7;
    // byteLength is 0 for the initial slab and for one a caller detached by transferring it.
    if (this.used + size > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(SLAB_BYTES);
      this.words = new Int32Array(this.buffer);
      this.used = 0;
    }
    const at = this.used;
    this.used = at + size;
    return at;
  }
}
