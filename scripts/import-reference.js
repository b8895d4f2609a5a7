#!/usr/bin/env node
// Imports the public reference data (全国地方公共団体コード, 番号法 別表第二, 地方自治法 delegation
// articles, PIA threshold rules) from a folder of TSV files into versioned JSON inside the project,
// keeping each file's provenance. Run by a maintainer when a new catalog version is published:
//   node scripts/import-reference.js ../shared/reference
// The product never reads the source folder at run time; it imports the JSON written here.
const fs = require('node:fs');
const path = require('node:path');

const source = path.resolve(process.argv[2] ?? '../shared/reference');
const target = path.resolve(__dirname, '../libs/reference-catalog/data');
const files = {
  'local-government-codes.tsv': 'local-government-codes.json',
  'bangouhou-beppyo2-2015.tsv': 'bangouhou-beppyo2-2015.json',
  'chihou-jichi-delegation-articles.tsv': 'chihou-jichi-delegation-articles.json',
  'pia-threshold-rules.tsv': 'pia-threshold-rules.json',
};

for (const [from, to] of Object.entries(files)) {
  const lines = fs.readFileSync(path.join(source, from), 'utf8').split('\n').filter((l) => l.length > 0);
  const provenance = lines.filter((l) => l.startsWith('#')).map((l) => l.replace(/^#\s?/, ''));
  const [header, ...rows] = lines.filter((l) => !l.startsWith('#'));
  const columns = header.split('\t');
  const records = rows.map((row) => {
    const cells = row.split('\t');
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  });
  const out = { source: from, provenance, importedAt: new Date().toISOString().slice(0, 10), columns, records };
  fs.writeFileSync(path.join(target, to), JSON.stringify(out, null, 0) + '\n');
  console.log(`${from} → ${to}: ${records.length} rows`);
}
