import type { JsonObject } from '@nws/engine';
import { isRecord, type PathSegment } from '../../libs/personal-data/src/json-path';
import { formValueRefs, organField, type Classification, type EventShape, type PersonalDataDeclaration, type PersonalValueRef } from '../../libs/personal-data/src/personal-data.declaration';
import { connectionApplicationForms } from './forms';

const WORKFLOW = 'connection-application';
export const MASTER_DATA_VERSION_EVENT = 'MasterDataVersionRegistered';

/**
 * How far each declared field of a form may travel (DOMAIN.md 様02-02): 通常連絡先 are published to
 * every connected body; 緊急連絡先 never leave the body and its reviewers. Everything else a form
 * declares personal (filler, responsible structure, reporter) is internal.
 */
function classify(formCode: string, pattern: string): Classification {
  if (formCode === '02-02' && pattern.startsWith('emergencyContacts[]')) return 'restricted';
  if (formCode === '02-02' && pattern.startsWith('normalContacts[]')) return 'published';
  return 'internal';
}


/** The body of a document's people: its code and, where the document names one, its organ. */
interface Body {
  readonly org: string;
  readonly organ?: string;
}

function formValues(formCode: string, form: unknown, prefix: PathSegment[], body: Body, classification?: Classification): PersonalValueRef[] {
  const definition = connectionApplicationForms.get(formCode);
  return definition ? formValueRefs(definition, form, prefix, body, (pattern) => classification ?? classify(formCode, pattern)) : [];
}

const CONTACT_FIELDS = ['name', 'phone', 'email'] as const;

function masterDataValues(content: unknown, body: Body, prefix: PathSegment[]): PersonalValueRef[] {
  if (!isRecord(content)) return [];
  const refs: PersonalValueRef[] = [];
  const contacts = content['contacts'];
  if (Array.isArray(contacts)) {
    contacts.forEach((contact, index) => {
      for (const field of CONTACT_FIELDS) {
        if (!isRecord(contact) || !(field in contact)) continue;
        const at = [...prefix, 'contacts', index];
        refs.push({ path: [...at, field], ...body, anchor: [...at, 'name'], classification: 'published' });
      }
    });
  }
  // Catalog forms enter the master data as filed (master-data.content.ts): their declared fields are published there.
  for (const key of Object.keys(content)) {
    const match = /^form(\d{2})(\d{2})$/.exec(key);
    if (match) refs.push(...formValues(`${match[1]}-${match[2]}`, content[key], [...prefix, key], body, 'published'));
  }
  return refs;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * People recorded by the workflow itself — reviewers (reviewer), the head department that
 * forwarded (forwardedBy): any object naming a person (sub), their body (org) and their name
 * (and their organ, where the record names one).
 */
function personRecords(value: unknown, path: PathSegment[]): PersonalValueRef[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => personRecords(item, [...path, index]));
  if (!isRecord(value)) return [];
  if (typeof value['sub'] === 'string' && typeof value['org'] === 'string' && 'name' in value) {
    const at = [...path, 'name'];
    return [{ path: at, org: value['org'], ...organField(value['organ']), anchor: at, classification: 'internal' }];
  }
  return Object.entries(value).flatMap(([key, inner]) => personRecords(inner, [...path, key]));
}

export const connectionApplicationPersonalData: PersonalDataDeclaration = {
  workflow: WORKFLOW,
  purposes: [
    { ja: '情報提供ネットワークシステムへの接続申請の審査、及び接続に関する事務連絡のため', en: 'reviewing the connection application and operational contact about the connection' },
    { ja: '通常連絡先（氏名・直通電話番号・メールアドレス）：接続機関間の事務連絡のため、情報共有サイト及びマスタデータで接続機関に公開', en: 'normal contacts: published to connected bodies for operational contact' },
    { ja: '緊急連絡先：夜間・休日の障害・インシデント対応の連絡のため（公開・配信しない）', en: 'emergency contacts: incident contact at night and on holidays (never published or distributed)' },
    { ja: '責任体制・記入担当者・報告者の氏名：安全管理措置の責任体制の確認のため（マスタデータには役職のみ）', en: 'names of the responsible structure, filler and reporter: confirming the safety-management structure' },
    { ja: '審査者・操作者の氏名：審査記録（監査証跡）のため', en: 'names of reviewers and actors: the review record (audit trail)' },
  ],

  inEvent(event: EventShape): PersonalValueRef[] {
    const { data, metadata } = event;
    if (event.type === 'FormSaved') {
      const actor = isRecord(metadata['actor']) ? metadata['actor'] : {};
      // Forms are saved only by applicants of the body itself (policy), so the actor's body (and organ) is the subjects'.
      const org = str(actor['org']);
      return org ? formValues(String(data['formCode'] ?? ''), data['form'], ['data', 'form'], { org, ...organField(actor['organ']) }) : [];
    }
    if (event.type === MASTER_DATA_VERSION_EVENT && str(data['organizationCode'])) {
      // Carried over from forms and earlier versions, never typed in.
      return masterDataValues(data['content'], { org: String(data['organizationCode']), ...organField(data['organizationKind']) }, ['data', 'content']).map((ref) => ({ ...ref, copied: true }));
    }
    return personRecords(data, ['data']);
  },

  inView(view: JsonObject): PersonalValueRef[] {
    const organization = view['organization'];
    const org = isRecord(organization) ? str(organization['code']) : undefined;
    const forms = view['forms'];
    if (!org || !isRecord(forms)) return [];
    const body: Body = { org, ...organField(isRecord(organization) ? organization['kind'] : undefined) };
    const refs: PersonalValueRef[] = [];
    for (const [code, saved] of Object.entries(forms)) {
      if (!isRecord(saved)) continue;
      refs.push(...formValues(code, saved['data'], ['forms', code, 'data'], body));
      if (isRecord(saved['savedBy']) && 'name' in saved['savedBy']) {
        const path = ['forms', code, 'savedBy', 'name'];
        refs.push({ path, ...body, anchor: path, classification: 'internal' });
      }
    }
    for (const key of Object.keys(view)) if (key !== 'forms') refs.push(...personRecords(view[key], [key]));
    return refs;
  },

  inMasterDataContent(content: JsonObject, org: string, organ?: string): PersonalValueRef[] {
    return masterDataValues(content, { org, ...organField(organ) }, []);
  },

  classifyField(scope, path) {
    const pattern = path.replace(/\[\d+\]/g, '[]');
    if ('formCode' in scope) {
      return connectionApplicationForms.get(scope.formCode)?.personalFields.includes(pattern) ? classify(scope.formCode, pattern) : undefined;
    }
    if (/^contacts\[\]\.(name|phone|email)$/.test(pattern)) return 'published';
    const form = /^form(\d{2})(\d{2})\.(.+)$/.exec(pattern);
    return form && connectionApplicationForms.get(`${form[1]}-${form[2]}`)?.personalFields.includes(form[3]!) ? 'published' : undefined;
  },
};
