import type { JsonObject } from '@nws/engine';
import { isRecord, type PathSegment } from '../../libs/personal-data/src/json-path';
import { formValueRefs, organField, type EventShape, type PersonalDataDeclaration, type PersonalValueRef } from '../../libs/personal-data/src/personal-data.declaration';
import { accountRequestForm } from './forms/account-request.form';
import { ACCOUNT_HOLDERS_RECORDED } from './account-holders';

/**
 * The account request's own personal data: the holders of the accounts asked for (AR-01: name,
 * e-mail, phone). Encrypted per person of the requesting organ, redacted outside the body and its
 * reviewers (internal), disclosed, suspended and erased like any other. The people every workflow
 * records (actors, reviewers) are declared once, by the connection application's declaration.
 */
function holderValues(form: unknown, prefix: PathSegment[], body: { org: string; organ?: string }): PersonalValueRef[] {
  return formValueRefs(accountRequestForm, form, prefix, body, () => 'internal');
}

/**
 * The holders of issued accounts (AccountIssued, the view's `accounts`): name and e-mail, the
 * holder's like the form's. Before, the e-mail was copied into the event in clear: erasure left it,
 * redaction and disclosure missed it. Accounts issued before then name no holder and no organ: their
 * e-mail, in clear in an immutable event, cannot be tied to a person (disclosed only with the form's).
 */
function issuedAccountValues(accounts: unknown, prefix: PathSegment[], organization: unknown): PersonalValueRef[] {
  if (!Array.isArray(accounts) || !isRecord(organization) || typeof organization['code'] !== 'string') return [];
  const body = { org: organization['code'], ...organField(organization['kind']) };
  return accounts.flatMap((account, i): PersonalValueRef[] => {
    if (!isRecord(account) || typeof account['name'] !== 'string') return [];
    const anchor = [...prefix, i, 'name'];
    return [
      { path: anchor, ...body, anchor, classification: 'internal', formCode: accountRequestForm.code },
      ...(typeof account['email'] === 'string' ? [{ path: [...prefix, i, 'email'], ...body, anchor, classification: 'internal' as const, formCode: accountRequestForm.code }] : []),
    ];
  });
}

export const accountRequestPersonalData: PersonalDataDeclaration = {
  workflow: 'account-request',
  purposes: [
    { ja: '情報共有サイトのアカウント発行申請の審査、及びアカウントの発行・管理のため（アカウント保有者の氏名・メールアドレス・電話番号）', en: 'reviewing the account request, and issuing and managing the accounts (the holders’ names, e-mail addresses and phones)' },
  ],

  inEvent(event: EventShape): PersonalValueRef[] {
    // Both copy the form's holders: never typed in.
    if (event.type === 'AccountIssued') return issuedAccountValues(event.data['accounts'], ['data', 'accounts'], event.data['organization']).map((ref) => ({ ...ref, copied: true }));
    // The organ's list of holders (account-holders.ts): the same people, the same keys.
    if (event.type === ACCOUNT_HOLDERS_RECORDED) return issuedAccountValues(event.data['holders'], ['data', 'holders'], event.data['organization']).map((ref) => ({ ...ref, copied: true }));
    if (event.type !== 'FormSaved' || event.data['formCode'] !== accountRequestForm.code) return [];
    // Forms are saved by applicants of the requesting organ only: the actor's body is the holders'.
    const actor = isRecord(event.metadata['actor']) ? event.metadata['actor'] : {};
    const org = typeof actor['org'] === 'string' ? actor['org'] : undefined;
    return org ? holderValues(event.data['form'], ['data', 'form'], { org, ...organField(actor['organ']) }) : [];
  },

  inView(view: JsonObject): PersonalValueRef[] {
    const organization = view['organization'];
    const forms = view['forms'];
    if (!isRecord(organization) || typeof organization['code'] !== 'string' || !isRecord(forms)) return [];
    const saved = forms[accountRequestForm.code];
    const holders = isRecord(saved) ? holderValues(saved['data'], ['forms', accountRequestForm.code, 'data'], { org: organization['code'], ...organField(organization['kind']) }) : [];
    return [...holders, ...issuedAccountValues(view['accounts'], ['accounts'], organization)];
  },

  inMasterDataContent(): PersonalValueRef[] {
    return [];
  },

  classifyField(scope, path) {
    if (!('formCode' in scope) || scope.formCode !== accountRequestForm.code) return undefined;
    return accountRequestForm.personalFields.includes(path.replace(/\[\d+\]/g, '[]')) ? 'internal' : undefined;
  },
};
