import type { JsonObject } from '@nws/event-store';
import type { FieldViolation, LocalizedMessage } from '../engine.types';

export type { FieldViolation };

/** One form of a workflow (申請様式): its schema for clients, a complete valid example, and its validation. */
export interface FormDefinition {
  readonly code: string;
  readonly title: LocalizedMessage;
  readonly schema: JsonObject;
  readonly example: JsonObject;
  /** Field-level checks, run at save. Returns the normalised form (e.g. phone numbers as digits). */
  validate(input: unknown): { ok: true; value: JsonObject } | { ok: false; violations: FieldViolation[] };
  /** JSON paths of fields holding personal data (names, phones, e-mail), declared, not guessed. */
  readonly personalFields: readonly string[];
  /**
   * How the stored form reads to people (phone digits with their hyphens), for views. Input in
   * that form validates back to the same stored value, so a client may send a view back.
   * Answers its argument itself when nothing changes; must accept any stored shape.
   */
  display?(stored: JsonObject): JsonObject;
}

export interface FormCatalog {
  readonly forms: readonly FormDefinition[];
  get(code: string): FormDefinition | undefined;
}

export function formCatalog(forms: readonly FormDefinition[]): FormCatalog {
  const byCode = new Map(forms.map((f) => [f.code, f]));
  return { forms, get: (code) => byCode.get(code) };
}

/**
 * A workflow's saved forms (`{ [code]: { data, … } }`) as views show them: each form's data through
 * its `display`. Forms without one, and the map itself when nothing changes, are shared, not copied.
 */
export function displayForms<T extends { readonly data: { readonly [key: string]: unknown } }>(catalog: FormCatalog, forms: { readonly [code: string]: T }): { readonly [code: string]: T } {
  let out: { [code: string]: T } | undefined;
  for (const code in forms) {
    const saved = forms[code]!;
    const display = catalog.get(code)?.display;
    if (!display) continue;
    const data = display(saved.data as JsonObject);
    if (data !== saved.data) (out ??= { ...forms })[code] = { ...saved, data };
  }
  return out ?? forms;
}
