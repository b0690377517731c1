import type { TurnMetrics } from '@x/core';

/** One agent turn as the table shows it. */
export interface LatencyRow {
  /** 1-based turn number within the run. */
  turn: number;
  /** What the agent was answering (the user's line, or a label such as "greeting"). */
  label: string;
  metrics: TurnMetrics;
  /**
   * Measured outside the session: from the caller's last sample of speech to the agent's first
   * sample at the output (null when the turn did not answer a spoken line).
   */
  callerWaitedMs?: number | null;
}

const COLUMNS = [
  { title: 'turn', align: 'right' },
  { title: 'answering', align: 'left' },
  { title: 'STT latency', align: 'right' },
  { title: 'LLM TTFT', align: 'right' },
  { title: 'TTS TTFB', align: 'right' },
  { title: 'end of speech → first audio', align: 'right' },
  { title: 'caller waited', align: 'right' },
  { title: 'interrupted', align: 'left' },
] as const;

const MAX_LABEL = 34;

/** `123 ms`, or `—` when the value does not apply (e.g. TTS TTFB in realtime mode). */
export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${Math.round(value)} ms`;
}

function shorten(text: string): string {
  return text.length <= MAX_LABEL ? text : `${text.slice(0, MAX_LABEL - 1)}…`;
}

/** What the columns mean, printed under the table. */
export const LATENCY_LEGEND =
  'end of speech → first audio: as the session measures it; caller waited: from the last sample the ' +
  "caller spoke to the agent's first sample at the output, measured outside the session.";

/** The per-turn latency table as lines of text (a header, a rule, one line per turn). */
export function formatLatencyTable(rows: readonly LatencyRow[]): string[] {
  const cells = rows.map((row) => [
    String(row.turn),
    shorten(row.label),
    formatMs(row.metrics.sttLatencyMs),
    formatMs(row.metrics.llmTtftMs),
    formatMs(row.metrics.ttsTtfbMs),
    formatMs(row.metrics.endOfSpeechToFirstAudioMs),
    formatMs(row.callerWaitedMs),
    row.metrics.interrupted ? 'yes' : 'no',
  ]);
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.title.length, ...cells.map((line) => line[i]!.length)),
  );
  const render = (values: readonly string[]): string =>
    values
      .map((value, i) =>
        COLUMNS[i]!.align === 'right' ? value.padStart(widths[i]!) : value.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [
    render(COLUMNS.map((column) => column.title)),
    render(widths.map((width) => '─'.repeat(width))),
    ...cells.map(render),
  ];
}
