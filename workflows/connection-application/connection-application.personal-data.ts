import type { JsonObject } from '@nws/engine';
import { expandPattern, isRecord, siblingName, type PathSegment } from '../../libs/personal-data/src/json-path';
import type { Classification, EventShape, PersonalDataDeclaration, PersonalValueRef } from '../../libs/personal-data/src/personal-data.declaration';
import { connectionApplicationForms } from './forms';

const WORKFLOW = 'connection-application';
const REVIEW_EVENTS = new Set(['FirstReviewApproved', 'FirstReviewRejected', 'SecondReviewApproved', 'SecondReviewRejected']);
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

/** A name identifies its person; a phone or e-mail belongs to the person named beside it. */
const anchorOf = (pattern: string, path: PathSegment[]): PathSegment[] => (pattern === 'name' || pattern.endsWith('.name') ? path : siblingName(path));

function formValues(formCode: string, form: unknown, prefix: PathSegment[], org: string, classification?: Classification): PersonalValueRef[] {
  const definition = connectionApplicationForms.get(formCode);
  if (!definition || !isRecord(form)) return [];
  return definition.personalFields.flatMap((pattern) =>
    expandPattern(form, pattern).map((path) => ({
      path: [...prefix, ...path],
      org,
      anchor: [...prefix, ...anchorOf(pattern, path)],
      classification: classification ?? classify(formCode, pattern),
      formCode,
    })),
  );
}

const CONTACT_FIELDS = ['name', 'phone', 'email'] as const;

function masterDataValues(content: unknown, org: string, prefix: PathSegment[]): PersonalValueRef[] {
  if (!isRecord(content)) return [];
  const refs: PersonalValueRef[] = [];
  const contacts = content['contacts'];
  if (Array.isArray(contacts)) {
    contacts.forEach((contact, index) => {
      for (const field of CONTACT_FIELDS) {
        if (!isRecord(contact) || !(field in contact)) continue;
        const at = [...prefix, 'contacts', index];
        refs.push({ path: [...at, field], org, anchor: [...at, 'name'], classification: 'published' });
      }
    });
  }
  // Catalog forms enter the master data as filed (master-data.content.ts): their declared fields are published there.
  for (const key of Object.keys(content)) {
    const match = /^form(\d{2})(\d{2})$/.exec(key);
    if (match) refs.push(...formValues(`${match[1]}-${match[2]}`, content[key], [...prefix, key], org, 'published'));
  }
  return refs;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

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
      // Forms are saved only by applicants of the body itself (policy), so the actor's body is the subjects' body.
      // Hook: when a head department (首長部局) saves for its board of education, take the application's body here.
      const org = str(actor['org']);
      return org ? formValues(String(data['formCode'] ?? ''), data['form'], ['data', 'form'], org) : [];
    }
    if (REVIEW_EVENTS.has(event.type) && isRecord(data['reviewer']) && str(data['reviewer']['org'])) {
      const path = ['data', 'reviewer', 'name'];
      return [{ path, org: String(data['reviewer']['org']), anchor: path, classification: 'internal' }];
    }
    if (event.type === MASTER_DATA_VERSION_EVENT && str(data['organizationCode'])) {
      return masterDataValues(data['content'], String(data['organizationCode']), ['data', 'content']);
    }
    return [];
  },

  inView(view: JsonObject): PersonalValueRef[] {
    const organization = view['organization'];
    const org = isRecord(organization) ? str(organization['code']) : undefined;
    const forms = view['forms'];
    if (!org || !isRecord(forms)) return [];
    const refs: PersonalValueRef[] = [];
    for (const [code, saved] of Object.entries(forms)) {
      if (!isRecord(saved)) continue;
      refs.push(...formValues(code, saved['data'], ['forms', code, 'data'], org));
      if (isRecord(saved['savedBy']) && 'name' in saved['savedBy']) {
        const path = ['forms', code, 'savedBy', 'name'];
        refs.push({ path, org, anchor: path, classification: 'internal' });
      }
    }
    const reviews = view['reviews'];
    if (Array.isArray(reviews)) {
      reviews.forEach((review, index) => {
        if (!isRecord(review) || !isRecord(review['reviewer']) || !str(review['reviewer']['org'])) return;
        const path = ['reviews', index, 'reviewer', 'name'];
        refs.push({ path, org: String(review['reviewer']['org']), anchor: path, classification: 'internal' });
      });
    }
    return refs;
  },

  inMasterDataContent(content: JsonObject, org: string): PersonalValueRef[] {
    return masterDataValues(content, org, []);
  },
};
