import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Installed versions (read from bench/node_modules/<name>/package.json), for the results file. */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      const pkg = JSON.parse(readFileSync(`${BENCH_DIR}node_modules/${name}/package.json`, 'utf8')) as {
        version?: string;
      };
      out[name] = pkg.version ?? 'unknown';
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

export function versionNote(versions: Record<string, string>): string {
  return `versions: ${Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}`;
}

/** The machine's load when a suite starts: other work on a shared machine skews timings. */
export function loadNote(): string {
  return `load average at start (1/5/15 min): ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')} on ${os.cpus().length} cores`;
}
