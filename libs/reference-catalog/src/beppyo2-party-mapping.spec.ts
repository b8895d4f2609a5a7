import { beppyo2Items } from './beppyo2.catalog';
import { LOCAL_GOVERNMENT_PARTIES, NOT_LOCAL_GOVERNMENT_PARTIES, classifyParty, unclassifiedPartyTexts, type PartyClassification } from './beppyo2-party-mapping';

const rulesOf = (text: string) => {
  const party = classifyParty(text) as Extract<PartyClassification, { kind: 'localGovernment' }>;
  return party.rules.map((r) => `${r.body}/${r.when.kind === 'choice' ? r.when.choice : r.when.kind}`);
};

describe('mapping the 情報照会者/情報提供者 texts of 別表第二 to body types', () => {
  it('classifies every party text of the catalog (a new catalog version must extend the table)', () => {
    expect(unclassifiedPartyTexts()).toEqual([]);
  });

  it('has no entry for a text the catalog does not use', () => {
    const used = new Set(beppyo2Items().flatMap((i) => [i.querier, ...i.rows.map((r) => r.provider)]));
    expect(LOCAL_GOVERNMENT_PARTIES.map((e) => e.text).filter((t) => !used.has(t))).toEqual([]);
    expect(NOT_LOCAL_GOVERNMENT_PARTIES.filter((t) => !used.has(t))).toEqual([]);
  });

  it('市町村長 → 市町村長部局; 都道府県知事 → 都道府県知事部局', () => {
    expect(rulesOf('市町村長')).toEqual(['市町村長部局/always']);
    expect(rulesOf('都道府県知事')).toEqual(['都道府県知事部局/always']);
  });

  it('都道府県知事又は市町村長 → both', () => {
    expect(rulesOf('都道府県知事又は市町村長')).toEqual(['都道府県知事部局/always', '市町村長部局/always']);
  });

  it('都道府県知事等 → the prefecture always, a municipality when it runs a welfare office (every 市; a 町村 by choice)', () => {
    expect(rulesOf('都道府県知事等')).toEqual(['都道府県知事部局/always', '市町村長部局/welfareOffice']);
  });

  it('教育委員会 texts → boards of education', () => {
    expect(rulesOf('都道府県教育委員会又は市町村教育委員会')).toEqual(['都道府県教育委員会/always', '市町村教育委員会/always']);
    expect(rulesOf('文部科学大臣又は都道府県教育委員会')).toEqual(['都道府県教育委員会/always']);
  });

  it('parties the type does not settle need an extra choice or are named by code', () => {
    expect(rulesOf('都道府県知事又は保健所を設置する市の長')).toEqual(['都道府県知事部局/always', '市町村長部局/保健所を設置する市']);
    expect(rulesOf('公営住宅法第二条第十六号に規定する事業主体である都道府県知事又は市町村長')).toEqual(['都道府県知事部局/公営住宅の事業主体', '市町村長部局/公営住宅の事業主体']);
    expect(rulesOf('都道府県知事又は広島市長若しくは長崎市長')).toEqual(['都道府県知事部局/always', '市町村長部局/codes']);
  });

  it('the municipality is a 医療保険者 (国民健康保険)', () => {
    expect(rulesOf('医療保険者又は後期高齢者医療広域連合')).toEqual(['市町村長部局/always', '後期高齢者医療広域連合/always']);
  });

  it('ministers and national bodies are never local governments; payers named by benefit are opt-in', () => {
    expect(classifyParty('厚生労働大臣')).toEqual({ kind: 'notLocalGovernment' });
    expect(classifyParty('介護保険法第二十条に規定する他の法令による給付の支給を行うこととされている者')).toEqual({ kind: 'byBenefit' });
    expect(classifyParty('（削除）')).toEqual({ kind: 'deleted' });
    expect(classifyParty('どこかの大臣')).toBeUndefined();
  });
});
