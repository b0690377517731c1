/**
 * The polyphase inner loops. `polyphaseKernel` computes `count` consecutive output samples of one
 * channel: output j (0-based within the call) uses filter row p_j = (phase0 + j·M) mod L and input
 * samples x[base_j … base_j + taps − 1], with base_j = base0 + ⌊(phase0 + j·M) / L⌋.
 *
 * Outputs that share a row (j, j+L, j+2L, j+3L) are computed four at a time. Their input windows
 * are M samples apart. For M = 1 each input value is loaded once and slides through the four sums
 * in registers. For M = 2 and 3 the input is first split into M interleaved sub-sequences
 * (x[i], x[i+M], x[i+2M], …) and the row into the matching M sub-rows, which turns the problem into
 * M stride-1 correlations summed in a fixed order (the classic polyphase decimator); a sub-row with
 * a single non-zero tap (the `voice` preset's cutoff at the Nyquist frequency zeroes all but the
 * centre of one sub-row) costs one multiply per output. Other M use a plain four-way blocked loop.
 *
 * Every output is summed in the same order whether it falls in a block of four or in a remainder
 * loop, and the order depends only on L and M, so results never depend on how the input was
 * chunked (bit-identical streaming).
 */

/** Taps per row must be a multiple of this for the kernel used with decimation factor M. */
export function tapMultiple(M: number): number {
  // The split kernel needs each of the M sub-rows to be a multiple of 4 taps.
  return M === 2 || M === 3 ? 4 * M : 4;
}

/** Reorders rows for the split kernel: split[(p·M + r)·(taps/M) + s] = c[p][s·M + r]. */
export function splitCoefficients(
  coefficients: Float64Array,
  L: number,
  M: number,
  taps: number,
): Float64Array {
  const sub = taps / M;
  const split = new Float64Array(coefficients.length);
  for (let p = 0; p < L; p++) {
    for (let r = 0; r < M; r++) {
      for (let s = 0; s < sub; s++) split[(p * M + r) * sub + s] = coefficients[p * taps + s * M + r]!;
    }
  }
  return split;
}

/**
 * For each split sub-row (p·M + r): the index of its only non-zero tap (0 if it has none), or −1
 * when it has several and needs the full correlation.
 */
export function splitSingleTaps(split: Float64Array, L: number, M: number, taps: number): Int32Array {
  const sub = taps / M;
  const singles = new Int32Array(L * M);
  for (let row = 0; row < L * M; row++) {
    let single = 0;
    let nonZero = 0;
    for (let s = 0; s < sub; s++) {
      if (split[row * sub + s] === 0) continue;
      nonZero++;
      single = s;
    }
    singles[row] = nonZero > 1 ? -1 : single;
  }
  return singles;
}

/** The filter tables the kernels read (a PolyphaseFilter). */
export interface KernelTables {
  readonly L: number;
  readonly M: number;
  readonly taps: number;
  readonly coefficients: Float64Array;
  readonly split: Float64Array | undefined;
  readonly splitSingles: Int32Array | undefined;
}

let splitScratch = new Float64Array(4096);

export function polyphaseKernel(
  x: Float64Array,
  filter: KernelTables,
  phase0: number,
  base0: number,
  count: number,
  out: Float64Array,
): void {
  const { L, M, taps, coefficients, split, splitSingles } = filter;
  if (split !== undefined && splitSingles !== undefined && (M === 2 || M === 3)) {
    splitKernel(x, split, splitSingles, taps, L, M, phase0, base0, count, out);
    return;
  }
  const groups = Math.min(count, L);
  for (let s = 0; s < groups; s++) {
    const total = phase0 + s * M;
    const p = total % L;
    const base = base0 + (total - p) / L;
    const n = Math.floor((count - 1 - s) / L) + 1; // outputs s, s+L, s+2L, … below count
    if (M === 1) row1(x, coefficients, p * taps, taps, base, n, out, s, L, false);
    else rowN(x, coefficients, p * taps, taps, M, base, n, out, s, L);
  }
}

/** M = 2, 3: split x[base0 …] into M sub-sequences, then run stride-1 correlations per sub-row. */
function splitKernel(
  x: Float64Array,
  split: Float64Array,
  singles: Int32Array,
  taps: number,
  L: number,
  M: number,
  phase0: number,
  base0: number,
  count: number,
  out: Float64Array,
): void {
  const sub = taps / M;
  // Input used: x[base0 … lastBase + taps − 1].
  const lastBase = base0 + Math.floor((phase0 + (count - 1) * M) / L);
  const span = lastBase + taps - base0;
  const subLength = Math.ceil(span / M);
  if (splitScratch.length < subLength * M) splitScratch = new Float64Array(subLength * M * 2);
  const y = splitScratch;
  for (let r = 0; r < M; r++) {
    const at = r * subLength;
    const limit = Math.min(subLength, Math.ceil((span - r) / M));
    for (let i = 0, src = base0 + r; i < limit; i++, src += M) y[at + i] = x[src]!;
  }
  const groups = Math.min(count, L);
  for (let s = 0; s < groups; s++) {
    const total = phase0 + s * M;
    const p = total % L;
    const offset = (total - p) / L; // base of output s relative to base0
    const n = Math.floor((count - 1 - s) / L) + 1;
    for (let r = 0; r < M; r++) {
      const rho = (offset + r) % M;
      const start = rho * subLength + (offset + r - rho) / M;
      const single = singles[p * M + r]!;
      if (single >= 0) {
        singleTap(y, split[(p * M + r) * sub + single]!, start + single, n, out, s, L, r > 0);
      } else {
        row1(y, split, (p * M + r) * sub, sub, start, n, out, s, L, r > 0);
      }
    }
  }
}

