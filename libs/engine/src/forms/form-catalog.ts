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
}

export interface FormCatalog {
  readonly forms: readonly FormDefinition[];
  get(code: string): FormDefinition | undefined;
}

export function formCatalog(forms: readonly FormDefinition[]): FormCatalog {
  const byCode = new Map(forms.map((f) => [f.code, f]));
  return { forms, get: (code) => byCode.get(code) };
}
