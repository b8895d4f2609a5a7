export * from './local-government-codes';
