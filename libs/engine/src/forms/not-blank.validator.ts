import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator's IsNotEmpty, and a string of spaces alone (full-width ones, tabs and line breaks
 * too) is empty as well: "　" is no 係名 or 氏名, and reached the master data when only '' was
 * refused. Same rule name, so clients and messages see one rule; the JSON Schema says it with
 * `pattern: "\\S"` (NOT_BLANK_SCHEMA).
 */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotEmpty',
      validator: { validate: (value: unknown) => value !== '' && value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === '') },
    },
    options,
  );
}

/** The rule in the forms' JSON Schemas (class-validator-jsonschema's converters): more than its `minLength: 1`. */
export const NOT_BLANK_SCHEMA = { isNotEmpty: { type: 'string' as const, minLength: 1, pattern: '\\S' } };
