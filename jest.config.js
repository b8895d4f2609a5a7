/** One jest run covers unit (*.spec.ts), integration (*.int-spec.ts: real SQLite, real gRPC)
 *  and end-to-end (*.e2e-spec.ts: a real Nest app on a real port) tests, which sit next to the code. */
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/workflows', '<rootDir>/test', '<rootDir>/bench'],
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@nws/workflows$': '<rootDir>/workflows',
    '^@nws/workflows/(.*)$': '<rootDir>/workflows/$1',
    '^@nws/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@nws/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/summary.reporter.js'],
};
