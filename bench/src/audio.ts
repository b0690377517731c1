/**
 * @x/audio against the libraries a Node developer would otherwise use:
 * - resampling throughput and measured alias/image rejection vs @alexanderolsen/libsamplerate-js
 *   (libsamplerate compiled to WebAssembly) and wave-resampler (plain JS);
 * - G.711 µ-law/A-law throughput vs alawmulaw.
 */
import {
  alawDecode,
  alawDecodeInto,
  alawEncode,
  alawEncodeInto,
  mulawDecode,
  mulawDecodeInto,
  mulawEncode,
  mulawEncodeInto,
  QUALITY_PRESETS,
  type ResamplerQuality,
  resample,
  StreamingResampler,
} from '@x/audio';
import { alawmulaw, libsamplerate, PEER_VERSIONS, waveResampler } from './peers.js';
import { environment, fixed, measure, ratioText } from './timing.js';
import type { BenchRatio, BenchTable, SuiteResult } from './types.js';

const SIGNAL_SECONDS = 60;
const PAIRS: ReadonlyArray<readonly [number, number]> = [
  [48000, 24000],
  [48000, 16000],
  [8000, 24000],
];
/** Test tones sit at these multiples of the lower Nyquist frequency (aliases for down, images for up). */
const REJECTION_FACTORS = [1.05, 1.1, 1.25, 1.5, 1.9];
const RESAMPLER_TARGET = 3;
const G711_TARGET = 5;

/** Speech-band test signal: a few partials with vibrato plus noise, about −14 dBFS. */
function testSignal(rate: number, seconds: number): { int16: Int16Array; float32: Float32Array } {
  const n = rate * seconds;
  const int16 = new Int16Array(n);
  const float32 = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f0 = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    seed = (seed * 1103515245 + 12345) >>> 0;
    const v =
      0.12 * Math.sin(2 * Math.PI * f0 * t) +
      0.06 * Math.sin(2 * Math.PI * 3 * f0 * t) +
      0.03 * Math.sin(2 * Math.PI * 1900 * t) +
      0.02 * (seed / 4294967296 - 0.5);
    const s = Math.round(v * 32767);
    int16[i] = s;
    float32[i] = s / 32768;
  }
  return { int16, float32 };
}

interface Implementation {
  id: string;
  label: string;
  kind: 'ours' | 'libsamplerate' | 'wave-resampler';
  /** Passband edge as a fraction of the lower Nyquist (documented / designed, not measured). */
  passband: string;
  /** Rejection is measured only for tones from this multiple of the Nyquist (default: all). */
  rejectionFromFactor?: number;
  /** Prepared once per rate pair; returns a function doing one timed one-shot run. */
  prepare(
    inputRate: number,
    outputRate: number,
    signal: { int16: Int16Array; float32: Float32Array },
  ): Promise<{
    run: () => number;
    dispose: () => void;
  }>;
  /** One-shot float resampling for the rejection measurement. */
  floatResample(x: Float32Array, inputRate: number, outputRate: number): Promise<ArrayLike<number>>;
}

function ours(quality: ResamplerQuality, chunkMs?: number): Implementation {
  const preset = QUALITY_PRESETS[quality];
  return {
    id: chunkMs === undefined ? `ours-${quality}` : `ours-${quality}-stream`,
    label:
      chunkMs === undefined
        ? `@x/audio '${quality}' (resample, int16)`
        : `@x/audio '${quality}' (StreamingResampler, ${chunkMs} ms chunks)`,
    kind: 'ours',
    passband: preset.aliasesAbovePassband
      ? `${Math.round(preset.passband * 100)} % (tones at 100–${Math.round((2 - preset.passband) * 100)} % alias above it)`
      : `${Math.round(preset.passband * 100)} %`,
    ...(preset.aliasesAbovePassband ? { rejectionFromFactor: 2 - preset.passband } : {}),
    async prepare(inputRate, outputRate, signal) {
      if (chunkMs === undefined) {
        return {
          run: () => resample(signal.int16, inputRate, outputRate, { quality }).length,
          dispose: () => {},
        };
      }
      const chunk = (inputRate * chunkMs) / 1000;
      return {
        run: () => {
          const r = new StreamingResampler({ inputRate, outputRate, quality });
          let total = 0;
          for (let i = 0; i < signal.int16.length; i += chunk)
            total += r.process(signal.int16.subarray(i, i + chunk)).length;
          return total + r.flush().length;
        },
        dispose: () => {},
      };
    },
    async floatResample(x, inputRate, outputRate) {
      const r = new StreamingResampler({ inputRate, outputRate, quality });
      const head = r.processFloat32(x);
      const tail = r.flushFloat32();
      const out = new Float32Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return out;
    },
  };
}

