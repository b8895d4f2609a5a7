import type { FieldViolation } from '@nws/engine';
import { findLocalGovernment } from '@nws/reference-catalog';
import { delegatedProvisionViolations, delegatorHoldsByLawViolations, provisionRightViolations, queryRightViolations } from './query-rights';
import { delegationDirectionViolations } from './delegation-direction';
import { isLateElderlyUnion } from '../../shared/applying-body';
import { organsOf } from '../../shared/organizations';

import type { SavedFormData, SavedForms } from './saved-forms';

export type { SavedFormData, SavedForms } from './saved-forms';

const violation = (field: string, rule: string, ja: string, en: string): FieldViolation => ({ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } });

const ASSOCIATION = '一部事務組合・広域連合';
const LATE_ELDERLY_UNION = '後期高齢者医療広域連合';

interface Row {
  itemNo?: unknown;
  affairName?: unknown;
  personalInfoName?: unknown;
}
const rows = (form: SavedFormData | undefined, key: string): Row[] => {
  const value = form?.data[key];
  return Array.isArray(value) ? (value as unknown[]).filter((r): r is Row => typeof r === 'object' && r !== null) : [];
};
const provisionId = (r: Row) => `${String(r.itemNo)}:${String(r.personalInfoName)}`;

/** 様03-06's checklist says which optional forms are attached: each tick must match a saved form, both ways. */
function checklistViolations(forms: SavedForms): FieldViolation[] {
  const checklist = forms['03-06']?.data['attachments'] as { form0308?: unknown; form0309?: unknown } | undefined;
  if (!checklist) return [];
  const out: FieldViolation[] = [];
  const pairs = [
    ['03-08', checklist.form0308, 'form0308'],
    ['03-09', checklist.form0309, 'form0309'],
  ] as const;
  for (const [code, ticked, field] of pairs) {
    const saved = forms[code] !== undefined;
    if (ticked === true && !saved) {
      out.push(violation(`forms.${code}`, 'attachedFormSaved', `様03-06で様${code}を添付するとしていますが、様${code}が保存されていません。`, `form 03-06 lists form ${code} as attached, but it is not saved`));
    } else if (ticked !== true && saved) {
      out.push(
        violation(`forms.03-06.attachments.${field}`, 'attachedFormSaved', `様${code}が保存されています。様03-06の「様${code}」にチェックを入れるか、様${code}を削除してください。`, `form ${code} is saved: tick it in form 03-06 or remove it`),
      );
    }
  }
  return out;
}

/** The applicant's 機関種類 on 様03-06 is the one its application was opened as (a 後期高齢者医療広域連合 is a 広域連合). */
function bodyTypeViolations(forms: SavedForms, organization: { readonly kind: string; readonly name?: string } | undefined): FieldViolation[] {
  const bodyType = forms['03-06']?.data['bodyType'];
  if (!organization || typeof bodyType !== 'string') return [];
  // A 後期高齢者医療広域連合 is the association its name says is one (and it says so on 様03-06: its
  // connection differs, no interface-system ASP); another association is not one by its word.
  const union = isLateElderlyUnion(organization);
  if (union === true && bodyType !== LATE_ELDERLY_UNION) {
    return [violation('forms.03-06.bodyType', 'bodyTypeOfApplicant', `${organization.name ?? ''}は後期高齢者医療広域連合です。機関種類は「${LATE_ELDERLY_UNION}」を選択してください。`, `${organization.name ?? ''} is a 後期高齢者医療広域連合: choose ${LATE_ELDERLY_UNION}`)];
  }
  if (union === false && organization.kind === ASSOCIATION && bodyType === LATE_ELDERLY_UNION) {
    return [
      violation(
        'forms.03-06.bodyType',
        'bodyTypeOfApplicant',
        `「${LATE_ELDERLY_UNION}」は名称が後期高齢者医療広域連合である広域連合のみが選択できます（申請者は${organization.name ?? ''}）。「${ASSOCIATION}」を選択してください。`,
        `only a 後期高齢者医療広域連合 (so named) may choose ${LATE_ELDERLY_UNION} (the applicant is ${organization.name ?? ''}): choose ${ASSOCIATION}`,
      ),
    ];
  }
  if (bodyType === organization.kind) return [];
  if (bodyType === LATE_ELDERLY_UNION && organization.kind === ASSOCIATION) return [];
  return [
    violation(
      'forms.03-06.bodyType',
      'bodyTypeOfApplicant',
      `機関種類「${bodyType}」が申請者の機関種類「${organization.kind}」と一致しません。`,
      `body type ${bodyType} differs from the applicant's ${organization.kind}`,
    ),
  ];
}

