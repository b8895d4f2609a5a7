import type { JsonObject } from '@nws/event-store';
import { READER_PLACEHOLDERS } from '@nws/engine';
import { expandPattern, isRecord, siblingName, type PathSegment } from './json-path';

/**
 * How widely a personal value may travel:
 * - `published`: published to every connected body (通常連絡先 in the master data);
 * - `internal`: the body, its reviewers and auditors (names of the responsible structure, reviewers);
 * - `restricted`: the body and its reviewers only (緊急連絡先: never published, distributed or audited in bulk).
 */
export type Classification = 'published' | 'internal' | 'restricted';

/** One personal value found in a document (an event, an application view, master data). */
export interface PersonalValueRef {
  /** Where the value sits, from the root the declaration was given. */
  readonly path: readonly PathSegment[];
  /** The body the person belongs to (全国地方公共団体コード, J-LIS or MIC). */
  readonly org: string;
  /**
   * The organ (機関種類) of that body, where one code holds several (a 市町村長部局 and its
   * 市町村教育委員会 share one code), as the document names it. Absent: the document names none, which
   * means the code's default organ. Retention runs per organ (retention.ts).
   */
  readonly organ?: string;
  /** Where the name identifying the person sits (the value itself for a name). */
  readonly anchor: readonly PathSegment[];
  readonly classification: Classification;
  /** The form the value belongs to, when it comes from one. */
  readonly formCode?: string;
  /**
   * A copy of a value stored before (the master data carrying a form's contacts, an account issued
   * to a form's holder), not one entered by whoever appends the event: a person erased moments ago
   * is given no new key for it, or the copy, read before the erasure, would bring them back
   * (erased-lookups.ts).
   */
  readonly copied?: boolean;
}

