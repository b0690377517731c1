import { ALL_TONES_HZ, LOW_TONES_HZ, WINDOW_MS } from './modem.js';

const TONES = ALL_TONES_HZ.length;
const LOW = LOW_TONES_HZ.length;
/** Blocks kept; far more than the recogniser ever looks back (about 100 ms). */
const RING = 1024;
const RING_MASK = RING - 1;

/** What the tone bank sees in one 20 ms window. */
export interface WindowReading {
  /** Mean power of the window in PCM16 units² (full-scale sine ≈ 5.4e8). */
  power: number;
  bestLow: number;
  bestHigh: number;
  /** Energy in the best low and best high bins, |Σ x·e^{-jωn}|². */
  lowEnergy: number;
  highEnergy: number;
  secondLow: number;
  secondHigh: number;
  /** Share of the window's power in the two best tones, 0..~1. */
  purity: number;
}

/**
 * A bank of 16 Goertzel filters run over fixed blocks of ~1 ms at absolute sample positions.
 * Each block's result is rotated to an absolute phase reference, so a window of any K consecutive
 * blocks is the exact DFT of those samples at each tone: the sum of its blocks. Because blocks are
 * fixed to sample positions, the readings do not depend on how the input was chunked.
 */
export class ToneAnalyzer {
  readonly sampleRate: number;
  /** Samples per block. */
  readonly blockSize: number;
  /** Blocks per analysis window. */
  readonly windowBlocks: number;
  /** Samples per analysis window. */
  readonly windowSize: number;
  /** Number of complete blocks analysed so far (block i covers samples [i·B, (i+1)·B)). */
  blockCount = 0;

  readonly #coef = new Float64Array(TONES);
  readonly #sinW = new Float64Array(TONES);
  readonly #cosW = new Float64Array(TONES);
  /** Per tone, e^{-jωn} for n mod windowSize (interleaved re, im). */
  readonly #phase: Float64Array[];
  readonly #re = new Float64Array(RING * TONES);
  readonly #im = new Float64Array(RING * TONES);
  readonly #energy = new Float64Array(RING);
  readonly #pending: Int16Array;
  #pendingLength = 0;
  readonly #sumRe = new Float64Array(TONES);
  readonly #sumIm = new Float64Array(TONES);
  readonly #onBlock: () => void;

  constructor(sampleRate: number, onBlock: () => void) {
    this.sampleRate = sampleRate;
    this.windowSize = Math.round((sampleRate * WINDOW_MS) / 1000);
    this.windowBlocks = sampleRate % 1000 === 0 ? 20 : 21;
    this.blockSize = this.windowSize / this.windowBlocks;
    if (!Number.isInteger(this.blockSize)) throw new RangeError(`unsupported sampleRate ${sampleRate}`);
    this.#pending = new Int16Array(this.blockSize);
    this.#onBlock = onBlock;
    this.#phase = [];
    for (let t = 0; t < TONES; t++) {
      const omega = (2 * Math.PI * ALL_TONES_HZ[t]!) / sampleRate;
      this.#coef[t] = 2 * Math.cos(omega);
      this.#cosW[t] = Math.cos(omega);
      this.#sinW[t] = Math.sin(omega);
      const table = new Float64Array(2 * this.windowSize);
      // The tone completes a whole number of cycles in one window, so e^{-jωn} repeats every window.
      const cyclesPerWindow = (ALL_TONES_HZ[t]! * this.windowSize) / sampleRate;
      for (let n = 0; n < this.windowSize; n++) {
        const angle = (2 * Math.PI * ((cyclesPerWindow * n) % this.windowSize)) / this.windowSize;
        table[2 * n] = Math.cos(angle);
        table[2 * n + 1] = -Math.sin(angle);
      }
      this.#phase.push(table);
    }
  }

