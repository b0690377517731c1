import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './stats.js';

const PROBE = fileURLToPath(new URL('./lag-probe.ts', import.meta.url));

export interface LagControl {
  p50: number;
  p99: number;
  max: number;
}

/**
 * Forks an idle process (lag-probe.ts) and resolves once it is ready; calling the returned
 * function starts its window of `windowMs` and resolves with its loop lag (undefined on failure).
 */
export async function startLagControl(windowMs: number): Promise<() => Promise<LagControl | undefined>> {
  const child = fork(PROBE, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await within(
    new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
    }),
    15_000,
    'lag control start',
  );
  return () => {
    const result = new Promise<LagControl>((resolve) =>
      child.once('message', (m) => resolve(m as LagControl)),
    );
    child.send({ windowMs });
    return within(result, windowMs + 10_000, 'lag control').catch(() => {
      child.kill();
      return undefined;
    });
  };
}
