import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator's IsNotEmpty, and a string of spaces alone (full-width ones, tabs and line breaks
 * too) is empty as well: "　" is no 係名 or 氏名, and reached the master data when only '' was
 * refused. Same rule name, so clients and messages see one rule; the JSON Schema says it with
 * `pattern: "\\S"` (see SCHEMA_CONVERTERS in class-validator-form.ts).
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