/**
 * 様03-08 is about rows of 様03-07: what a body queries by delegation it queries (so it is in 03-07 (1)),
 * what it provides by delegation it provides (03-07 (2)), and what it delegated away it no longer
 * provides itself (the delegatee does).
 */
function delegationViolations(forms: SavedForms): FieldViolation[] {
  const f0307 = forms['03-07'];
  const f0308 = forms['03-08'];
  if (!f0307 || !f0308) return [];
  const out: FieldViolation[] = [];
  const v0307 = f0307.data['catalogVersion'];
  const v0308 = f0308.data['catalogVersion'];
  if (v0307 !== v0308) {
    out.push(
      violation('forms.03-08.catalogVersion', 'sameCatalogVersion', `別表第二の版（${String(v0308)}）が様03-07（${String(v0307)}）と異なります。`, `別表第二 version ${String(v0308)} differs from form 03-07's ${String(v0307)}`),
    );
    return out;
  }
  const queried = new Set(rows(f0307, 'queryAffairs').map((r) => String(r.itemNo)));
  const provided = new Set(rows(f0307, 'providedInformation').map(provisionId));
  rows(f0308, 'receivedQueryAffairs').forEach((r, i) => {
    if (!queried.has(String(r.itemNo))) {
      out.push(
        violation(
          `forms.03-08.receivedQueryAffairs[${i}]`,
          'delegatedRowInForm0307',
          `受任事務の別表第二 第${String(r.itemNo)}項が、様03-07（1）情報照会を行う事務にありません。`,
          `the affair of 別表第二 item ${String(r.itemNo)} received by delegation is missing from form 03-07 (1)`,
        ),
      );
    }
  });
  rows(f0308, 'receivedProvisions').forEach((r, i) => {
    if (!provided.has(provisionId(r))) {
      out.push(
        violation(
          `forms.03-08.receivedProvisions[${i}]`,
          'delegatedRowInForm0307',
          `受任により提供する別表第二 第${String(r.itemNo)}項の特定個人情報が、様03-07（2）情報提供を行う特定個人情報にありません。`,
          `information of 別表第二 item ${String(r.itemNo)} provided by delegation is missing from form 03-07 (2)`,
        ),
      );
    }
  });
  rows(f0308, 'delegatedProvisions').forEach((r, i) => {
    if (provided.has(provisionId(r))) {
      out.push(
        violation(
          `forms.03-08.delegatedProvisions[${i}]`,
          'delegatedRowNotProvided',
          `委任した別表第二 第${String(r.itemNo)}項の特定個人情報は委任先が提供します。様03-07（2）から除いてください。`,
          `information of 別表第二 item ${String(r.itemNo)} delegated to another body is provided by the delegatee: remove it from form 03-07 (2)`,
        ),
      );
    }
  });
  return out;
}

/**
 * 様03-08: the basis of a delegation is filed with the ordinance, rule or agreement attached, by the
 * body that does the work (the delegatee: 委任の根拠条例等は委任先が申請する). In a 接続 application
 * the attachments are listed on 様03-06 (その他, kind 委任の根拠規定): each instrument named in a
 * received row's chain must be among them (a title such as 「…条例（抜粋）」 names it too).
 */
