import { formCatalog } from '@nws/engine';
import { form0201 } from './form-02-01.form';
import { form0202 } from './form-02-02.form';
import { form0206 } from './form-02-06.form';

export const connectionApplicationForms = formCatalog([form0201, form0202, form0206]);

/** Forms that must be saved before `submit`, per 申請区分. */
export const REQUIRED_FORMS: Record<string, readonly string[]> = {
  登録: ['02-01', '02-02', '02-06'],
  変更: [],
  接続: [],
};
