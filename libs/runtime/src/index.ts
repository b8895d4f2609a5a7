export * from './runtime-config';
export * from './command-line';
