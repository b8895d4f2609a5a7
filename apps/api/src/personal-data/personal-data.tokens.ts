/** Injection tokens of the personal-data feature. */
export const PERSONAL_DATA_STORE = Symbol('PERSONAL_DATA_STORE');
export const ACCESS_LOG = Symbol('ACCESS_LOG');
