#!/usr/bin/env node
// Runs a compiled entry point from dist/, building first when dist/ is missing or older than the
// sources, so `npm run token` and `npm run cli` work straight after `npm ci`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', process.argv[2]);

function newestSource(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const stale = !fs.existsSync(entry) ||
  ['apps', 'libs', 'workflows', 'bench'].some((d) => fs.existsSync(path.join(root, d)) && newestSource(path.join(root, d)) > fs.statSync(entry).mtimeMs);
if (stale) {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [entry, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
