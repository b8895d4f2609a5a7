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

/**
 * Forms a category takes besides its required ones. A 接続 is the whole package its 様03-06
 * (接続開始申請書, "the covering form") lists as attached: 02-01, 02-02, 02-06 as well (ticked on
 * 03-06), 03-08 and 03-09 when the body has them. A 変更 carries whichever forms change. A 登録
 * registers the body's structure, contacts and safety measures: a 様03-06–03-09 saved into it would
 * register affairs no 接続 was reviewed for, so it is refused when saved.
 */
export const OPTIONAL_FORMS: Record<string, readonly string[]> = {
  登録: [],
  変更: connectionApplicationForms.forms.map((f) => f.code),
  接続: ['02-01', '02-02', '02-06', '03-08', '03-09'],
};

export { crossFormViolations } from './cross-form-checks';
export type { SavedForms, SavedFormData } from './cross-form-checks';