/** n outputs of a one-tap row: c·x[at], c·x[at + 1], … written or added at out[o], out[o+stride], … */
function singleTap(
  x: Float64Array,
  c: number,
  at: number,
  n: number,
  out: Float64Array,
  o: number,
  stride: number,
  accumulate: boolean,
): void {
  if (accumulate) {
    for (let i = 0; i < n; i++, o += stride) out[o] = out[o]! + c * x[at + i]!;
  } else {
    for (let i = 0; i < n; i++, o += stride) out[o] = c * x[at + i]!;
  }
}

/** One output, taps summed in groups of 4 (used with M = 1, 2). */
function dot4(x: Float64Array, h: Float64Array, row: number, taps: number, b: number): number {
  let a = 0;
  for (let k = 0; k < taps; k += 4) {
    a +=
      h[row + k]! * x[b + k]! +
      h[row + k + 1]! * x[b + k + 1]! +
      h[row + k + 2]! * x[b + k + 2]! +
      h[row + k + 3]! * x[b + k + 3]!;
  }
  return a;
}

/** One output, taps summed in pairs (used with M ≥ 4). */
function dot2(x: Float64Array, h: Float64Array, row: number, taps: number, b: number): number {
  let a = 0;
  for (let k = 0; k < taps; k += 2) {
    a += h[row + k]! * x[b + k]! + h[row + k + 1]! * x[b + k + 1]!;
  }
  return a;
}

/** n outputs (written or added at out[o], out[o+stride], …) with windows 1 sample apart. */
function row1(
  x: Float64Array,
  h: Float64Array,
  row: number,
  taps: number,
  base: number,
  n: number,
  out: Float64Array,
  o: number,
  stride: number,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4, base += 4, o += 4 * stride) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let v0 = x[base]!;
    let v1 = x[base + 1]!;
    let v2 = x[base + 2]!;
    for (let k = 0; k < taps; k += 4) {
      const c0 = h[row + k]!;
      const c1 = h[row + k + 1]!;
      const c2 = h[row + k + 2]!;
      const c3 = h[row + k + 3]!;
      const v3 = x[base + k + 3]!;
      const v4 = x[base + k + 4]!;
      const v5 = x[base + k + 5]!;
      const v6 = x[base + k + 6]!;
      a0 += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3;
      a1 += c0 * v1 + c1 * v2 + c2 * v3 + c3 * v4;
      a2 += c0 * v2 + c1 * v3 + c2 * v4 + c3 * v5;
      a3 += c0 * v3 + c1 * v4 + c2 * v5 + c3 * v6;
      v0 = v4;
      v1 = v5;
      v2 = v6;
    }
    if (accumulate) {
      out[o] = out[o]! + a0;
      out[o + stride] = out[o + stride]! + a1;
      out[o + 2 * stride] = out[o + 2 * stride]! + a2;
      out[o + 3 * stride] = out[o + 3 * stride]! + a3;
    } else {
      out[o] = a0;
      out[o + stride] = a1;
      out[o + 2 * stride] = a2;
      out[o + 3 * stride] = a3;
    }
  }
  for (; i < n; i++, base += 1, o += stride) {
    const a = dot4(x, h, row, taps, base);
    out[o] = accumulate ? out[o]! + a : a;
  }
}

/** n outputs with windows M samples apart (any M). */
function rowN(
  x: Float64Array,
  h: Float64Array,
  row: number,
  taps: number,
  M: number,
  base: number,
  n: number,
  out: Float64Array,
  o: number,
  stride: number,
): void {
  let i = 0;
  for (; i + 3 < n; i += 4, base += 4 * M, o += 4 * stride) {
    const b1 = base + M;
    const b2 = b1 + M;
    const b3 = b2 + M;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let k = 0; k < taps; k += 2) {
      const c0 = h[row + k]!;
      const c1 = h[row + k + 1]!;
      a0 += c0 * x[base + k]! + c1 * x[base + k + 1]!;
      a1 += c0 * x[b1 + k]! + c1 * x[b1 + k + 1]!;
      a2 += c0 * x[b2 + k]! + c1 * x[b2 + k + 1]!;
      a3 += c0 * x[b3 + k]! + c1 * x[b3 + k + 1]!;
    }
    out[o] = a0;
    out[o + stride] = a1;
    out[o + 2 * stride] = a2;
    out[o + 3 * stride] = a3;
  }
  for (; i < n; i++, base += M, o += stride) out[o] = dot2(x, h, row, taps, base);
}
