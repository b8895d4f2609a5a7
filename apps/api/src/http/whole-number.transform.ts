import { Transform } from 'class-transformer';

/**
 * A query parameter's digits as a number; anything else is left as it came, for @IsInt to refuse
 * with its message. `@Type(() => Number)` made `?asOfRevision=` revision 0 and `?after=1e1` 10.
 */
export const WholeNumber = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value));
