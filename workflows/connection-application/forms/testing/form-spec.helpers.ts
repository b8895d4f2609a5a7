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

/**
 * A form as `bodyName` files it: 様02-01's 機関名 names the applying body (the published example is
 * 八王子市's, which another body's submission is refused with); other forms as they are.
 */
export function asFiledBy(formCode: string, form: JsonObject, bodyName: string): JsonObject {
  return formCode === '02-01' ? variant(form, (draft) => (draft.organization.name = bodyName)) : form;
}
