#!/usr/bin/env node
// npm 11 skips dependency install scripts that package.json#allowScripts does not approve, and
// older npm versions ignore allowScripts. Either way the embedded store needs a loadable
// better-sqlite3 binary, so check it here and build it from source if it is missing.
const { spawnSync } = require('node:child_process');

function loads() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch (error) {
    console.error(`[ensure-native] better-sqlite3 does not load yet: ${error.message.split('\n')[0]}`);
    return false;
  }
}

if (!loads()) {
  console.error('[ensure-native] building better-sqlite3 from source (about a minute)…');
  const result = spawnSync('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts', '--allow-scripts=better-sqlite3'], {
    stdio: 'inherit',
  });
  for (const id of Object.keys(require.cache)) delete require.cache[id];
  if (result.status !== 0 || !loads()) {
    console.error('[ensure-native] better-sqlite3 could not be built: install python3, make and a C++ compiler, then run `npm rebuild better-sqlite3`.');
    process.exit(1);
  }
}
