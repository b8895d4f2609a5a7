import { beppyo2Items } from './beppyo2.catalog';

/**
 * 機関種類: the kinds of applicant body the selection screen (申請前情報選択画面) offers. 後期高齢者医療広域連合
 * is split from other 広域連合 because the law names it as a party of its own.
 */
export const BODY_TYPES = ['都道府県知事部局', '都道府県教育委員会', '市町村長部局', '市町村教育委員会', '一部事務組合・広域連合', '後期高齢者医療広域連合'] as const;
export type BodyType = (typeof BODY_TYPES)[number];

/**
 * Choices the applicant makes where its 機関種類 does not settle which parties of the law it is
 * (e.g. whether a town runs a welfare office). `actsAs`: an association doing the work of another
 * kind of body, whose rows it may take only by delegation (受任).
 */
export interface ExtraChoice {
  readonly id: string;
  readonly label: { readonly ja: string; readonly en: string };
  readonly bodyTypes: readonly BodyType[];
  readonly actsAs?: BodyType;
}

export const EXTRA_CHOICES = [
  {
    id: '福祉事務所を設置する町村',
    label: { ja: '福祉事務所を設置している町村（生活保護・児童扶養手当等の事務）', en: 'town or village running its own welfare office (public assistance, child-rearing allowance, …)' },
    bodyTypes: ['市町村長部局', '一部事務組合・広域連合'],
  },
  {
    id: '保健所を設置する市',
    label: { ja: '保健所を設置する市（感染症医療費等の事務）', en: 'city running its own public health centre (infectious-disease medical costs, …)' },
    bodyTypes: ['市町村長部局'],
  },
  {
    id: '中核市',
    label: { ja: '中核市（地方自治法第252条の22。小児慢性特定疾病医療費・身体障害者手帳・母子父子寡婦福祉資金等の都道府県の事務）', en: 'core city (地方自治法 Art. 252-22: prefectural affairs such as chronic childhood disease medical costs, disability certificates, single-parent welfare loans)' },
    bodyTypes: ['市町村長部局'],
  },
  {
    id: '児童相談所設置市',
    label: { ja: '児童相談所を設置する市・特別区（児童福祉法第59条の4。障害児入所給付費・里親等の都道府県の事務）', en: 'city or special ward running a child guidance centre (児童福祉法 Art. 59-4: residential disability benefits, foster parents, …)' },
    bodyTypes: ['市町村長部局'],
  },
  {
    id: '公営住宅の事業主体',
    label: { ja: '公営住宅法の事業主体（公営住宅の管理の事務）', en: 'operator of public housing under the Public Housing Act' },
    bodyTypes: ['都道府県知事部局', '市町村長部局'],
  },
  {
    id: '住宅地区改良事業の施行者',
    label: { ja: '住宅地区改良法の施行者（改良住宅の管理の事務）', en: 'implementer of residential-area improvement (improved housing)' },
    bodyTypes: ['都道府県知事部局', '市町村長部局'],
  },
  {
    id: '市町村長の事務を共同処理',
    label: { ja: '構成市町村の長の事務を共同処理している（受任事務）', en: 'processes affairs of its member municipalities\u2019 mayors jointly (by delegation)' },
    bodyTypes: ['一部事務組合・広域連合'],
    actsAs: '市町村長部局',
  },
] as const satisfies readonly ExtraChoice[];
export type ExtraChoiceId = (typeof EXTRA_CHOICES)[number]['id'];
export const EXTRA_CHOICE_IDS: readonly ExtraChoiceId[] = EXTRA_CHOICES.map((c) => c.id);

/** When a body of a type is the party named by a text. */
export type PartyCondition =
  | { readonly kind: 'always' }
  /** 都道府県知事等 = the 保護の実施機関 of 生活保護法第19条: 市長 and 特別区長 always, a 町村長 only if it runs a 福祉事務所. */
  | { readonly kind: 'welfareOffice' }
  | { readonly kind: 'choice'; readonly choice: ExtraChoiceId }
  /** Bodies the law names individually (e.g. 広島市長・長崎市長). */
  | { readonly kind: 'codes'; readonly codes: readonly string[] };

export interface PartyRule {
  readonly body: BodyType;
  readonly when: PartyCondition;
}

