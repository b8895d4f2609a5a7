export * from './distribution.config';
export * from './distribution.errors';
export * from './distribution-store.port';
export * from './distribution-ledger';
export * from './distribution-confirmations';
export * from './published-event';
// The SQLite adapter: `@nws/distribution/distribution-store.sqlite`.
