/**
 * `npm run test:reliability`: the reliability suite of issue #9 at full scale (RELIABILITY=full
 * unless set otherwise), one file at a time, with the figures printed at the end: the scenarios
 * in test/reliability/ and the reference distributor's SIGKILL run
 * (apps/distributor/src/distributor.int-spec.ts, 1,000 applications and 120 stops at full scale).
 * The same spec files run small inside `npm test` (root jest.config.js).
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const base = require('../../jest.config.js');

process.env.RELIABILITY ??= 'full';
// Each scenario writes its figures here; the reporter prints them (workers inherit the variable).
process.env.RELIABILITY_FIGURES_DIR ??= mkdtempSync(join(tmpdir(), 'nws-reliability-figures-'));

module.exports = {
  ...base,
  rootDir: resolve(__dirname, '../..'),
  roots: ['<rootDir>/test/reliability', '<rootDir>/apps/distributor/src'],
  testRegex: ['/test/reliability/.+\\.(spec|int-spec|e2e-spec)\\.ts$', '/apps/distributor/src/distributor\\.int-spec\\.ts$'],
  testTimeout: 45 * 60_000,
  reporters: ['default', '<rootDir>/test/summary.reporter.js', '<rootDir>/test/reliability/figures.reporter.js'],
};
