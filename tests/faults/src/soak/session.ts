import type { Endpoint } from '@x/simulator';
import { startSimulator } from '@x/simulator';
import { expectSimulatorIdle } from '../support/scenario.js';
import { bounded, prng, sleep } from '../support/util.js';
import type { FileWatch } from '../support/watch.js';
import { type ClientKind, runEpisode } from './episodes.js';
import { errorLabel, SoakViolation } from './outcome.js';
import { randomFault } from './random-faults.js';
import type { SoakStats } from './stats.js';

const ENDPOINT: Record<ClientKind, Endpoint> = { realtime: 'realtime', stt: 'stt', tts: 'tts', llm: 'chat' };
/** Probability that an episode starts with a fault injected for its next connection/request. */
const FAULT_PROBABILITY = 0.7;
/** Longest an episode may take (connect retries, a 5 s stall, two turns): longer is a hang. */
const EPISODE_BOUND_MS = 45_000;

export interface SessionOptions {
  index: number;
  kind: ClientKind;
  seed: number;
  /** No new episode starts after this (performance.now() time). */
  deadline: number;
  stats: SoakStats;
  watch: FileWatch;
}

/**
 * One soak session: its own simulator, and episodes (a client created, used, closed) back to back
 * until the deadline, each preceded (with a seeded PRNG) by a random fault. After every episode the
 * simulator must hold no connection of the closed client.
 */
export async function runSession(options: SessionOptions): Promise<void> {
  const { kind, stats, watch } = options;
  const random = prng(options.seed + options.index * 7919);
  const sim = await startSimulator();
  const endpoint = ENDPOINT[kind];
  const where = `session ${options.index} (${kind})`;
  stats.sessions[kind]++;
  try {
    // Stagger the starts so 50 clients do not all connect in the same millisecond.
    await sleep(random() * 1000);
    for (let episode = 0; performance.now() < options.deadline; episode++) {
      const faults: string[] = [];
      if (random() < FAULT_PROBABILITY) {
        const planned = randomFault(random, endpoint);
        sim.injectFault(endpoint, planned.fault, { times: planned.times });
        faults.push(planned.fault.kind);
        stats.injected[planned.fault.kind]++;
      }
      stats.episodes[kind]++;
      try {
        const outcome = await bounded(
          runEpisode(kind, {
            sim,
            random,
            watch,
            faults,
            lostRealtimeSamples: (n) => {
              stats.realtimeSamplesLost += n;
            },
          }),
          EPISODE_BOUND_MS,
          `${where} episode ${episode}`,
        );
        stats.reconnects += outcome.reconnects;
        stats.retries += outcome.retries;
        if (outcome.kind === 'typed_error') {
          const label = `${kind} ${errorLabel(outcome.error)}`;
          stats.typedErrors[label] = (stats.typedErrors[label] ?? 0) + 1;
          stats.outcomes[kind].typed_error++;
        } else if (outcome.kind === 'degraded') {
          stats.outcomes[kind].degraded++;
          stats.degradedReasons.push(outcome.reason);
        } else if (faults.length > 0) {
          stats.outcomes[kind].recovered++;
        } else {
          stats.outcomes[kind].clean++;
        }
      } catch (error) {
        const what = error instanceof SoakViolation ? 'violation' : 'crash';
        stats.violations.push(
          `${where} episode ${episode} [faults: ${faults.join(', ') || 'none'}] ${what}: ${error instanceof Error ? error.message : String(error)}`,
        );
        watch.record(error);
      }
      sim.clearFaults();
      for (const record of sim.log.connections) {
        for (const fault of record.faults) stats.applied[fault.kind]++;
        watch.record({ url: record.url, headers: record.headers });
      }
      for (const record of sim.log.chatRequests) {
        for (const fault of record.faults) stats.applied[fault.kind]++;
        watch.record({ headers: record.headers });
      }
      try {
        await expectSimulatorIdle(sim);
      } catch (error) {
        stats.violations.push(`${where} episode ${episode} leak: ${(error as Error).message}`);
      }
      sim.log.clear();
      await sleep(random() * 300);
    }
  } finally {
    await sim.close();
  }
}
