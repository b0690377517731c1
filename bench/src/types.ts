/** What every benchmark suite returns; run.ts merges these into bench/results/latest.{json,md}. */

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface BenchRatio {
  /** What is compared, e.g. "resample 48000→16000: @x/audio fast vs libsamplerate SINC_FASTEST". */
  name: string;
  /** ours / peer; higher is better for us (e.g. throughput) unless `lowerIsBetter`. */
  ratio: number;
  /** The ratio the issue asks for, if any (a floor; a ceiling when `lowerIsBetter`). */
  target?: number;
  met?: boolean;
  note?: string;
  /** For costs (CPU, latency, memory) compared as ours / peer: lower is better for us. */
  lowerIsBetter?: boolean;
}

/** An absolute figure checked against a target the issue sets (e.g. "first frame ≤ 1 ms"). */
export interface BenchCheck {
  name: string;
  value: number;
  unit: string;
  /** The target as text, e.g. "≤ 1 ms". */
  target: string;
  met: boolean;
  note?: string;
}

export interface SuiteResult {
  suite: string;
  title: string;
  startedAt: string;
  durationMs: number;
  environment: { node: string; platform: string; cpus: number; cpuModel: string };
  tables: BenchTable[];
  ratios: BenchRatio[];
  /** Absolute figures against their targets. */
  checks?: BenchCheck[];
  notes: string[];
  /** Raw measurements, for anyone who wants more than the tables. */
  data?: unknown;
}

export interface BenchSuite {
  name: string;
  description: string;
  run: () => Promise<SuiteResult>;
}
