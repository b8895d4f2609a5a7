// Lets a child process run the TypeScript sources directly (`node -r ./test/support/register-ts.js
// apps/api/src/main.ts`), so crash tests kill the code under test without a build step. Compiles
// with the same SWC settings jest uses and resolves the @nws/* aliases of tsconfig.base.json.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

function alias(request) {
  if (request === '@nws/workflows') return path.join(root, 'workflows');
  if (request.startsWith('@nws/workflows/')) return path.join(root, 'workflows', request.slice('@nws/workflows/'.length));
  const match = /^@nws\/([a-z-]+)(?:\/(.*))?$/.exec(request);
  if (!match) return undefined;
  return path.join(root, 'libs', match[1], 'src', match[2] ?? '');
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, alias(request) ?? request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename });
  module._compile(code, filename);
};