function lsr(
  name: 'SRC_SINC_BEST_QUALITY' | 'SRC_SINC_MEDIUM_QUALITY' | 'SRC_SINC_FASTEST',
  passband: string,
): Implementation {
  const converterType = libsamplerate.ConverterType[name];
  return {
    id: `lsr-${name}`,
    label: `libsamplerate-js ${name} (simple, float32)`,
    kind: 'libsamplerate',
    passband,
    async prepare(inputRate, outputRate, signal) {
      const src = await libsamplerate.create(1, inputRate, outputRate, { converterType });
      return { run: () => src.simple(signal.float32).length, dispose: () => src.destroy() };
    },
    async floatResample(x, inputRate, outputRate) {
      const src = await libsamplerate.create(1, inputRate, outputRate, { converterType });
      try {
        return src.simple(x);
      } finally {
        src.destroy();
      }
    },
  };
}

function wave(method: 'sinc' | 'cubic'): Implementation {
  return {
    id: `wave-${method}`,
    label: `wave-resampler '${method}' (default LPF, float)`,
    kind: 'wave-resampler',
    passband: 'n/a (IIR/FIR LPF)',
    async prepare(inputRate, outputRate, signal) {
      return {
        run: () => waveResampler.resample(signal.float32, inputRate, outputRate, { method }).length,
        dispose: () => {},
      };
    },
    async floatResample(x, inputRate, outputRate) {
      return waveResampler.resample(x, inputRate, outputRate, { method });
    },
  };
}

const IMPLEMENTATIONS: readonly Implementation[] = [
  ours('fast'),
  ours('high'),
  ours('fast', 20),
  ours('high', 20),
  ours('voice'),
  ours('voice', 20),
  lsr('SRC_SINC_BEST_QUALITY', '97 % (documented)'),
  lsr('SRC_SINC_MEDIUM_QUALITY', '90 % (documented)'),
  lsr('SRC_SINC_FASTEST', '80 % (documented)'),
  wave('sinc'),
  wave('cubic'),
];

/** Least-squares amplitude of the tone at `hz` removed from x[start, end); returns the residual RMS. */
function residualRms(x: ArrayLike<number>, hz: number, rate: number, start: number, end: number): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  const w = (2 * Math.PI * hz) / rate;
  for (let i = start; i < end; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    const v = x[i]!;
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += v * s;
    xc += v * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const e = x[i]! - (a * Math.sin(w * i) + b * Math.cos(w * i));
    sum += e * e;
  }
  return Math.sqrt(sum / (end - start));
}

function rmsRange(x: ArrayLike<number>, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (end - start));
}

/**
 * Worst-case rejection (dB, higher is better) of everything a band-limited resampler must remove,
 * measured identically for every implementation on float input/output (so no int16 noise floor):
 * - downsampling: a 0.5-amplitude tone at 1.05, 1.1, 1.25, 1.5 and 1.9 × the output Nyquist;
 *   the whole output is unwanted (aliases);
 * - upsampling: a tone whose first image lands at those multiples of the input Nyquist; the output
 *   minus a least-squares fit of the tone itself is unwanted (images).
 * The first and last 10 % of the output (filter start-up, tail) are ignored.
 */
async function measureRejection(
  impl: Implementation,
  inputRate: number,
  outputRate: number,
): Promise<number> {
  const down = outputRate < inputRate;
  let worst = Number.POSITIVE_INFINITY;
  for (const factor of REJECTION_FACTORS) {
    if (factor < (impl.rejectionFromFactor ?? 0) - 1e-9) continue;
    const hz = down ? (factor * outputRate) / 2 : ((2 - factor) * inputRate) / 2;
    if (hz >= 0.98 * (inputRate / 2)) continue;
    const x = new Float32Array(inputRate / 2);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / inputRate);
    const y = await impl.floatResample(x, inputRate, outputRate);
    const start = Math.floor(y.length * 0.1);
    const end = Math.floor(y.length * 0.9);
    const unwanted = down ? rmsRange(y, start, end) : residualRms(y, hz, outputRate, start, end);
    const rejection = -20 * Math.log10(Math.max(unwanted, 1e-12) / (0.5 / Math.SQRT2));
    worst = Math.min(worst, rejection);
  }
  return worst;
}

