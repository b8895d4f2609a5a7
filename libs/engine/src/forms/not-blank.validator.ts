import { ValidateBy, type ValidationOptions } from 'class-validator';
import { INVISIBLE_BMP_CHARACTERS, ZERO_WIDTH_CHARACTERS } from './text-faults';

/**
 * class-validator's IsNotEmpty, and a string of spaces alone (full-width ones, tabs and line breaks
 * too) is empty as well: "　" is no 係名 or 氏名, and reached the master data when only '' was
 * refused; and so is one of zero-width characters alone. Same rule name, so clients and messages
 * see one rule; the JSON Schema says it with a `pattern` (NOT_BLANK_SCHEMA).
 */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotEmpty',
      validator: { validate: (value: unknown) => value !== '' && value !== null && value !== undefined && !(typeof value === 'string' && !VISIBLE.test(value)) },
    },
    options,
  );
}

/** Something to see: not a space of any width, nor a character nothing is seen of (U+200B, a name of nothing but that reached the master data). A `u` pattern, as JSON Schema's (ECMA-262) and ajv's are. */
const VISIBLE_CLASS = `[^\\s${ZERO_WIDTH_CHARACTERS}]`;
const VISIBLE = new RegExp(VISIBLE_CLASS, 'u');

/** Text with nothing to see: spaces of any width or zero-width characters alone (IsNotBlank's rule, for values outside a DTO). */
export function isBlankText(value: string | undefined): boolean {
  return value === undefined || !VISIBLE.test(value);
}

/** The rule in the forms' JSON Schemas (class-validator-jsonschema's converters): more than its `minLength: 1`. */
export const NOT_BLANK_SCHEMA = { isNotEmpty: { type: 'string' as const, minLength: 1, pattern: `[^\\s${INVISIBLE_BMP_CHARACTERS}]` } };
