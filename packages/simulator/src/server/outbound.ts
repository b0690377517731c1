import type { Fault } from './types.js';

/** One thing to write to the peer, in order. */
export type Outbound =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'end'; run: () => void };

/** Where an `OutboundQueue` writes. `write` calls `done` once the data is handed to the socket. */
export interface OutboundSink {
  write(item: Exclude<Outbound, { kind: 'end' }>, done: () => void): void;
  /** Destroys the transport abruptly (no close frame, no end of stream). */
  destroy(): void;
  /** Text of the injected messages, in the endpoint's framing. */
  malformed(): string;
  unknownEvent(): string;
  huge(bytes: number): string;
}

type Trigger = { at: number; fire: () => void };

/**
 * Applies a connection's faults to everything it sends, in send order:
 * - `delay`: every message waits `ms` after reaching the head of the queue;
 * - `stall`: after `afterMessages` messages (default 0), nothing is sent for `ms`;
 * - `drop`: after `afterMessages` messages, or `afterMs` after the start, the transport is destroyed;
 * - `malformed` / `unknown_event` / `huge`: one extra message right after `afterMessages` messages.
 * `afterMessages` counts the endpoint's own messages, not injected ones; 0 means "at the start".
 */
export class OutboundQueue {
  private readonly queue: Outbound[] = [];
  private readonly triggers: Trigger[] = [];
  private readonly delayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sent = 0;
  private busy = false;
  private headReadyAt: number | undefined;
  private pausedUntil = 0;
  private started = false;
  private disposed = false;
  private dropped = false;

  constructor(
    faults: readonly Fault[],
    private readonly sink: OutboundSink,
  ) {
    this.delayMs = faults.reduce((sum, f) => (f.kind === 'delay' ? sum + f.ms : sum), 0);
    for (const fault of faults) {
      switch (fault.kind) {
        case 'drop':
          if (fault.afterMs !== undefined) {
            this.timer(fault.afterMs, () => this.drop());
            if (fault.afterMessages !== undefined) this.addTrigger(fault.afterMessages, () => this.drop());
          } else {
            this.addTrigger(fault.afterMessages ?? 0, () => this.drop());
          }
          break;
        case 'stall':
          this.addTrigger(fault.afterMessages ?? 0, () => {
            this.pausedUntil = Math.max(this.pausedUntil, Date.now() + fault.ms);
          });
          break;
        case 'malformed':
          this.addTrigger(fault.afterMessages ?? 0, () => this.inject(this.sink.malformed()));
          break;
        case 'unknown_event':
          this.addTrigger(fault.afterMessages ?? 0, () => this.inject(this.sink.unknownEvent()));
          break;
        case 'huge':
          this.addTrigger(fault.afterMessages ?? 0, () => this.inject(this.sink.huge(fault.bytes)));
          break;
        default:
          break;
      }
    }
  }

  /** Whether the transport was destroyed by a `drop` fault. */
  get wasDropped(): boolean {
    return this.dropped;
  }

  /** Fires the triggers set for 0 messages. Call once the transport is open. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.fireTriggers();
    this.pump();
  }

  push(item: Outbound): void {
    if (this.disposed || this.dropped) return;
    this.queue.push(item);
    this.pump();
  }

  /** Number of messages waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Forgets queued messages (not the ones already handed to the socket). */
  discardPending(predicate: (item: Outbound) => boolean = () => true): void {
    const head = this.queue[0];
    const kept = this.queue.filter((item) => !predicate(item));
    this.queue.length = 0;
    this.queue.push(...kept);
    if (this.queue[0] !== head) this.headReadyAt = undefined;
  }

  /** Stops everything: clears timers and drops whatever is still queued. */
  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private addTrigger(at: number, fire: () => void): void {
    this.triggers.push({ at: Math.floor(at), fire });
  }

  private timer(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private fireTriggers(): void {
    for (const trigger of this.triggers.filter((t) => t.at === this.sent)) {
      if (this.dropped || this.disposed) return;
      trigger.fire();
    }
  }

  private inject(data: string): void {
    if (this.dropped || this.disposed) return;
    this.sink.write({ kind: 'text', data }, () => {});
  }

  private drop(): void {
    if (this.dropped || this.disposed) return;
    this.dropped = true;
    this.queue.length = 0;
    this.sink.destroy();
    this.dispose();
  }

  private pump(): void {
    if (!this.started || this.busy || this.disposed || this.dropped) return;
    const head = this.queue[0];
    if (!head) return;
    const now = Date.now();
    if (this.headReadyAt === undefined) this.headReadyAt = now + this.delayMs;
    const readyAt = Math.max(this.headReadyAt, this.pausedUntil);
    if (readyAt > now) {
      this.busy = true;
      this.timer(readyAt - now, () => {
        this.busy = false;
        this.pump();
      });
      return;
    }
    this.queue.shift();
    this.headReadyAt = undefined;
    if (head.kind === 'end') {
      head.run();
      this.pump();
      return;
    }
    this.busy = true;
    this.sink.write(head, () => {
      this.busy = false;
      if (this.disposed) return;
      this.sent += 1;
      this.fireTriggers();
      this.pump();
    });
  }
}
