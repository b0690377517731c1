import os from 'node:os';
import type { SuiteResult } from './types.js';

export interface TimingOptions {
  /** Untimed runs first (JIT warm-up, lazy tables). Default 1. */
  warmup?: number;
  /** At least this many timed runs. Default 3. */
  minRuns?: number;
  /** At most this many timed runs. Default 9. */
  maxRuns?: number;
  /** Stop adding runs (after minRuns) once this much time was spent timing. Default 1500 ms. */
  budgetMs?: number;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Runs `fn` repeatedly and returns the median wall time of the timed runs. */
export function measure(fn: () => unknown, options: TimingOptions = {}): Timing {
  const { warmup = 1, minRuns = 3, maxRuns = 9, budgetMs = 1500 } = options;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  let spent = 0;
  while (times.length < maxRuns && (times.length < minRuns || spent < budgetMs)) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    times.push(dt);
    spent += dt;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, minMs: times[0]!, runs: times.length };
}

export function environment(): SuiteResult['environment'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
  };
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export function ratioText(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}
