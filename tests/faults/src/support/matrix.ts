import type { SimulatorOptions } from '@x/simulator';
import { it } from 'vitest';
import type { Scenario } from './scenario.js';

/** One (client × fault) cell of the matrix. */
export interface Cell {
  /** The fault, as the matrix names it (`socket dropped mid-stream`, `handshake 401`, …). */
  fault: string;
  /** What the client must do: recover, or end in one typed error (which one). */
  outcome: string;
  /**
   * Cells run concurrently (each has its own simulator, so they cannot disturb each other; the
   * 5 s stalls then overlap). `sequential` runs this one alone.
   */
  sequential?: boolean;
  /**
   * `fails`: a client bug or missing behaviour, reported, with the assertion kept as strict as
   * for a passing cell (vitest's `it.fails`: the cell turns red once the client is fixed).
   * `todo`: the client has no way to do it yet (nothing to run).
   */
  status?: 'pass' | 'fails' | 'todo';
  /** For `fails`/`todo`: observed vs expected, for the report. */
  bug?: string;
  /** Per-cell test timeout (default 20 s). */
  timeoutMs?: number;
  simulator?: SimulatorOptions;
  run: (s: Scenario) => Promise<void>;
}

export function cellName(client: string, cell: Cell): string {
  return `${client} × ${cell.fault} → ${cell.outcome}`;
}

/** Registers one named test per cell. */
export function defineMatrix(
  client: string,
  cells: readonly Cell[],
  run: (cell: Cell) => Promise<void>,
): void {
  const names = new Set<string>();
  for (const cell of cells) {
    const name = cellName(client, cell);
    if (names.has(name)) throw new Error(`duplicate matrix cell: ${name}`);
    names.add(name);
    const timeout = cell.timeoutMs ?? 20_000;
    if (cell.status === 'todo') {
      it.todo(`${name} [TODO: ${cell.bug ?? 'not implemented'}]`);
    } else {
      const test = cell.sequential ? it : it.concurrent;
      if (cell.status === 'fails') {
        test.fails(`${name} [KNOWN BUG: ${cell.bug ?? 'see the README'}]`, () => run(cell), timeout);
      } else {
        test(name, () => run(cell), timeout);
      }
    }
  }
}
