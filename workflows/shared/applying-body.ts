import type { FieldViolation } from '@nws/engine';
import { findLocalGovernment, hasValidCheckDigit, prefectureCodeOf } from '@nws/reference-catalog';
import { defaultKindFor, organOfCodeViolation, type OrganizationRef } from './organizations';
import { plainWords } from './japanese-text';

const ASSOCIATION = '一部事務組合・広域連合';
const LATE_ELDERLY_UNION = '後期高齢者医療広域連合';

/**
 * Whether an applying body is a 後期高齢者医療広域連合: the association of its prefecture named so
 * (高齢者の医療の確保に関する法律第48条: one per prefecture, 「○○後期高齢者医療広域連合」, ○○ the
 * prefecture of its code). The law names those by themselves (別表第二 項80, 81 and their rows):
 * before, any association could list their affairs, its 様03-06 saying it was one; then any whose
 * name merely held the words (「…職員互助会」, another prefecture's). `undefined` for a body whose name
 * or code is not known here (a 委任元 named by its code only).
 */
export function isLateElderlyUnion(organization: { readonly kind: string; readonly name?: string | undefined; readonly code?: string | undefined }): boolean | undefined {
  if (organization.kind !== ASSOCIATION) return false;
  if (organization.name === undefined || organization.code === undefined) return undefined;
  const prefecture = findLocalGovernment(prefectureCodeOf(organization.code));
  return prefecture?.type === 'prefecture' && plainWords(organization.name) === `${prefecture.name}${LATE_ELDERLY_UNION}`;
}

const violation = (field: string, rule: string, ja: string, en: string): FieldViolation => ({ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } });

/**
 * The body a create names: a local government's organ from the code list (its name is the list's),
 * or a 一部事務組合・広域連合 — a 後期高齢者医療広域連合 among them — whose codes are not in our list:
 * such a body applies saying so (`organizationKind`) and giving its name (`organizationName`), with
 * a code that has its check digit and the prefix of a prefecture, which reviews it first. Before,
 * no association could apply at all. A name given for a listed body is refused (the list names it).
 */
export function applyingBody(input: { organizationCode: string; organizationKind?: string | undefined; organizationName?: string | undefined }): OrganizationRef | FieldViolation[] {
  const { organizationCode: code, organizationKind: named, organizationName } = input;
  if (!hasValidCheckDigit(code)) return [violation('organizationCode', 'checkDigit', `「${code}」の検査数字が正しくありません。`, `"${code}" has a wrong check digit`)];
  const lg = findLocalGovernment(code);
  if (!lg) {
    const prefecture = findLocalGovernment(prefectureCodeOf(code));
    if (named !== ASSOCIATION || prefecture?.type !== 'prefecture') {
      return [
        violation(
          'organizationCode',
          'knownOrganization',
          `「${code}」は全国地方公共団体コードにありません（一部事務組合・広域連合は organizationKind「${ASSOCIATION}」と organizationName を指定して申請します）。`,
          `"${code}" is not in the local government code list (a 一部事務組合・広域連合 applies with organizationKind "${ASSOCIATION}" and its organizationName)`,
        ),
      ];
    }
    const name = organizationName?.trim();
    if (!name) return [violation('organizationName', 'isNotEmpty', '一部事務組合・広域連合の名称を入力してください。', 'the name of the 一部事務組合・広域連合 is required')];
    return { code, name, kind: ASSOCIATION, prefectureCode: prefectureCodeOf(code) };
  }
  if (lg.inNameOnly) {
    return [violation('organizationCode', 'knownOrganization', `${lg.name}（${code}）はコードのみがあり、地方自治法上の団体として実在しないため申請できません。`, `${lg.name} (${code}) has a code but no government under the Local Autonomy Act, so it cannot apply`)];
  }
  if (organizationName !== undefined) {
    return [violation('organizationName', 'listedName', `${lg.name}（${code}）の名称は全国地方公共団体コードのものです。指定しないでください。`, `${lg.name} (${code}) is named by the local government code list: leave organizationName out`)];
  }
  const kind = named ?? defaultKindFor(code);
  if (!kind) return [violation('organizationCode', 'applicantBody', `${lg.name}（指定都市の区）は申請主体になれません。市の申請として提出してください。`, `${lg.name} is a ward of a designated city and cannot apply on its own; apply as the city`)];
  // The organ decides the routing (a 知事部局 goes to J-LIS, a board of education through its head): one the body does not have would be routed wrongly or wait for ever.
  const notAnOrgan = organOfCodeViolation('organizationKind', code, kind);
  if (notAnOrgan) return [notAnOrgan];
  return { code, name: lg.name, kind, prefectureCode: prefectureCodeOf(code) };
}
