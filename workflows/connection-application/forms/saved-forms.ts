/** What the cross-form checks need of a saved form: its stored (validated, normalised) data. */
export interface SavedFormData {
  readonly data: { readonly [key: string]: unknown };
}
export type SavedForms = { readonly [formCode: string]: SavedFormData | undefined };
