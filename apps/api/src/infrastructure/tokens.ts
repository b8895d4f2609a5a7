/** Injection tokens: Nest DI only wires adapters to the ports the domain defines. */
export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');
/** The one TokenVerifier (its remembered verdicts shared by the body check, the address limit and the guard). */
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const WORKFLOW_ENGINE = Symbol('WORKFLOW_ENGINE');
export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');
export const READ_MODEL_QUERIES = Symbol('READ_MODEL_QUERIES');
export const CLOCK = Symbol('CLOCK');
/** The DISTRIBUTION_* settings and consumers file, read once by createApp before DATA_DIR is opened. */
export const DISTRIBUTION_CONFIG = Symbol('DISTRIBUTION_CONFIG');
/**
 * An AbortController aborted when the API stops taking requests (create-app.ts), before it waits
 * for those in flight: whatever holds a request open on its own (long polls, event streams) ends
 * it then, so the wait is for work being done, not for clients waiting.
 */
export const HTTP_DRAIN = Symbol('HTTP_DRAIN');

export type Clock = () => string;