/**
 * How a 情報照会者/情報提供者 text of the law is read:
 * - `localGovernment`: the rules say which 機関種類 (under which condition) the text names;
 * - `notLocalGovernment`: ministers, national funds, mutual-aid associations, …: never an applicant of this product;
 * - `byBenefit`: "…の支給を行うこととされている者" names a body by the benefit it pays, not by its kind: the
 *   screen offers these rows for the applicant to opt into, never by itself;
 * - `deleted`: the row of a deleted 項.
 */
export type PartyClassification =
  | { readonly kind: 'localGovernment'; readonly rules: readonly PartyRule[]; readonly note: string }
  | { readonly kind: 'notLocalGovernment' }
  | { readonly kind: 'byBenefit' }
  | { readonly kind: 'deleted' };

const always = { kind: 'always' } as const;
const welfare = { kind: 'welfareOffice' } as const;
const choice = (id: ExtraChoiceId) => ({ kind: 'choice', choice: id }) as const;
const rule = (body: BodyType, when: PartyCondition = always): PartyRule => ({ body, when });

const MEDICAL_INSURER_DEFINITION =
  '医療保険者（医療保険各法（健康保険法、船員保険法、私立学校教職員共済法、国家公務員共済組合法、国民健康保険法又は地方公務員等共済組合法をいう。以下同じ。）により医療に関する給付の支給を行う全国健康保険協会、健康保険組合、日本私立学校振興・共済事業団、共済組合、市町村長又は国民健康保険組合をいう。以下同じ。）又は後期高齢者医療広域連合';

/** The mapping table: every text of the law that names a local-government party, with why. */
export const LOCAL_GOVERNMENT_PARTIES: ReadonlyArray<{ readonly text: string; readonly rules: readonly PartyRule[]; readonly note: string }> = [
  { text: '市町村長', rules: [rule('市町村長部局')], note: '市町村長 (特別区の区長を含む) → 市町村長部局' },
  { text: '市町村長又は国民健康保険組合', rules: [rule('市町村長部局')], note: 'the municipality as 国民健康保険 insurer' },
  { text: '市町村長（児童手当法第十七条第一項の表の下欄に掲げる者を含む。）', rules: [rule('市町村長部局')], note: 'the bodies "included" are national employers, not local governments' },
  { text: '都道府県知事', rules: [rule('都道府県知事部局')], note: '都道府県知事 → 都道府県知事部局' },
  {
    text: '都道府県知事等',
    rules: [rule('都道府県知事部局'), rule('市町村長部局', welfare)],
    note: '都道府県知事, 市長 (特別区長を含む) and the 町村長 that runs a 福祉事務所 (生活保護法第19条の実施機関)',
  },
  { text: '都道府県知事又は市町村長', rules: [rule('都道府県知事部局'), rule('市町村長部局')], note: 'both heads' },
  { text: '厚生労働大臣又は都道府県知事', rules: [rule('都道府県知事部局')], note: 'the minister is not an applicant here' },
  { text: '厚生労働大臣又は都道府県知事等', rules: [rule('都道府県知事部局'), rule('市町村長部局', welfare)], note: 'as 都道府県知事等' },
  {
    text: '都道府県知事又は広島市長若しくは長崎市長',
    rules: [rule('都道府県知事部局'), rule('市町村長部局', { kind: 'codes', codes: ['341002', '422011'] })],
    note: '原爆被爆者援護: prefectures and the two cities the law names (広島市 341002, 長崎市 422011)',
  },
  {
    text: '都道府県知事又は保健所を設置する市の長',
    rules: [rule('都道府県知事部局'), rule('市町村長部局', choice('保健所を設置する市'))],
    note: 'only the cities that run a 保健所 (指定都市・中核市 等): the type alone does not say',
  },
  {
    text: '公営住宅法第二条第十六号に規定する事業主体である都道府県知事又は市町村長',
    rules: [rule('都道府県知事部局', choice('公営住宅の事業主体')), rule('市町村長部局', choice('公営住宅の事業主体'))],
    note: 'only bodies that operate public housing',
  },
  {
    text: '住宅地区改良法第二条第二項に規定する施行者である都道府県知事又は市町村長',
    rules: [rule('都道府県知事部局', choice('住宅地区改良事業の施行者')), rule('市町村長部局', choice('住宅地区改良事業の施行者'))],
    note: 'only implementers of residential-area improvement',
  },
  { text: '文部科学大臣又は都道府県教育委員会', rules: [rule('都道府県教育委員会')], note: 'the minister is not an applicant here' },
  { text: '文部科学大臣、都道府県知事又は都道府県教育委員会', rules: [rule('都道府県知事部局'), rule('都道府県教育委員会')], note: 'prefectural head or board' },
  { text: '都道府県教育委員会又は市町村教育委員会', rules: [rule('都道府県教育委員会'), rule('市町村教育委員会')], note: 'both boards of education' },
  { text: '後期高齢者医療広域連合', rules: [rule('後期高齢者医療広域連合')], note: 'named by the law as such' },
  { text: '医療保険者又は後期高齢者医療広域連合', rules: [rule('市町村長部局'), rule('後期高齢者医療広域連合')], note: 'the municipality is a 医療保険者 as 国民健康保険 insurer' },
  { text: MEDICAL_INSURER_DEFINITION, rules: [rule('市町村長部局'), rule('後期高齢者医療広域連合')], note: 'defines 医療保険者, which includes 市町村長' },
  {
    text: '医療保険者その他の法令による医療に関する給付の支給を行うこととされている者',
    rules: [rule('市町村長部局'), rule('後期高齢者医療広域連合')],
    note: 'the municipality as 医療保険者, the 後期高齢者医療広域連合 as the payer of 後期高齢者医療給付 (高齢者の医療の確保に関する法律); the other payers are found by benefit',
  },
];

