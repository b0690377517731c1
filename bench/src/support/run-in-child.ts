import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './stats.js';

/**
 * Calls `exportName()` of the module at `moduleUrl` in a fresh Node process and resolves with what
 * it returns (sent back over IPC), so the figures do not depend on what earlier suites left in this
 * one: a client's garbage collection costs more in a larger heap, and not by the same factor for
 * every client (the AI SDK's CPU per request measured 3.8 ms after the audio, TTS and STT suites
 * and 2.1–2.3 ms alone, XAILLM's 0.85 and 0.74 ms).
 */
export function runInChild<T>(
  moduleUrl: URL,
  exportName: string,
  boundMs: number,
  execArgv: readonly string[] = [],
): Promise<T> {
  const child = fork(
    fileURLToPath(new URL('./child-entry.ts', import.meta.url)),
    [moduleUrl.href, exportName],
    {
      execArgv: ['--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return within(
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${exportName} child exited (code ${code})`)));
    }),
    boundMs,
    exportName,
  ).finally(() => {
    if (child.exitCode === null) child.kill();
  });
}
