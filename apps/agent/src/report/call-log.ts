import type { AgentSession, AgentState, TurnMetrics } from '@x/core';
import type { LatencyRow } from './latency-table.js';

export type CallEntry =
  | { kind: 'user'; atMs: number; text: string; typed?: boolean }
  | {
      kind: 'agent';
      atMs: number;
      text: string;
      interrupted: boolean;
      speechId: string;
      /** When interrupted: the longest text the reply had reached before the cut, if longer. */
      planned?: string;
    }
  | { kind: 'tool'; atMs: number; name: string; arguments: string; output: string; isError: boolean }
  | { kind: 'error'; atMs: number; source: string; message: string };

export interface CallLogOptions {
  /** Where lines are printed as they happen (default: nowhere). */
  print?: (line: string) => void;
  /** Time origin (`performance.now()` scale); default: now. */
  startedAt?: number;
}

/** The label of a turn that answered no user line (the greeting). */
export const GREETING_LABEL = '(call start)';

/**
 * Follows an `AgentSession`: keeps every final transcript, tool call and turn record in order and
 * prints them as they happen (`[  2.4s] user  › …`).
 */
export class CallLog {
  readonly entries: CallEntry[] = [];
  readonly turns: LatencyRow[] = [];
  readonly #print: (line: string) => void;
  readonly #startedAt: number;
  /** What the agent is answering, per speech id (the user's words or the call start). */
  readonly #labels = new Map<string, string>();
  readonly #pendingLabels: string[] = [];
  #lastUserText: string | undefined;
  #agentState: AgentState = 'listening';
  #failure: Error | undefined;
  /** The longest interim text of each reply in progress. */
  readonly #interim = new Map<string, string>();

  constructor(session: AgentSession, options: CallLogOptions = {}) {
    this.#print = options.print ?? (() => {});
    this.#startedAt = options.startedAt ?? performance.now();
    session.on('user_transcript', (event) => {
      if (!event.final || event.text.trim() === '') return;
      this.#lastUserText = event.text;
      this.#add({ kind: 'user', atMs: this.#now(), text: event.text });
    });
    session.on('agent_transcript', (event) => {
      if (!event.final) {
        if (event.text.length > (this.#interim.get(event.speechId)?.length ?? 0)) {
          this.#interim.set(event.speechId, event.text);
        }
        return;
      }
      const planned = this.#interim.get(event.speechId)?.trim();
      this.#interim.delete(event.speechId);
      // A reply that failed or was cut before a word was heard said nothing.
      if (event.text.trim() === '') return;
      this.#add({
        kind: 'agent',
        atMs: this.#now(),
        text: event.text,
        interrupted: event.interrupted,
        speechId: event.speechId,
        ...(event.interrupted && planned && planned.length > event.text.trim().length ? { planned } : {}),
      });
    });
    session.on('function_executed', (event) => {
      this.#add({
        kind: 'tool',
        atMs: this.#now(),
        name: event.name,
        arguments: event.arguments,
        output: event.output,
        isError: event.isError,
      });
    });
    session.on('speech_created', (handle) => {
      void handle.done().then((result) => {
        if (result.error) this.#failure ??= result.error;
      });
      const label = this.#lastUserText ?? GREETING_LABEL;
      this.#lastUserText = undefined;
      this.#labels.set(handle.id, label);
      this.#pendingLabels.push(label);
    });
    session.on('agent_state_changed', ({ newState }) => {
      this.#agentState = newState;
    });
    session.on('metrics', (metrics) => this.#addTurn(metrics));
    session.on('error', (event) => {
      if (!event.recoverable) this.#failure ??= event.error;
      this.#add({ kind: 'error', atMs: this.#now(), source: event.source, message: event.error.message });
    });
  }

  /** Records a line the user typed (`generateReply({ userInput })`); call it just before. */
  typed(text: string): void {
    this.#lastUserText = text;
    this.#add({ kind: 'user', atMs: this.#now(), text, typed: true });
  }

  /** The first error that ended a speech or stopped a component for good, if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** What the agent is doing now. */
  get agentState(): AgentState {
    return this.#agentState;
  }

  get userLines(): string[] {
    return this.entries.flatMap((e) => (e.kind === 'user' ? [e.text] : []));
  }
  get agentLines(): Array<{ text: string; interrupted: boolean }> {
    return this.entries.flatMap((e) =>
      e.kind === 'agent' ? [{ text: e.text, interrupted: e.interrupted }] : [],
    );
  }
  get toolCalls(): Array<Extract<CallEntry, { kind: 'tool' }>> {
    return this.entries.filter((e): e is Extract<CallEntry, { kind: 'tool' }> => e.kind === 'tool');
  }

  #now(): number {
    return performance.now() - this.#startedAt;
  }

  #addTurn(metrics: TurnMetrics): void {
    let label = this.#labels.get(metrics.turnId);
    if (label !== undefined) {
      this.#labels.delete(metrics.turnId);
      const index = this.#pendingLabels.indexOf(label);
      if (index >= 0) this.#pendingLabels.splice(index, 1);
    } else {
      label = this.#pendingLabels.shift() ?? this.#lastUserText ?? GREETING_LABEL;
    }
    this.turns.push({ turn: this.turns.length + 1, label, metrics });
  }

  #add(entry: CallEntry): void {
    this.entries.push(entry);
    this.#print(formatEntry(entry));
  }
}

/** One printed transcript line. */
export function formatEntry(entry: CallEntry): string {
  const at = `[${(entry.atMs / 1000).toFixed(1).padStart(5)}s]`;
  switch (entry.kind) {
    case 'user':
      return `${at} user  › ${entry.text}${entry.typed ? '  (typed)' : ''}`;
    case 'agent':
      if (!entry.interrupted) return `${at} agent ‹ ${entry.text}`;
      return (
        `${at} agent ‹ ${entry.text}  [interrupted: the caller heard only this much` +
        `${entry.planned ? ` of "${entry.planned}"` : ''}]`
      );
    case 'tool':
      return `${at} tool  · ${entry.name}(${entry.arguments}) → ${entry.output}${entry.isError ? ' (error)' : ''}`;
    case 'error':
      return `${at} error · ${entry.source}: ${entry.message}`;
  }
}
