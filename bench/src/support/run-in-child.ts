import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from '../types.js';
import { within } from './stats.js';

/**
 * Runs a suite in a fresh Node process, so its figures do not depend on what earlier suites left
 * in this one: a client's garbage collection costs more in a larger heap, and not by the same
 * factor for every client (the AI SDK's CPU per request measured 3.8 ms after the audio, TTS and
 * STT suites and 2.1–2.3 ms alone, XAILLM's 0.85 and 0.74 ms).
 */
export function runSuiteInChild(moduleUrl: URL, exportName: string, boundMs: number): Promise<SuiteResult> {
  const child = fork(
    fileURLToPath(new URL('./suite-child.ts', import.meta.url)),
    [moduleUrl.href, exportName],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return within(
    new Promise<SuiteResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as SuiteResult));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${exportName} child exited (code ${code})`)));
    }),
    boundMs,
    exportName,
  ).finally(() => {
    if (child.exitCode === null) child.kill();
  });
}
