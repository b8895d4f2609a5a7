import type { FieldViolation, FormDefinition, JsonObject } from '@nws/engine';

/** A deep copy of a form's example, edited: each test breaks one rule of a valid form. */
export function variant(example: JsonObject, edit: (draft: any) => void): JsonObject {
  const copy = structuredClone(example);
  edit(copy);
  return copy;
}

export function violationsOf(form: FormDefinition, input: unknown): FieldViolation[] {
  const result = form.validate(input);
  return result.ok ? [] : result.violations;
}

/** `field:rule` of each violation, the shape most tests compare. */
export function rulesOf(form: FormDefinition, input: unknown): string[] {
  return violationsOf(form, input).map((v) => `${v.field}:${v.rule}`);
}

export function expectValid(form: FormDefinition, input: unknown): void {
  const result = form.validate(input);
  if (!result.ok) throw new Error(`expected form ${form.code} to be valid: ${JSON.stringify(result.violations, null, 1)}`);
}
