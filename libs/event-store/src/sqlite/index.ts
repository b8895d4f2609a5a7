export * from './sqlite-event-store';
export * from './commit-probe';
