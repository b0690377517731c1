import { type FunctionCall, parseToolArguments } from '@x/core';

/** One `delta.tool_calls[]` entry of a streamed chunk. */
export interface ToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface Pending {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Collects streamed tool calls by `index`: the id and name arrive once, the arguments may come
 * whole in one chunk (as xAI sends them) or in pieces (as OpenAI does).
 */
export class ToolCallAccumulator {
  readonly #calls = new Map<number, Pending>();
  #fallbackIds = 0;

  get size(): number {
    return this.#calls.size;
  }

  add(deltas: readonly ToolCallDelta[]): void {
    deltas.forEach((delta, position) => {
      const index = typeof delta.index === 'number' ? delta.index : position;
      let call = this.#calls.get(index);
      if (!call) {
        call = { id: '', name: '', arguments: '' };
        this.#calls.set(index, call);
      }
      if (delta.id && !call.id) call.id = delta.id;
      const name = delta.function?.name;
      if (name && !call.name) call.name = name;
      const args = delta.function?.arguments;
      if (args) call.arguments += args;
    });
  }

  /** The complete calls in index order, with parsed arguments; clears the accumulator. */
  drain(): FunctionCall[] {
    const calls = [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    this.#calls.clear();
    return calls.map((call) => {
      const parsed = parseToolArguments(call.arguments);
      const result: FunctionCall = {
        callId: call.id || `call_local_${++this.#fallbackIds}`,
        name: call.name,
        arguments: parsed.ok ? parsed.value : undefined,
        rawArguments: call.arguments,
      };
      if (!parsed.ok) result.error = parsed.error;
      else if (!call.name) result.error = 'the tool call has no function name';
      return result;
    });
  }
}
