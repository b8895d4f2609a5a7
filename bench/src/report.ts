import type { BenchResult } from './bench-context';

/** A figure as the table prints it: whole and grouped from 100 up, two decimals below. */
export const formatFigure = (value: number): string => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2));

/**
 * A ratio to two decimals, rounded down: every target is a lower bound (≥ 0.5×), and 0.4954
 * rounded to nearest printed "0.50×" beside "NOT met".
 */
export const formatRatio = (ratio: number): string => `${(Math.floor(ratio * 100) / 100).toFixed(2)}×`;

/** One table: figure, its raw baseline, the ratio, the target and whether it is met. */
export function printTable(results: readonly BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    `${formatFigure(r.value)} ${r.unit}`,
    r.baseline ? `${formatFigure(r.baseline.value)} ${r.baseline.unit}` : '',
    r.baseline ? formatRatio(r.value / r.baseline.value) : '',
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'met' : 'NOT met',
    r.note ?? '',
  ]);
  const header = ['measure', 'value', 'raw baseline', 'ratio', 'target', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
}