interface ResamplerRow {
  pair: string;
  impl: string;
  label: string;
  kind: Implementation['kind'];
  passband: string;
  medianMs: number;
  runs: number;
  outputSamples: number;
  realtimeFactor: number;
  rejectionDb: number;
}

async function resamplerBench(): Promise<{
  rows: ResamplerRow[];
  tables: BenchTable[];
  ratios: BenchRatio[];
}> {
  const rows: ResamplerRow[] = [];
  const tables: BenchTable[] = [];
  const ratios: BenchRatio[] = [];
  for (const [inputRate, outputRate] of PAIRS) {
    const pair = `${inputRate}→${outputRate}`;
    const signal = testSignal(inputRate, SIGNAL_SECONDS);
    const excerpt = {
      int16: signal.int16.subarray(0, inputRate * 5),
      float32: signal.float32.subarray(0, inputRate * 5),
    };
    const pairRows: ResamplerRow[] = [];
    for (const impl of IMPLEMENTATIONS) {
      const rejectionDb = await measureRejection(impl, inputRate, outputRate);
      // Warm up (JIT, lazy filter tables, WebAssembly) on a 5 s excerpt, then time the full signal.
      const warm = await impl.prepare(inputRate, outputRate, excerpt);
      warm.run();
      warm.dispose();
      const prepared = await impl.prepare(inputRate, outputRate, signal);
      let outputSamples = 0;
      const timing = measure(
        () => {
          outputSamples = prepared.run();
        },
        { warmup: 0, minRuns: 3, maxRuns: 7, budgetMs: 1200 },
      );
      prepared.dispose();
      const row: ResamplerRow = {
        pair,
        impl: impl.id,
        label: impl.label,
        kind: impl.kind,
        passband: impl.passband,
        medianMs: timing.medianMs,
        runs: timing.runs,
        outputSamples,
        realtimeFactor: (SIGNAL_SECONDS * 1000) / timing.medianMs,
        rejectionDb,
      };
      pairRows.push(row);
      console.log(
        `  ${pair.padEnd(12)} ${impl.label.padEnd(58)} ${fixed(timing.medianMs).padStart(8)} ms  rejection ${fixed(rejectionDb)} dB`,
      );
    }
    rows.push(...pairRows);
    const byId = (id: string) => pairRows.find((r) => r.impl === id)!;
    const peers = pairRows.filter((r) => r.kind !== 'ours');
    tables.push({
      title: `Resample ${pair} Hz, ${SIGNAL_SECONDS} s mono (median of timed runs after warm-up)`,
      columns: [
        'implementation',
        'passband',
        'median ms',
        '× realtime',
        'out samples',
        'rejection dB',
        'ours fast / this',
        'ours high / this',
      ],
      rows: pairRows.map((r) => [
        r.label,
        r.passband,
        fixed(r.medianMs),
        fixed(r.realtimeFactor, 0),
        r.outputSamples,
        fixed(r.rejectionDb),
        r.kind === 'ours' ? '' : ratioText(r.medianMs / byId('ours-fast').medianMs),
        r.kind === 'ours' ? '' : ratioText(r.medianMs / byId('ours-high').medianMs),
      ]),
    });
    // Like for like: each preset against the libsamplerate converter with the same documented
    // passband (fast ↔ SINC_FASTEST at 80 %, high ↔ SINC_MEDIUM_QUALITY at 90 %); the target
    // applies when our measured rejection is equal or better.
    for (const [mine, peer] of [
      [byId('ours-fast'), byId('lsr-SRC_SINC_FASTEST')],
      [byId('ours-high'), byId('lsr-SRC_SINC_MEDIUM_QUALITY')],
    ] as const) {
      const ratio = peer.medianMs / mine.medianMs;
      const equalOrBetter = mine.rejectionDb >= peer.rejectionDb - 0.05;
      ratios.push({
        name: `resample ${pair}: ${mine.label} (${fixed(mine.rejectionDb)} dB) vs ${peer.label} (${fixed(peer.rejectionDb)} dB)`,
        ratio,
        ...(equalOrBetter ? { target: RESAMPLER_TARGET, met: ratio >= RESAMPLER_TARGET } : {}),
        note: equalOrBetter
          ? `same passband, rejection ${fixed(mine.rejectionDb - peer.rejectionDb)} dB better`
          : `our rejection is ${fixed(peer.rejectionDb - mine.rejectionDb)} dB WORSE: not like for like`,
      });
    }
    ratios.push({
      name: `resample ${pair}: @x/audio 'high' (${fixed(byId('ours-high').rejectionDb)} dB) vs libsamplerate-js SRC_SINC_FASTEST (${fixed(byId('lsr-SRC_SINC_FASTEST').rejectionDb)} dB)`,
      ratio: byId('lsr-SRC_SINC_FASTEST').medianMs / byId('ours-high').medianMs,
      note: 'our best quality against their fastest converter',
    });
    const best = byId('lsr-SRC_SINC_BEST_QUALITY');
    ratios.push({
      name: `resample ${pair}: @x/audio 'high' vs libsamplerate-js SRC_SINC_BEST_QUALITY`,
      ratio: best.medianMs / byId('ours-high').medianMs,
      note: `BEST rejects ${fixed(best.rejectionDb)} dB vs ours ${fixed(byId('ours-high').rejectionDb)} dB (not like for like)`,
    });
    for (const w of peers.filter((r) => r.kind === 'wave-resampler')) {
      ratios.push({
        name: `resample ${pair}: @x/audio 'high' (${fixed(byId('ours-high').rejectionDb)} dB) vs ${w.label} (${fixed(w.rejectionDb)} dB)`,
        ratio: w.medianMs / byId('ours-high').medianMs,
      });
    }
  }
  return { rows, tables, ratios };
}

