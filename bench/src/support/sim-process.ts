/**
 * Starts `@x/simulator` in a child process (see `sim-child.ts`) and talks to it over IPC: the
 * benchmark process then carries only the clients' CPU, while the simulator runs on another core.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConnectionSummary, SimChildOptions } from './sim-child.js';
import { within } from './stats.js';

export type { ConnectionSummary, SimChildOptions } from './sim-child.js';

export interface SimProcess {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly pid: number;
  connections(): Promise<ConnectionSummary[]>;
  clear(): Promise<void>;
  /** CPU time (ms) the simulator process has used so far, and its memory. */
  usage(): Promise<{ cpuMs: number; rssBytes: number; heapUsedBytes: number }>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./sim-child.ts', import.meta.url));

export async function startSimulatorProcess(options: SimChildOptions = {}): Promise<SimProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = new Promise<{ httpUrl: string; wsUrl: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited early (code ${code})`)));
    child.on(
      'message',
      (message: { ready?: boolean; httpUrl: string; wsUrl: string; id?: number; value?: unknown }) => {
        if (message.ready) {
          resolve({ httpUrl: message.httpUrl, wsUrl: message.wsUrl });
          return;
        }
        const done = message.id === undefined ? undefined : pending.get(message.id);
        if (done) {
          pending.delete(message.id!);
          done(message.value);
        }
      },
    );
  });
  const urls = await within(ready, 15_000, 'simulator process start');
  const request = <T>(cmd: string): Promise<T> => {
    const id = nextId++;
    return within(
      new Promise<T>((resolve) => {
        pending.set(id, resolve as (value: unknown) => void);
        child.send({ id, cmd });
      }),
      10_000,
      `simulator ${cmd}`,
    );
  };
  let closed: Promise<void> | undefined;
  return {
    ...urls,
    pid: child.pid ?? -1,
    connections: () => request<ConnectionSummary[]>('connections'),
    clear: async () => {
      await request('clear');
    },
    usage: async () => {
      const u = await request<{ cpu: NodeJS.CpuUsage; memory: NodeJS.MemoryUsage }>('usage');
      return {
        cpuMs: (u.cpu.user + u.cpu.system) / 1000,
        rssBytes: u.memory.rss,
        heapUsedBytes: u.memory.heapUsed,
      };
    },
    close() {
      closed ??= (async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          await request('close');
        } catch {
          // fall through to the kill below
        }
        await within(exited, 5_000, 'simulator process exit').catch(() => child.kill('SIGKILL'));
      })();
      return closed;
    },
  };
}