/** Parties that are never local-government organs (ministers, national agencies, insurers, funds). */
export const NOT_LOCAL_GOVERNMENT_PARTIES: readonly string[] = [
  '厚生労働大臣',
  '全国健康保険協会',
  '健康保険組合',
  '厚生労働大臣若しくは日本年金機構又は共済組合等',
  '厚生労働大臣又は日本年金機構',
  '厚生労働大臣若しくは日本年金機構、共済組合等又は農林漁業団体職員共済組合',
  '厚生労働大臣又は共済組合等',
  '社会福祉協議会',
  '地方公務員災害補償基金',
  '日本私立学校振興・共済事業団',
  '国家公務員共済組合',
  '国家公務員共済組合連合会',
  '共済組合等',
  '共済組合等又は農林漁業団体職員共済組合',
  '農林漁業団体職員共済組合',
  '国民年金基金',
  '国民年金基金連合会',
  '独立行政法人農業者年金基金',
  '地方公務員共済組合',
  '地方公務員共済組合又は全国市町村職員共済組合連合会',
  '石炭鉱業年金基金',
  '平成八年法律第八十二号附則第三十二条第二項に規定する存続組合又は平成八年法律第八十二号附則第四十八条第一項に規定する指定基金',
  '確定給付企業年金法第二十九条第一項に規定する事業主等又は企業年金連合会',
  '確定拠出年金法第三条第三項第一号に規定する事業主',
  '独立行政法人日本スポーツ振興センター',
  '独立行政法人医薬品医療機器総合機構',
  '独立行政法人日本学生支援機構',
  '平成二十三年法律第五十六号附則第二十三条第一項第三号に規定する存続共済会',
  '平成二十五年法律第六十三号附則第三条第十一号に規定する存続厚生年金基金',
  '平成二十五年法律第六十三号附則第三条第十三号に規定する存続連合会又は企業年金連合会',
];

const BY_BENEFIT = /(を行うこととされている者|を支給することとされている者)$/;

const localByText = new Map(LOCAL_GOVERNMENT_PARTIES.map((e) => [e.text, e]));
const notLocal = new Set(NOT_LOCAL_GOVERNMENT_PARTIES);

/** How the catalog reads a party text; `undefined` for a text the table does not know (a new catalog version). */
export function classifyParty(text: string): PartyClassification | undefined {
  const local = localByText.get(text);
  if (local) return { kind: 'localGovernment', rules: local.rules, note: local.note };
  if (notLocal.has(text)) return { kind: 'notLocalGovernment' };
  if (text === '' || text === '（削除）') return { kind: 'deleted' };
  if (BY_BENEFIT.test(text)) return { kind: 'byBenefit' };
  return undefined;
}

/** Party texts of the catalog the table does not classify: must be empty for a catalog version in use. */
export function unclassifiedPartyTexts(): string[] {
  const texts = new Set<string>();
  for (const item of beppyo2Items()) {
    texts.add(item.querier);
    for (const row of item.rows) texts.add(row.provider);
  }
  return [...texts].filter((t) => classifyParty(t) === undefined);
}