interface G711Row {
  law: 'µ-law' | 'A-law';
  op: 'encode' | 'decode';
  mode: 'bulk' | 'frames' | 'kernel';
  /** Median CPU ms over the interleaved rounds. */
  ours: number;
  peer: number;
  /** Minimum CPU ms over the same rounds (the least disturbed run of each). */
  oursMin: number;
  peerMin: number;
  /** Median wall-clock ms over the same rounds. */
  oursWall: number;
  peerWall: number;
  /** Allocating the output and writing every element once (`new T(n).fill(1)`), bulk rows only. */
  floor?: number;
}

const G711_MODES = {
  bulk: 'one call on the whole signal (allocating API, like for like)',
  frames: '20 ms telephony frames (160 samples) one call each (allocating API, like for like)',
  kernel: "into a reused buffer: @x/audio *Into vs alawmulaw's per-sample function in the same loop",
} as const;
/** Timed rounds per row; each round runs every contender once. */
const G711_ROUNDS = 31;

interface Spread {
  median: number;
  min: number;
  wallMedian: number;
}

function spread(values: number[]): { median: number; min: number } {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return {
    median: values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2,
    min: values[0]!,
  };
}

/**
 * Times the functions interleaved: after warm-up, each of `G711_ROUNDS` rounds runs every function
 * once, in rotating order, so machine noise (GC of earlier rows, frequency changes) hits all alike.
 * The time is the process's CPU time (user + system, so page faults count): on this shared 2-core
 * machine, wall time also counts the time other processes hold the core, and a longer run is more
 * likely to be preempted, which inflates the slower contender more. Wall-clock medians are kept
 * alongside.
 */
function interleaved(fns: ReadonlyArray<() => unknown>): Spread[] {
  const cpu = fns.map(() => [] as number[]);
  const wall = fns.map(() => [] as number[]);
  for (let w = 0; w < 3; w++) for (const fn of fns) fn();
  for (let round = 0; round < G711_ROUNDS; round++) {
    for (let k = 0; k < fns.length; k++) {
      const f = (round + k) % fns.length;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fns[f]!();
      const t1 = performance.now();
      const c = process.cpuUsage(c0);
      cpu[f]!.push((c.user + c.system) / 1000);
      wall[f]!.push(t1 - t0);
    }
  }
  return cpu.map((c, f) => ({ ...spread(c), wallMedian: spread(wall[f]!).median }));
}

