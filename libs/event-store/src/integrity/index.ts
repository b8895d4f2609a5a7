export * from './event-hash';
export * from './chained-event-store';
export * from './canonical-json';