function instrumentAttachmentViolations(forms: SavedForms): FieldViolation[] {
  const f0306 = forms['03-06'];
  const f0308 = forms['03-08'];
  if (!f0306 || !f0308) return [];
  const attachments = (f0306.data['attachments'] as { otherAttachments?: Array<{ kind?: unknown; title?: unknown }> } | undefined)?.otherAttachments ?? [];
  const titles = attachments.filter((a) => a.kind === '委任の根拠規定').map((a) => String(a.title ?? ''));
  const named = new Set<string>();
  for (const key of ['receivedQueryAffairs', 'receivedProvisions']) {
    for (const row of rows(f0308, key) as Array<{ delegation?: { chain?: Array<{ instrumentName?: unknown }> } }>) {
      for (const link of row.delegation?.chain ?? []) if (typeof link.instrumentName === 'string') named.add(link.instrumentName);
    }
  }
  const missing = [...named].filter((name) => !titles.some((title) => title.includes(name)));
  if (missing.length === 0) return [];
  const list = missing.map((m) => `「${m}」`).join('、');
  return [
    violation(
      'forms.03-06.attachments.otherAttachments',
      'delegationInstrumentAttached',
      `様03-08の委任の根拠規定${list}を添付し、様03-06の「その他」に種類「委任の根拠規定」として記載してください。`,
      `attach the delegation instrument(s) ${missing.map((m) => `"${m}"`).join(', ')} named in form 03-08 and list them on form 03-06 under その他 as 委任の根拠規定`,
    ),
  ];
}

/**
 * 様03-08 is filed by the body that links: what it received ends with it (every link of a layered
 * chain registered, the last to the applicant), and what it delegated went to another body.
 */
function delegationPartyViolations(forms: SavedForms, code: string): FieldViolation[] {
  const f0308 = forms['03-08'];
  if (!f0308) return [];
  const out: FieldViolation[] = [];
  for (const key of ['receivedQueryAffairs', 'receivedProvisions']) {
    (rows(f0308, key) as Array<{ delegation?: { chain?: Array<{ delegateeCode?: unknown }> } }>).forEach((row, i) => {
      const chain = row.delegation?.chain ?? [];
      const last = chain.at(-1);
      if (last && last.delegateeCode !== code) {
        out.push(
          violation(
            `forms.03-08.${key}[${i}].delegation.chain[${chain.length - 1}].delegateeCode`,
            'chainEndsAtApplicant',
            `委任の連鎖の最後の受任者（${String(last.delegateeCode)}）が申請者（${code}）ではありません。実際に情報連携を行う申請者までの全ての委任を記載してください。`,
            `the last delegatee of the chain (${String(last.delegateeCode)}) is not the applicant (${code}): register every delegation down to the body that links`,
          ),
        );
      }
    });
  }
  // Its own code names another organ of the same government where the code has one (地方自治法第180条の2,
  // 第180条の7: a 市長 to its 教育委員会, or the board to the head's staff), which the 突合 matches as
  // the counterpart; before, the delegating side could not file such a delegation at all. An
  // association's code is one organ: to itself is nobody.
  const toItself = organsOf(code).length <= 1;
  rows(f0308, 'delegatedProvisions').forEach((row, i) => {
    if (toItself && (row as { delegateeCode?: unknown }).delegateeCode === code) {
      out.push(
        violation(
          `forms.03-08.delegatedProvisions[${i}].delegateeCode`,
          'delegateeIsAnotherBody',
          '委任先に申請者自身は指定できません。委任先の機関のコードを記入してください。',
          'a body cannot delegate to itself: name the body the provision is delegated to',
        ),
      );
    }
  });
  return out;
}

/** The applicant as its application was opened (ApplicationCreated). */
export interface ApplicantBody {
  readonly kind: string;
  readonly code?: string;
  readonly name?: string;
  readonly prefectureCode?: string;
}

