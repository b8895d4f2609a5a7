/**
 * Prints the reliability figures at the end of `npm run test:reliability`: one block per scenario
 * (whatever scenarios wrote a figures file, see support/figures.ts), then the headline totals of
 * issue #9. A scenario whose spec failed is marked FAILED; its figures are printed all the same.
 */
const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { basename, join } = require('node:path');

const HEADLINE = [
  ['killsSurvived', 'kills survived'],
  ['transitionsChecked', 'transitions checked'],
  ['fuzzCases', 'fuzz cases run'],
  ['serverErrors', '5xx count'],
  ['lost', 'lost'],
  ['duplicates', 'duplicates'],
];

const format = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));

class FiguresReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.RELIABILITY_FIGURES_DIR;
    if (!dir || !existsSync(dir)) return;
    const sheets = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
    rmSync(dir, { recursive: true, force: true });
    if (sheets.length === 0) return;
    const failedFiles = new Set(
      results.testResults.filter((r) => r.numFailingTests > 0 || r.testExecError).map((r) => basename(r.testFilePath)),
    );
    const lines = ['', `reliability figures (RELIABILITY=${sheets[0].mode})`, ''];
    const labelWidth = Math.max(...sheets.flatMap((s) => s.details.map(([label]) => label.length)), 24) + 2;
    const totals = {};
    for (const sheet of sheets) {
      const failed = failedFiles.has(sheet.specFile) ? '  FAILED' : '';
      lines.push(`  ${sheet.title}  [${sheet.specFile}, seed ${sheet.seed ?? '—'}]${failed}`);
      for (const [label, value] of sheet.details) lines.push(`    ${label.padEnd(labelWidth)} ${format(value)}`);
      lines.push('');
      for (const [key, value] of Object.entries(sheet.totals)) totals[key] = (totals[key] ?? 0) + value;
    }
    lines.push('  totals');
    for (const [key, label] of HEADLINE) lines.push(`    ${label.padEnd(labelWidth)} ${key in totals ? format(totals[key]) : 'not measured in this run'}`);
    for (const [key, value] of Object.entries(totals)) {
      if (!HEADLINE.some(([known]) => known === key)) lines.push(`    ${key.padEnd(labelWidth)} ${format(value)}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = FiguresReporter;
