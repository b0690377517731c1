import type { ClientKind } from './episodes.js';
import { FAULT_KINDS, type FaultKind } from './random-faults.js';

export interface OutcomeCounts {
  /** No fault injected, everything exact. */
  clean: number;
  /** A fault injected, everything exact anyway. */
  recovered: number;
  /** Ended in exactly one typed error. */
  typed_error: number;
  /** Realtime: a reply lost to a dropped socket, session recovered. */
  degraded: number;
}

export interface SoakStats {
  sessions: Record<ClientKind, number>;
  episodes: Record<ClientKind, number>;
  outcomes: Record<ClientKind, OutcomeCounts>;
  /** Faults injected (one per faulted episode). */
  injected: Record<FaultKind, number>;
  /** Connections/requests a fault applied to (a refused handshake on every retry counts each time). */
  applied: Record<FaultKind, number>;
  typedErrors: Record<string, number>;
  reconnects: number;
  retries: number;
  realtimeSamplesLost: number;
  /** Why realtime turns went unanswered (first few). */
  degradedReasons: string[];
  /** Crashes and broken invariants: must stay empty. */
  violations: string[];
}

const CLIENTS: ClientKind[] = ['realtime', 'stt', 'tts', 'llm'];
const perClient = <T>(make: () => T) =>
  Object.fromEntries(CLIENTS.map((c) => [c, make()])) as Record<ClientKind, T>;
const perFault = () => Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

export function emptyStats(): SoakStats {
  return {
    sessions: perClient(() => 0),
    episodes: perClient(() => 0),
    outcomes: perClient(() => ({ clean: 0, recovered: 0, typed_error: 0, degraded: 0 })),
    injected: perFault(),
    applied: perFault(),
    typedErrors: {},
    reconnects: 0,
    retries: 0,
    realtimeSamplesLost: 0,
    degradedReasons: [],
    violations: [],
  };
}

export function formatStats(stats: SoakStats, seconds: number, wallMs: number): string {
  const lines = [
    `soak: ${Object.values(stats.sessions).reduce((a, b) => a + b, 0)} sessions × ${seconds} s (wall ${(wallMs / 1000).toFixed(1)} s)`,
    `  sessions  ${CLIENTS.map((c) => `${c} ${stats.sessions[c]}`).join(', ')}`,
    `  episodes  ${CLIENTS.map((c) => `${c} ${stats.episodes[c]}`).join(', ')}`,
  ];
  for (const c of CLIENTS) {
    const o = stats.outcomes[c];
    lines.push(
      `  ${c.padEnd(8)}  clean ${o.clean}, recovered ${o.recovered}, typed error ${o.typed_error}, degraded ${o.degraded}`,
    );
  }
  lines.push(`  faults injected  ${FAULT_KINDS.map((k) => `${k} ${stats.injected[k]}`).join(', ')}`);
  lines.push(`  faults applied   ${FAULT_KINDS.map((k) => `${k} ${stats.applied[k]}`).join(', ')}`);
  lines.push(
    `  typed errors     ${
      Object.entries(stats.typedErrors)
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(
    `  reconnects ${stats.reconnects}, LLM retries ${stats.retries}, realtime input samples lost ${stats.realtimeSamplesLost}`,
  );
  for (const reason of stats.degradedReasons.slice(0, 5)) lines.push(`  degraded: ${reason}`);
  lines.push(`  crashes/violations ${stats.violations.length}`);
  for (const v of stats.violations) lines.push(`    ${v}`);
  return lines.join('\n');
}
