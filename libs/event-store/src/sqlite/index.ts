export * from './sqlite-event-store';
export * from './commit-probe';
export * from './data-directory-lock';
export * from './prepared-statements';
export * from './wal-sync';
export * from './stored-database';
export * from './online-backup';
export * from './format-version';
