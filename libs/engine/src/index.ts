export * from './engine.types';
export * from './engine.errors';
export * from './workflow-definition';
export * from './workflow-registry';
export * from './workflow-engine';
export * from './fold';
export * from './forms/form-catalog';
export * from './forms/class-validator-form';
