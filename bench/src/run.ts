/**
 * Runs benchmark suites and records their results.
 *
 *   pnpm bench            # every suite
 *   pnpm bench audio      # only the named suite(s)
 *
 * Each suite's result replaces that suite's entry in bench/results/latest.json (other suites'
 * entries are kept), and bench/results/latest.md is rewritten from the merged results.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAudioBench } from './audio.js';
import { markdownReport, printSuite } from './report.js';
import { runInChild } from './support/run-in-child.js';
import type { BenchSuite, SuiteResult } from './types.js';
import { installWsRedirect } from './ws-redirect/register.js';

/** Add new suites here. */
export const SUITES: readonly BenchSuite[] = [
  {
    name: 'audio',
    description: '@x/audio resampler and G.711 vs libsamplerate-js, wave-resampler, alawmulaw',
    run: runAudioBench,
  },
  // The suites below load their clients lazily (dynamic import), after the `ws` redirect for
  // LiveKit's plugin is registered (ws-redirect/register.ts): a static import would resolve `ws`
  // before the hook exists.
  {
    name: 'tts',
    description: '@x/tts XAITTS vs LiveKit xai.TTS: CPU per audio second, first frame, samples, prewarm',
    run: async () => {
      installWsRedirect();
      return (await import('./tts.js')).runTTSBench();
    },
  },
  {
    name: 'stt',
    description: '@x/stt XAISTT vs LiveKit xai.STT: CPU per audio second, bytes lost at the end, hangs',
    run: async () => {
      installWsRedirect();
      return (await import('./stt.js')).runSTTBench();
    },
  },
  {
    name: 'llm',
    description: '@x/llm XAILLM vs AI SDK streamText vs plain fetch: TTFT overhead, CPU per request',
    // In a fresh process: the peers' CPU per request depends on the heap earlier suites leave.
    run: () => runInChild<SuiteResult>(new URL('./llm.ts', import.meta.url), 'runLLMBench', 10 * 60_000),
  },
  {
    name: 'realtime',
    description: '@x/realtime XAIRealtime: per-frame input overhead vs the Python reference way, barge-in',
    run: async () => {
      installWsRedirect();
      return (await import('./realtime.js')).runRealtimeBench();
    },
  },
  {
    name: 'concurrency',
    description: '@x/realtime: how many real-time sessions one process holds (loop lag, late frames, memory)',
    run: async () => (await import('./concurrency.js')).runConcurrencyBench(),
  },
];

interface LatestFile {
  generatedAt: string;
  suites: Record<string, SuiteResult>;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

function readLatest(path: string): LatestFile {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LatestFile>;
    if (parsed && typeof parsed.suites === 'object' && parsed.suites !== null) {
      return { generatedAt: String(parsed.generatedAt ?? ''), suites: parsed.suites };
    }
  } catch {
    // no previous results, or unreadable: start fresh
  }
  return { generatedAt: '', suites: {} };
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function main(argv: readonly string[]): Promise<number> {
  const wanted = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: pnpm bench [suite ...]\n\nsuites:');
    for (const s of SUITES) console.log(`  ${s.name.padEnd(10)} ${s.description}`);
    return 0;
  }
  const unknown = wanted.filter((name) => !SUITES.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown suite(s): ${unknown.join(', ')}; available: ${SUITES.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const selected = wanted.length === 0 ? SUITES : SUITES.filter((s) => wanted.includes(s.name));
  mkdirSync(resultsDir, { recursive: true });
  const latestPath = join(resultsDir, 'latest.json');
  const latest = readLatest(latestPath);
  for (const suite of selected) {
    console.log(`running ${suite.name}: ${suite.description}`);
    const result = await suite.run();
    printSuite(result);
    latest.suites[suite.name] = result;
  }
  latest.generatedAt = new Date().toISOString();
  writeAtomic(latestPath, `${JSON.stringify(latest, null, 2)}\n`);
  const ordered = Object.keys(latest.suites)
    .sort()
    .map((name) => latest.suites[name]!);
  writeAtomic(join(resultsDir, 'latest.md'), markdownReport(ordered, latest.generatedAt));
  console.log(`\nwrote ${latestPath} and latest.md`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // A peer client may leave a socket or timer behind (LiveKit's STT after a hang, for one):
    // say so, and end the run anyway.
    const open = process
      .getActiveResourcesInfo()
      .filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'FSReqCallback');
    if (open.length > 0) console.log(`(ending with resources still open: ${open.join(', ')})`);
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
