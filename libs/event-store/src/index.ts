export * from './event-store.port';
export * from './event-store.errors';
export * from './forwarding-event-store';
export * from './integrity';
export * from './storage.errors';
export * from './consume-all';
export * from './resubscribing';
