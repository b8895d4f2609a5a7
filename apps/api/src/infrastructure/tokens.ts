/** Injection tokens: Nest DI only wires adapters to the ports the domain defines. */
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const WORKFLOW_ENGINE = Symbol('WORKFLOW_ENGINE');
export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');
export const READ_MODEL_QUERIES = Symbol('READ_MODEL_QUERIES');
export const CLOCK = Symbol('CLOCK');

export type Clock = () => string;
