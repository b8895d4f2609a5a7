export { EsdbEventStore, createEsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
export type { PersistentConsumerOptions, PersistentDelivery, PersistentGroupOptions } from './esdb-persistent-subscriptions';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './esdb-retry';
export { EVENT_ID_RESERVATION_STREAM_PREFIX, EVENT_ID_RESERVATION_TYPE } from './esdb-event-id-guard';