export interface EventShape {
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface PurposeOfUse {
  readonly ja: string;
  readonly en: string;
}

/**
 * What a workflow declares about the personal data it records: where it is in its events, its
 * views and its published master data, and what it is used for. Declared, never guessed: the
 * encrypting store, the response redaction and the disclosure export all read it.
 */
export interface PersonalDataDeclaration {
  readonly workflow: string;
  /** 利用目的, shown in every disclosure export. */
  readonly purposes: readonly PurposeOfUse[];
  /** Personal values of a stored event; paths start at `data` or `metadata`. */
  inEvent(event: EventShape): PersonalValueRef[];
  /** Personal values of an application view (what the workflow's `view()` returns, with `id`). */
  inView(view: JsonObject): PersonalValueRef[];
  /** Personal values of a published master-data content of a body. */
  inMasterDataContent(content: JsonObject, org: string, organ?: string): PersonalValueRef[];
  /**
   * The class of one field given by its path alone (`emergencyContacts[0].mobile` in a form,
   * `contacts[1].phone` in master data), for documents that carry fields without their context:
   * field-by-field diffs. Undefined: not personal.
   */
  classifyField(scope: { readonly formCode: string } | { readonly masterData: true }, path: string): Classification | undefined;
}

/** What a reader sees instead of a value: the same words in every response, export and replay (defined with the input rule that refuses them as values). */
export const PLACEHOLDER = READER_PLACEHOLDERS;

export const PLACEHOLDERS: ReadonlySet<string> = new Set(Object.values(PLACEHOLDER));

/**
 * A reference recorded with a purpose (X-Access-Reference, the CLI's --reference, a request's
 * 受付番号): a case number in ASCII. The trail is append-only, and free text such as
 * 「山田花子の開示請求」 would keep a name in it for ever.
 */
export const ACCESS_REFERENCE_PATTERN = /^[A-Za-z0-9._/-]{1,64}$/;

/**
 * Purposes a reader may state in `X-Access-Purpose`. Codes, not free text: the access log is
 * append-only, and a typed purpose like "山田さんの件" would keep a name there for ever.
 */
export const ACCESS_PURPOSES = {
  review: { ja: '審査', en: 'review of the application' },
  audit: { ja: '監査', en: 'audit' },
  distribution: { ja: 'マスタデータの配信', en: 'master-data distribution' },
  'published-contact': { ja: '公開連絡先による事務連絡', en: 'operational contact through published contacts' },
  'disclosure-request': { ja: '開示等の請求への対応', en: 'handling a request of the person (disclosure, correction, erasure)' },
  'incident-response': { ja: 'インシデント対応', en: 'incident response' },
  'legal-obligation': { ja: '法令に基づく対応', en: 'obligation under law' },
} as const satisfies Record<string, PurposeOfUse>;
export type AccessPurpose = keyof typeof ACCESS_PURPOSES;
export const isAccessPurpose = (value: string): value is AccessPurpose => Object.hasOwn(ACCESS_PURPOSES, value);

/**
 * Legal bases of an erasure or suspension, again codes: the erasure event is immutable, so it
 * must not carry free text that could hold the very data being erased.
 * Articles: 個人情報の保護に関する法律 第5章 (行政機関等), 第98条 利用停止請求 (利用の停止又は消去).
 */
export const LEGAL_BASES = {
  'appi-98-erasure': { ja: '個人情報保護法第98条に基づく本人からの消去の請求', en: 'request of the person to erase (APPI art. 98)' },
  'appi-98-suspension': { ja: '個人情報保護法第98条に基づく本人からの利用停止の請求', en: 'request of the person to stop use (APPI art. 98)' },
  'purpose-achieved': { ja: '利用目的の達成（異動・退職等により連絡先として不要）', en: 'purpose achieved (the person is no longer a contact)' },
  'retention-expired': { ja: '保有期間の満了（接続終了後の保存期間の経過）', en: 'retention period after the end of the connection has passed' },
  'suspension-lifted': { ja: '利用停止の理由の解消（本人による請求の取下げ等）', en: 'the reason for the suspension no longer holds' },
} as const satisfies Record<string, PurposeOfUse>;
export type LegalBasis = keyof typeof LEGAL_BASES;
export const isLegalBasis = (value: string): value is LegalBasis => Object.hasOwn(LEGAL_BASES, value);

/** Which bases each request may cite. */
export const LEGAL_BASES_FOR = {
  erasure: ['appi-98-erasure', 'purpose-achieved', 'retention-expired'],
  suspension: ['appi-98-suspension'],
  resumption: ['suspension-lifted'],
} as const satisfies Record<string, readonly LegalBasis[]>;

/** The engine stamps the actor's name (from the token) on every event: personal data in every workflow. */
export function actorNameRef(event: EventShape): PersonalValueRef[] {
  const actor = event.metadata['actor'];
  if (!isRecord(actor) || typeof actor['name'] !== 'string' || typeof actor['org'] !== 'string' || actor['role'] === 'system') return [];
  const path = ['metadata', 'actor', 'name'];
  return [{ path, org: actor['org'], ...organField(actor['organ']), anchor: path, classification: 'internal' }];
}

/** `{ organ }` when the document names one (a string), else nothing: spread into a PersonalValueRef. */
export function organField(organ: unknown): { organ?: string } {
  return typeof organ === 'string' && organ !== '' ? { organ } : {};
}

/**
 * The personal values of one form's value (at `prefix` in its document), from the form's declared
 * `personalFields` patterns: a name is its own anchor, a phone or e-mail belongs to the person
 * named beside it. Every workflow's declaration finds its forms' people this way.
 */
export function formValueRefs(
  form: { readonly code: string; readonly personalFields: readonly string[] },
  value: unknown,
  prefix: readonly PathSegment[],
  body: { readonly org: string; readonly organ?: string },
  classify: (pattern: string) => Classification,
): PersonalValueRef[] {
  if (!isRecord(value)) return [];
  return form.personalFields.flatMap((pattern) =>
    expandPattern(value, pattern).map((path) => ({
      path: [...prefix, ...path],
      ...body,
      anchor: [...prefix, ...(pattern === 'name' || pattern.endsWith('.name') ? path : siblingName(path))],
      classification: classify(pattern),
      formCode: form.code,
    })),
  );
}
