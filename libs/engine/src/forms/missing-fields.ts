import type { ValidationError } from 'class-validator';

/** Rules a value of the wrong type fails: said alone, not with the bounds it also fails. */
export const TYPE_RULES: ReadonlySet<string> = new Set(['isInt', 'isNumber', 'isString', 'isBoolean', 'isArray', 'isObject']);
export const BOUND_RULES: ReadonlySet<string> = new Set(['min', 'max', 'minLength', 'maxLength', 'arrayMinSize', 'arrayMaxSize', 'matches']);

/**
 * A form field that is missing (or null) fails its type and bounds too: "delegatorCode: is
 * required" says so, "delegatorCode: must be a string" does not (nor "must not be empty" of a
 * name never given). Rules that say what is wanted (one of…, a format of their own) stay beside
 * it, and a missing value only such a rule refuses is left to say so. At every depth: a form's
 * rows are where fields go missing.
 */
export function missingAsRequired(error: ValidationError): ValidationError {
  const children = error.children?.map(missingAsRequired);
  const value = (error.target as Record<string, unknown> | undefined)?.[error.property];
  const failed = Object.entries(error.constraints ?? {});
  const missing = (value === undefined || value === null) && failed.some(([rule]) => TYPE_RULES.has(rule) || rule === 'isDefined' || rule === 'isNotEmpty');
  const constraints = missing ? Object.fromEntries([['isDefined', ''], ...failed.filter(([rule]) => !TYPE_RULES.has(rule) && !BOUND_RULES.has(rule) && rule !== 'isDefined' && rule !== 'isNotEmpty')]) : error.constraints;
  return Object.assign(Object.create(Object.getPrototypeOf(error) as object) as ValidationError, error, { constraints, ...(children ? { children } : {}) });
}
