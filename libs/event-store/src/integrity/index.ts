export * from './event-hash';
export * from './chained-event-store';
