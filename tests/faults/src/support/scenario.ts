import { type Simulator, type SimulatorOptions, startSimulator } from '@x/simulator';
import { bounded, until } from './util.js';
import type { FileWatch } from './watch.js';

export interface Closable {
  close(): Promise<unknown> | unknown;
}

export interface Scenario {
  readonly sim: Simulator;
  /** Registers a client (or output) to close at the end of the test, before the simulator checks. */
  track<T extends Closable>(closable: T): T;
}

/** Connections (WebSocket) the simulator still holds open, and chat streams it is still writing. */
export function openOnSimulator(sim: Simulator): { sockets: string[]; chatStreams: number } {
  return {
    sockets: sim.log.connections.filter((c) => c.closedAt === undefined).map((c) => `${c.id} ${c.url}`),
    chatStreams: sim.openChatStreams,
  };
}

/** Waits (bounded) until the clients have released every connection of the simulator. */
export async function expectSimulatorIdle(sim: Simulator, timeoutMs = 4000): Promise<void> {
  try {
    await until(
      () => {
        const open = openOnSimulator(sim);
        return open.sockets.length === 0 && open.chatStreams === 0;
      },
      timeoutMs,
      'the simulator to have no open connection',
    );
  } catch {
    const open = openOnSimulator(sim);
    throw new Error(
      `the clients left connections open on the simulator: ${open.sockets.length} socket(s) [${open.sockets.join(', ')}], ${open.chatStreams} chat stream(s)`,
    );
  }
}

/**
 * Runs one test against its own simulator: closes every tracked client, then checks that the
 * simulator has no open connection left (the clients released everything themselves), scans the
 * simulator's log for the key, and closes the simulator.
 */
export async function scenario(
  watch: FileWatch,
  options: SimulatorOptions,
  body: (s: Scenario) => Promise<void>,
): Promise<void> {
  const sim = await startSimulator(options);
  const tracked: Closable[] = [];
  let failed = true;
  try {
    await body({
      sim,
      track: (closable) => {
        tracked.push(closable);
        return closable;
      },
    });
    failed = false;
  } finally {
    try {
      for (const closable of tracked.reverse()) {
        await bounded(Promise.resolve(closable.close()), 5000, 'closing a client');
      }
      if (!failed) {
        await expectSimulatorIdle(sim);
        watch.record(sim.log.connections, sim.log.chatRequests);
        watch.assertClean();
      }
    } finally {
      await sim.close();
    }
  }
}
