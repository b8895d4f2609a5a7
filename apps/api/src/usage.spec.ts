import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DISTRIBUTOR_USAGE } from '../../distributor/src/usage';
import { API_USAGE, SERVER_SETTINGS, WORKER_USAGE } from './usage';

const ROOT = join(__dirname, '../../..');
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** Environment variables a source file reads (`env['NAME']` or a helper given `'NAME'`). */
const settingsReadBy = (path: string): string[] => [...new Set([...source(path).matchAll(/env(?:\['|, ')([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!))];

describe('--help of the servers names every setting they read', () => {
  it.each([
    ['libs/runtime/src/runtime-config.ts', SERVER_SETTINGS],
    ['libs/runtime/src/jwt-verification.config.ts', SERVER_SETTINGS],
    ['libs/distribution/src/distribution.config.ts', SERVER_SETTINGS],
    ['apps/distributor/src/distributor.options.ts', DISTRIBUTOR_USAGE],
  ])('%s', (path, usage) => {
    const read = settingsReadBy(path);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((name) => !usage.includes(name))).toEqual([]);
  });

  it('and every setting of the README configuration tables', () => {
    const documented = [...source('README.md').matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((name) => !SERVER_SETTINGS.includes(name))).toEqual([]);
    for (const usage of [API_USAGE, WORKER_USAGE]) expect(usage).toContain(SERVER_SETTINGS);
  });
});
