import { formCatalog } from '@nws/engine';
import { form0201 } from './form-02-01.form';
import { form0202 } from './form-02-02.form';
import { form0206 } from './form-02-06.form';
import { form0306 } from './form-03-06.form';
import { form0307 } from './form-03-07.form';
import { form0308 } from './form-03-08.form';
import { form0309 } from './form-03-09.form';

export const connectionApplicationForms = formCatalog([form0201, form0202, form0206, form0306, form0307, form0308, form0309]);

/**
 * Forms that must be saved before `submit`, per 申請区分. For 接続, 様03-08 and 様03-09 are required
 * when the 様03-06 checklist says they are attached: see crossFormViolations.
 */
export const REQUIRED_FORMS: Record<string, readonly string[]> = {
  登録: ['02-01', '02-02', '02-06'],
  変更: [],
  接続: ['03-06', '03-07'],
};

export { crossFormViolations } from './cross-form-checks';
export type { SavedForms, SavedFormData } from './cross-form-checks';
