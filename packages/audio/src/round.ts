/**
 * Math.round(v) (halves up) for v in the int16 range, in integer ops: V8's Math.round on a double
 * that may come out as −0 is several times slower, and it was a fifth of the resampler's time.
 */
export function roundInt16(v: number): number {
  return ((v + 32768.5) | 0) - 32768;
}