/**
 * 様02-01's organisation block says who applies: registered as the body's 責任体制 and published,
 * it must be the body itself (a local government's organ, 機関区分② its prefecture; 取りまとめ都道府県
 * only a prefecture's governor department, 機関名 naming the body), not what was typed.
 */
function organizationBlockViolations(forms: SavedForms, organization: ApplicantBody): FieldViolation[] {
  const block = forms['02-01']?.data['organization'] as { category1?: unknown; category2?: unknown; name?: unknown; classification?: unknown } | undefined;
  if (!block || organization.name === undefined || organization.prefectureCode === undefined) return [];
  const out: FieldViolation[] = [];
  const prefecture = findLocalGovernment(organization.prefectureCode)?.name;
  if (block.category1 !== '地方公共団体') {
    out.push(violation('forms.02-01.organization.category1', 'applicantBody', '申請者は地方公共団体の機関です。「地方公共団体」を選択してください。', 'the applicant is an organ of a local government: choose 地方公共団体'));
  }
  if (prefecture !== undefined && block.category2 !== prefecture) {
    out.push(violation('forms.02-01.organization.category2', 'applicantBody', `機関区分②は申請者の都道府県「${prefecture}」です。`, `機関区分② is the applicant's prefecture, ${prefecture}`));
  }
  const board = organization.kind.endsWith('教育委員会');
  if (typeof block.name === 'string' && !comparableName(block.name).includes(comparableName(organization.name))) {
    out.push(
      violation(
        'forms.02-01.organization.name',
        'applicantBody',
        `機関名は申請者「${organization.name}」の名称です${board ? `（例:「${organization.name}教育委員会」）` : ''}。他の機関の様式の写しではないか確認してください。`,
        `機関名 names the applicant, ${organization.name}${board ? ` (e.g. "${organization.name}教育委員会")` : ''}: is this another body's form copied?`,
      ),
    );
  }
  if (block.classification === '取りまとめ都道府県' && organization.kind !== '都道府県知事部局') {
    out.push(violation('forms.02-01.organization.classification', 'applicantBody', '「取りまとめ都道府県」は都道府県知事部局のみが選択できます。「情報照会者等」を選択してください。', 'only a prefecture\'s governor department is a 取りまとめ都道府県: choose 情報照会者等'));
  }
  return out;
}

/**
 * A name as it is compared with the body's: full-width and half-width forms alike (NFKC), the small
 * ヶ that 龍ケ崎市 and 霞ヶ浦 are written with either way, spaces left out. 機関名 holds the body's name,
 * written as it is (八王子市) or more fully (東京都八王子市, 八王子市教育委員会).
 */
function comparableName(name: string): string {
  return name.normalize('NFKC').replace(/[ヶヵケ]/g, 'ケ').replace(/\s+/g, '');
}

/**
 * Checks across the forms of one application, run at submit (each form's own fields were checked
 * at save). `organization` is the applicant as the application was opened.
 */
export function crossFormViolations(category: string, forms: SavedForms, organization?: ApplicantBody): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (forms['03-06'] && category !== '接続') {
    out.push(violation('forms.03-06', 'connectionOnly', '様03-06は申請区分「接続」の申請で提出します。', `form 03-06 belongs to a 接続 application, not ${category}`));
  }
  if (category === '接続') {
    out.push(...checklistViolations(forms), ...bodyTypeViolations(forms, organization), ...instrumentAttachmentViolations(forms));
  }
  out.push(...delegationViolations(forms), ...queryRightViolations(category, forms, organization), ...provisionRightViolations(category, forms, organization), ...delegatedProvisionViolations(forms, organization), ...delegatorHoldsByLawViolations(forms));
  if (organization?.code !== undefined) out.push(...delegationPartyViolations(forms, organization.code), ...delegationDirectionViolations(forms, organization));
  if (organization) out.push(...organizationBlockViolations(forms, organization));
  return out;
}
