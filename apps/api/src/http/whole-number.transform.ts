import { Transform } from 'class-transformer';

/**
 * A query parameter's digits as a number; anything else is left as it came, for @IsInt to refuse
 * with its message. `@Type(() => Number)` made `?asOfRevision=` revision 0 and `?after=1e1` 10.
 * Digits of any length are a number: too many for an exact one are refused by the field's @Max
 * (`LARGEST_WHOLE_NUMBER` where nothing smaller is), "must be at most …", where they were said
 * not to be an integer. Past ~309 digits a number is infinite, which @IsInt refuses.
 */
export const WholeNumber = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));

/** The largest whole number a query parameter takes where its own rules set no smaller bound: the largest JavaScript counts exactly. */
export const LARGEST_WHOLE_NUMBER = Number.MAX_SAFE_INTEGER;
