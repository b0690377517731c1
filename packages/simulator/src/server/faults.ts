import type { Endpoint, Fault } from './types.js';

const HANDSHAKE_STATUSES = [400, 401, 403, 429, 500, 503] as const;
const KINDS = ['handshake', 'drop', 'malformed', 'unknown_event', 'delay', 'stall', 'huge'] as const;

export class FaultError extends Error {
  override readonly name = 'FaultError';
}

function nonNegative(fault: Record<string, unknown>, key: string, required: boolean): void {
  const value = fault[key];
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FaultError(
      `Fault "${String(fault.kind)}": ${key} must be a non-negative number, got ${JSON.stringify(value)}`,
    );
  }
}

/** Checks that `value` is a `Fault`; throws a `FaultError` naming what is wrong. */
export function validateFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultError(`A fault must be an object with a "kind" (${KINDS.join(', ')})`);
  }
  const fault = value as Record<string, unknown>;
  switch (fault.kind) {
    case 'handshake':
      if (!HANDSHAKE_STATUSES.includes(fault.status as (typeof HANDSHAKE_STATUSES)[number])) {
        throw new FaultError(
          `Fault "handshake": status must be one of ${HANDSHAKE_STATUSES.join(', ')}, got ${JSON.stringify(fault.status)}`,
        );
      }
      nonNegative(fault, 'retryAfterS', false);
      break;
    case 'drop':
      nonNegative(fault, 'afterMessages', false);
      nonNegative(fault, 'afterMs', false);
      break;
    case 'malformed':
    case 'unknown_event':
      nonNegative(fault, 'afterMessages', false);
      break;
    case 'delay':
      nonNegative(fault, 'ms', true);
      break;
    case 'stall':
      nonNegative(fault, 'ms', true);
      nonNegative(fault, 'afterMessages', false);
      break;
    case 'huge':
      nonNegative(fault, 'bytes', true);
      nonNegative(fault, 'afterMessages', false);
      break;
    default:
      throw new FaultError(
        `Unknown fault kind ${JSON.stringify(fault.kind)}; expected one of ${KINDS.join(', ')}`,
      );
  }
  return fault as Fault;
}

/** Parses the `sim_fault` query flag: one URL-decoded JSON Fault, or a JSON array of them. */
export function parseFaultFlag(raw: string | null): Fault[] {
  if (raw === null || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new FaultError(`sim_fault must be URL-encoded JSON (a Fault or an array of Faults), got ${raw}`);
  }
  return Array.isArray(parsed) ? parsed.map(validateFault) : [validateFault(parsed)];
}

interface InjectedFault {
  fault: Fault;
  remaining: number;
}

/** Faults injected with `injectFault`: each applies to the next `times` connections/requests of its endpoint. */
export class FaultRegistry {
  private readonly pending = new Map<Endpoint, InjectedFault[]>();

  inject(endpoint: Endpoint, fault: Fault, times = 1): void {
    if (!['chat', 'stt', 'tts', 'realtime'].includes(endpoint)) {
      throw new FaultError(
        `injectFault: endpoint must be one of chat, stt, tts, realtime, got ${String(endpoint)}`,
      );
    }
    if (!Number.isInteger(times) || times < 1) {
      throw new FaultError(`injectFault: times must be a positive integer, got ${String(times)}`);
    }
    const list = this.pending.get(endpoint) ?? [];
    list.push({ fault: validateFault(fault), remaining: times });
    this.pending.set(endpoint, list);
  }

  /** Takes the faults for one new connection/request of `endpoint` (all currently injected ones). */
  take(endpoint: Endpoint): Fault[] {
    const list = this.pending.get(endpoint);
    if (!list) return [];
    const faults = list.map((entry) => entry.fault);
    for (const entry of list) entry.remaining -= 1;
    const left = list.filter((entry) => entry.remaining > 0);
    if (left.length > 0) this.pending.set(endpoint, left);
    else this.pending.delete(endpoint);
    return faults;
  }

  clear(): void {
    this.pending.clear();
  }
}

export function handshakeFault(faults: readonly Fault[]): Extract<Fault, { kind: 'handshake' }> | undefined {
  return faults.find((f): f is Extract<Fault, { kind: 'handshake' }> => f.kind === 'handshake');
}

export function handshakeHeaders(fault: Extract<Fault, { kind: 'handshake' }>): Record<string, string> {
  return fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {};
}
