export * from './esdb-distribution-consumer';
