export * from './distribution.config';
export * from './distribution.errors';
export * from './distribution-store.port';
export * from './distribution-ledger';
export * from './distribution-confirmations';
export * from './published-event';
export * from './published-event.schema';
export * from './persistent-groups';
// The SQLite adapter: `@nws/distribution/distribution-store.sqlite`; the EventStoreDB consumer of
// a persistent subscription group: `@nws/distribution/esdb` (loads the gRPC client).
