export * from './local-government-codes';
export * from './beppyo2.catalog';
export * from './beppyo2-party-mapping';
export * from './beppyo2-selection';
export * from './beppyo2-form-generation';
export * from './delegation-bases.catalog';
export * from './japan-time';
export * from './metropolitan-special-cases';
