import type { BenchTable, SuiteResult } from './types.js';
import { ratioText } from './timing.js';

function cell(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}

/** Fixed-width text table for the console. */
export function textTable(table: BenchTable): string {
  const rows = [table.columns, ...table.rows.map((r) => r.map(cell))];
  const widths = table.columns.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ');
  const out = [table.title, line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  return out.join('\n');
}

export function markdownTable(table: BenchTable): string {
  const esc = (v: string) => v.replace(/\|/g, '\\|');
  const out = [
    `**${table.title}**`,
    '',
    `| ${table.columns.map(esc).join(' | ')} |`,
    `|${table.columns.map(() => ' --- ').join('|')}|`,
  ];
  for (const r of table.rows) out.push(`| ${r.map((v) => esc(cell(v))).join(' | ')} |`);
  return out.join('\n');
}

export function ratioLines(result: SuiteResult): string[] {
  return result.ratios.map((r) => {
    const bound = r.lowerIsBetter ? '≤' : '≥';
    const target =
      r.target === undefined
        ? ''
        : ` (target ${bound} ${Number(r.target.toPrecision(3))}×: ${r.met ? 'met' : 'NOT met'})`;
    const better = r.lowerIsBetter ? ' [lower is better]' : '';
    return `${r.name}: ${ratioText(r.ratio)}${better}${target}${r.note ? ` — ${r.note}` : ''}`;
  });
}

export function checkLines(result: SuiteResult): string[] {
  return (result.checks ?? []).map((c) => {
    const value = Number.isFinite(c.value) ? Number(c.value.toPrecision(4)).toString() : String(c.value);
    return `${c.name}: ${value} ${c.unit} (target ${c.target}: ${c.met ? 'met' : 'NOT met'})${c.note ? ` — ${c.note}` : ''}`;
  });
}

export function printSuite(result: SuiteResult): void {
  console.log(`\n=== ${result.title} (${(result.durationMs / 1000).toFixed(1)} s) ===`);
  for (const table of result.tables) console.log(`\n${textTable(table)}`);
  if (result.ratios.length > 0) {
    console.log('\nRatios (ours / peer; higher is better for @x unless marked [lower is better]):');
    for (const line of ratioLines(result)) console.log(`  ${line}`);
  }
  if ((result.checks ?? []).length > 0) {
    console.log('\nTargets:');
    for (const line of checkLines(result)) console.log(`  ${line}`);
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
}

export function markdownReport(results: readonly SuiteResult[], generatedAt: string): string {
  const out = [
    `# Benchmark results`,
    '',
    `Generated ${generatedAt}. Ratios are ours / peer; higher is better for @x unless marked [lower is better] (costs: CPU, latency, memory).`,
  ];
  for (const result of results) {
    const env = result.environment;
    out.push(
      '',
      `## ${result.title}`,
      '',
      `Run ${result.startedAt} on Node ${env.node}, ${env.platform}, ${env.cpus} × ${env.cpuModel}; took ${(result.durationMs / 1000).toFixed(1)} s.`,
    );
    for (const table of result.tables) out.push('', markdownTable(table));
    if (result.ratios.length > 0) {
      out.push('', '**Ratios**', '');
      for (const line of ratioLines(result)) out.push(`- ${line}`);
    }
    if ((result.checks ?? []).length > 0) {
      out.push('', '**Targets**', '');
      for (const line of checkLines(result)) out.push(`- ${line}`);
    }
    if (result.notes.length > 0) {
      out.push('', '**Notes**', '');
      for (const note of result.notes) out.push(`- ${note}`);
    }
  }
  return `${out.join('\n')}\n`;
}
