import type { Endpoint, Fault } from '@x/simulator';

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'handshake',
  'drop',
  'malformed',
  'unknown_event',
  'delay',
  'stall',
  'huge',
];

/** A fault picked by the PRNG, and how many connections/requests it applies to. */
export interface PlannedFault {
  fault: Fault;
  times: number;
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const int = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/**
 * A random fault for one endpoint. Message counts are sized to the endpoint's traffic so that a
 * fault usually lands inside the exchange; stalls go up to 5 s (some beyond the clients' timeouts,
 * some within); huge messages are mostly 64 KB–1 MB, sometimes 10 MB.
 */
export function randomFault(random: () => number, endpoint: Endpoint): PlannedFault {
  const kind = pick(random, FAULT_KINDS);
  const maxMessages = endpoint === 'realtime' ? 24 : endpoint === 'chat' ? 8 : 6;
  const afterMessages = int(random, 0, maxMessages);
  switch (kind) {
    case 'handshake': {
      const status = pick(random, [401, 429, 500, 503] as const);
      // One in five refuses every retry too, so the client must give up with a typed error.
      const times = random() < 0.2 ? 4 : 1;
      return status === 429
        ? { fault: { kind, status, retryAfterS: int(random, 0, 4) / 10 }, times }
        : { fault: { kind, status }, times };
    }
    case 'drop':
      return { fault: { kind, afterMessages }, times: 1 };
    case 'malformed':
    case 'unknown_event':
      return { fault: { kind, afterMessages }, times: 1 };
    case 'delay':
      return { fault: { kind, ms: int(random, 5, 60) }, times: 1 };
    case 'stall':
      return { fault: { kind, ms: int(random, 500, 5000), afterMessages }, times: 1 };
    case 'huge': {
      const roll = random();
      const bytes = roll < 0.1 ? 10 * 1024 * 1024 : roll < 0.5 ? 1024 * 1024 : 64 * 1024;
      return { fault: { kind, bytes, afterMessages }, times: 1 };
    }
  }
}