/** The G.711 part alone (exported for standalone runs; the audio suite runs it after the resampler). */
export function g711Bench(): { rows: G711Row[]; table: BenchTable; ratios: BenchRatio[]; notes: string[] } {
  const pcm = testSignal(48000, SIGNAL_SECONDS).int16; // 2.88 M samples (6 min of 8 kHz telephony)
  const n = pcm.length;
  const FRAME = 160;
  const rows: G711Row[] = [];
  const laws = [
    {
      law: 'µ-law' as const,
      enc: mulawEncode,
      dec: mulawDecode,
      encInto: mulawEncodeInto,
      decInto: mulawDecodeInto,
      peer: alawmulaw.mulaw,
    },
    {
      law: 'A-law' as const,
      enc: alawEncode,
      dec: alawDecode,
      encInto: alawEncodeInto,
      decInto: alawDecodeInto,
      peer: alawmulaw.alaw,
    },
  ];
  const notes: string[] = [];
  const allInputs = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const allCodes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const codeBuffer = new Uint8Array(n);
  const sampleBuffer = new Int16Array(n);
  const row = (
    law: G711Row['law'],
    op: G711Row['op'],
    mode: G711Row['mode'],
    ours: () => unknown,
    peer: () => unknown,
    floor?: () => unknown,
  ): void => {
    const [o, p, f] = interleaved(floor ? [ours, peer, floor] : [ours, peer]);
    rows.push({
      law,
      op,
      mode,
      ours: o!.median,
      peer: p!.median,
      oursMin: o!.min,
      peerMin: p!.min,
      oursWall: o!.wallMedian,
      peerWall: p!.wallMedian,
      ...(f ? { floor: f.median } : {}),
    });
  };
  for (const { law, enc, dec, encInto, decInto, peer } of laws) {
    const codes = enc(pcm);
    const framesOf =
      <T extends Int16Array | Uint8Array, R>(input: T, fn: (x: T) => R) =>
      () => {
        for (let i = 0; i < n; i += FRAME) fn(input.subarray(i, i + FRAME) as T);
      };
    row(
      law,
      'encode',
      'bulk',
      () => enc(pcm),
      () => peer.encode(pcm),
      () => new Uint8Array(n).fill(1),
    );
    row(
      law,
      'decode',
      'bulk',
      () => dec(codes),
      () => peer.decode(codes),
      () => new Int16Array(n).fill(1),
    );
    row(
      law,
      'encode',
      'frames',
      framesOf(pcm, enc),
      framesOf(pcm, (x) => peer.encode(x)),
    );
    row(
      law,
      'decode',
      'frames',
      framesOf(codes, dec),
      framesOf(codes, (x) => peer.decode(x)),
    );
    const encodeSample = peer.encodeSample;
    const decodeSample = peer.decodeSample;
    row(
      law,
      'encode',
      'kernel',
      () => encInto(pcm, codeBuffer),
      () => {
        for (let i = 0; i < n; i++) codeBuffer[i] = encodeSample(pcm[i]!);
      },
    );
    row(
      law,
      'decode',
      'kernel',
      () => decInto(codes, sampleBuffer),
      () => {
        for (let i = 0; i < n; i++) sampleBuffer[i] = decodeSample(codes[i]!);
      },
    );
    // Do the two agree? (ours follows the ITU-T G.191 reference bit for bit)
    const a = enc(allInputs);
    const b = peer.encode(allInputs);
    let encodeDiff = 0;
    let firstDiff = '';
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        if (encodeDiff === 0)
          firstDiff = ` (e.g. input ${allInputs[i]}: ours 0x${a[i]!.toString(16)}, alawmulaw 0x${b[i]!.toString(16)})`;
        encodeDiff++;
      }
    }
    const da = dec(allCodes);
    const db = peer.decode(allCodes);
    let decodeDiff = 0;
    for (let i = 0; i < 256; i++) if (da[i] !== db[i]) decodeDiff++;
    notes.push(
      `${law}: alawmulaw ${PEER_VERSIONS.alawmulaw} encodes ${encodeDiff} of 65536 inputs differently from @x/audio${firstDiff} and decodes ${decodeDiff} of 256 codes differently`,
    );
  }
  notes.push(
    `G.711 timing: ${G711_ROUNDS} interleaved rounds per row after 3 warm-up runs, each round running @x/audio, alawmulaw (and the floor) once in rotating order; process CPU time (user + system), medians, with minimums and wall-clock medians alongside`,
    'G.711 bulk floor: allocating the output and writing each element once (`new Uint8Array(n).fill(1)` / `new Int16Array(n).fill(1)`), which every allocating implementation pays. It swings between runs: ~0.15/0.3 ms when the allocator hands back memory freed by an earlier GC, ~1.1/2 ms when it maps fresh pages (first-touch page faults, ~1.5 µs per 4 KiB page on this VM); in that state @x/audio spends more time in page faults than in coding, and the bulk ratios drop to ~3.5×',
    'G.711 frames: @x/audio returns outputs up to 4 KiB as views into a shared 64 KiB slab (like the Buffer pool of Node); alawmulaw allocates a new typed array per call (~170 ns each for off-heap typed arrays)',
    "G.711 and V8: once any ArrayBuffer in a process has been detached (here libsamplerate-js's WebAssembly memory grows when it loads; transfers to workers do the same), V8 checks every typed-array access for detachment; this makes @x/audio's table lookups ~1.4x slower and alawmulaw's arithmetic ~1.05-1.15x slower, so these ratios are lower than in a process where nothing was ever detached",
  );
  const table: BenchTable = {
    title: `G.711 on ${n.toLocaleString('en-US')} samples (median CPU ms of ${G711_ROUNDS} interleaved rounds; Msamples/s)`,
    columns: [
      'law',
      'operation',
      'mode',
      '@x/audio ms',
      `alawmulaw ms`,
      '@x/audio Msamples/s',
      'alawmulaw Msamples/s',
      'ours / peer',
      'ours / peer (minimums)',
      'ours / peer (wall medians)',
      'floor ms (alloc + fill)',
      'peer / floor',
    ],
    rows: rows.map((r) => [
      r.law,
      r.op,
      r.mode,
      fixed(r.ours, 2),
      fixed(r.peer, 2),
      fixed(n / r.ours / 1000, 0),
      fixed(n / r.peer / 1000, 0),
      ratioText(r.peer / r.ours),
      ratioText(r.peerMin / r.oursMin),
      ratioText(r.peerWall / r.oursWall),
      r.floor === undefined ? '' : fixed(r.floor, 2),
      r.floor === undefined ? '' : ratioText(r.peer / r.floor),
    ]),
  };
  const ratios = rows.map((r) => ({
    name: `G.711 ${r.law} ${r.op}, ${G711_MODES[r.mode]}: @x/audio vs alawmulaw`,
    ratio: r.peer / r.ours,
    ...(r.mode === 'kernel' ? {} : { target: G711_TARGET, met: r.peer / r.ours >= G711_TARGET }),
    ...(r.floor === undefined
      ? {}
      : {
          note: `allocating and filling the output alone takes ${fixed(r.floor, 2)} ms, which caps this ratio at ${ratioText(r.peer / r.floor)} for any implementation`,
        }),
  }));
  return { rows, table, ratios, notes };
}

