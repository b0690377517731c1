/** What every benchmark suite returns; run.ts merges these into bench/results/latest.{json,md}. */

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

export interface BenchRatio {
  /** What is compared, e.g. "resample 48000→16000: @x/audio fast vs libsamplerate SINC_FASTEST". */
  name: string;
  /** ours / peer, where higher is better for us (e.g. throughput ratio). */
  ratio: number;
  /** The ratio the issue asks for, if any. */
  target?: number;
  met?: boolean;
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
  notes: string[];
  /** Raw measurements, for anyone who wants more than the tables. */
  data?: unknown;
}

export interface BenchSuite {
  name: string;
  description: string;
  run: () => Promise<SuiteResult>;
}
