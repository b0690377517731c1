/** True on little-endian hosts (every platform Node ships for today, but checked, not assumed). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Copies `byteLength` bytes of s16le from `src` (any alignment) into `dst` starting at sample
 * `dstSample`. One pass, no intermediate buffer.
 */
export function copyS16leInto(src: Uint8Array, dst: Int16Array, dstSample = 0): void {
  const count = src.length >> 1;
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(dst.buffer, dst.byteOffset + dstSample * 2, count * 2).set(
      src.length === count * 2 ? src : src.subarray(0, count * 2),
    );
    return;
  }
  for (let i = 0; i < count; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    dst[dstSample + i] = ((hi << 24) >> 16) | lo;
  }
}

/** s16le bytes of `samples`: a view on little-endian hosts, a byte-swapped copy otherwise. */
export function s16leBytes(samples: Int16Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = (v >> 8) & 0xff;
  }
  return out;
}