export async function runAudioBench(): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const resampler = await resamplerBench();
  const g711 = g711Bench();
  return {
    suite: 'audio',
    title: '@x/audio vs libsamplerate-js, wave-resampler, alawmulaw',
    startedAt,
    durationMs: performance.now() - t0,
    environment: environment(),
    tables: [...resampler.tables, g711.table],
    ratios: [...resampler.ratios, ...g711.ratios],
    notes: [
      `peers: @alexanderolsen/libsamplerate-js ${PEER_VERSIONS.libsamplerate} (libsamplerate in WebAssembly), wave-resampler ${PEER_VERSIONS.waveResampler}, alawmulaw ${PEER_VERSIONS.alawmulaw}`,
      'ours is timed on its real API (Int16Array in → Int16Array out, including conversion, rounding and the flushed tail); peers are timed on Float32Array input converted beforehand (not charged to them)',
      'rejection = worst-case attenuation of aliases (down) or images (up) for tones at 1.05–1.9 × the lower Nyquist, float in/out for every implementation (see measureRejection in bench/src/audio.ts)',
      "@x/audio 'voice' (the default for STT and realtime input) lets tones at 1.0–1.2 × the lower Nyquist alias into the top 20 % of the band, above its passband; its rejection is measured from 1.25 × (the tones that would land in the passband). It is not compared with a peer: none of them has that design",
      ...g711.notes,
    ],
    data: { resampler: resampler.rows, g711: g711.rows, signalSeconds: SIGNAL_SECONDS },
  };
}