  /** Feeds samples; calls `onBlock` after every completed block. */
  push(samples: Int16Array): void {
    const size = this.blockSize;
    let offset = 0;
    if (this.#pendingLength > 0) {
      const take = Math.min(size - this.#pendingLength, samples.length);
      this.#pending.set(samples.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength < size) return;
      this.#pendingLength = 0;
      this.#analyze(this.#pending, 0);
    }
    while (offset + size <= samples.length) {
      this.#analyze(samples, offset);
      offset += size;
    }
    if (offset < samples.length) {
      this.#pending.set(samples.subarray(offset), 0);
      this.#pendingLength = samples.length - offset;
    }
  }

  /** Completes the partial block with zeros (if any) and then adds `blocks` blocks of silence. */
  padWithSilence(blocks: number): void {
    if (this.#pendingLength > 0) {
      this.#pending.fill(0, this.#pendingLength);
      this.#pendingLength = 0;
      this.#analyze(this.#pending, 0);
    }
    const zeros = new Int16Array(this.blockSize);
    for (let i = 0; i < blocks; i++) this.#analyze(zeros, 0);
  }

  #analyze(x: Int16Array, offset: number): void {
    const size = this.blockSize;
    const slot = this.blockCount & RING_MASK;
    const base = slot * TONES;
    let energy = 0;
    for (let i = 0; i < size; i++) {
      const v = x[offset + i]!;
      energy += v * v;
    }
    this.#energy[slot] = energy;
    if (energy === 0) {
      this.#re.fill(0, base, base + TONES);
      this.#im.fill(0, base, base + TONES);
    } else {
      // Phase index of the block's last sample: n0 + B - 1 (mod window).
      const phaseIndex = ((this.blockCount * size + size - 1) % this.windowSize) * 2;
      const end = offset + size;
      for (let t = 0; t < TONES; t++) {
        const c = this.#coef[t]!;
        let s1 = 0;
        let s2 = 0;
        for (let i = offset; i < end; i++) {
          const s0 = x[i]! + c * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        // Goertzel gives y = Σ x[m]·e^{jω(B-1-m)}; rotate by e^{-jω(n0+B-1)} to the absolute reference.
        const yr = s1 - this.#cosW[t]! * s2;
        const yi = this.#sinW[t]! * s2;
        const table = this.#phase[t]!;
        const pr = table[phaseIndex]!;
        const pi = table[phaseIndex + 1]!;
        this.#re[base + t] = yr * pr - yi * pi;
        this.#im[base + t] = yr * pi + yi * pr;
      }
    }
    this.blockCount++;
    this.#onBlock();
  }

  /** Mean power (PCM16 units²) of the window ending with block `position` (inclusive). */
  windowPower(position: number): number {
    let energy = 0;
    for (let b = position - this.windowBlocks + 1; b <= position; b++) energy += this.#energy[b & RING_MASK]!;
    return energy / this.windowSize;
  }

  /**
   * Reads the window ending with block `position` (0 ≤ position < blockCount, and not older than
   * the ring holds). Blocks before the stream's start read as silence.
   */
  read(position: number, out: WindowReading): WindowReading {
    const sumRe = this.#sumRe;
    const sumIm = this.#sumIm;
    sumRe.fill(0);
    sumIm.fill(0);
    let energy = 0;
    for (let b = position - this.windowBlocks + 1; b <= position; b++) {
      const slot = b & RING_MASK;
      energy += this.#energy[slot]!;
      const base = slot * TONES;
      for (let t = 0; t < TONES; t++) {
        sumRe[t]! += this.#re[base + t]!;
        sumIm[t]! += this.#im[base + t]!;
      }
    }
    let bestLow = 0;
    let lowEnergy = -1;
    let secondLow = 0;
    let bestHigh = LOW;
    let highEnergy = -1;
    let secondHigh = 0;
    for (let t = 0; t < TONES; t++) {
      const e = sumRe[t]! * sumRe[t]! + sumIm[t]! * sumIm[t]!;
      if (t < LOW) {
        if (e > lowEnergy) {
          secondLow = Math.max(lowEnergy, 0);
          lowEnergy = e;
          bestLow = t;
        } else if (e > secondLow) secondLow = e;
      } else if (e > highEnergy) {
        secondHigh = Math.max(highEnergy, 0);
        highEnergy = e;
        bestHigh = t;
      } else if (e > secondHigh) secondHigh = e;
    }
    const n = this.windowSize;
    out.power = energy / n;
    out.bestLow = bestLow;
    out.bestHigh = bestHigh - LOW;
    out.lowEnergy = lowEnergy;
    out.highEnergy = highEnergy;
    out.secondLow = secondLow;
    out.secondHigh = secondHigh;
    out.purity = energy > 0 ? (2 * (lowEnergy + highEnergy)) / (n * energy) : 0;
    return out;
  }
}

export function emptyReading(): WindowReading {
  return {
    power: 0,
    bestLow: 0,
    bestHigh: 0,
    lowEnergy: 0,
    highEnergy: 0,
    secondLow: 0,
    secondHigh: 0,
    purity: 0,
  };
}
