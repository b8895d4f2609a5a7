import {
  BEPPYO2_CATALOG_VERSION,
  beppyo2ItemOrder,
  beppyo2Items,
  beppyo2Rows,
  checkBeppyo2Affair,
  findBeppyo2Item,
  findBeppyo2Provision,
  findBeppyo2RowByKey,
  provisionKey,
} from './beppyo2.catalog';

describe('番号法 別表第二 catalog (2015)', () => {
  it('has a version id that forms record', () => {
    expect(BEPPYO2_CATALOG_VERSION).toBe('beppyo2-2015');
  });

  it('holds 121 項 (1..120 and 五十六の二), 三十六 deleted, and the 259 rows in force', () => {
    const items = beppyo2Items();
    expect(items).toHaveLength(121);
    expect(items.filter((i) => i.deleted).map((i) => i.itemNo)).toEqual(['36']);
    expect(beppyo2Rows()).toHaveLength(259);
    expect(findBeppyo2Item('56の2')).toMatchObject({ itemNoKanji: '五十六の二', querier: '市町村長' });
  });

  it('looks a 項 up by 項番, with its querier, affair and rows', () => {
    const tax = findBeppyo2Item('27')!;
    expect(tax.querier).toBe('市町村長');
    expect(tax.affair).toMatch(/^地方税法その他の地方税に関する法律及びこれらの法律に基づく条例による地方税の賦課徴収に関する事務/);
    expect(tax.rows.map((r) => r.provider)).toEqual(['医療保険者又は後期高齢者医療広域連合', '都道府県知事', '都道府県知事等', '市町村長', '厚生労働大臣若しくは日本年金機構又は共済組合等', '厚生労働大臣']);
    expect(findBeppyo2Item('26')!.affair).toMatch(/^生活保護法による保護の決定及び実施/);
    expect(findBeppyo2Item('121')).toBeUndefined();
  });

  it('finds a provision by its name within the 項, and by key', () => {
    const row = findBeppyo2Provision('27', '地方税関係情報又は住民票関係情報であって主務省令で定めるもの')!;
    expect(provisionKey(row)).toBe('27-4');
    expect(findBeppyo2RowByKey('27-4')).toBe(row);
    expect(findBeppyo2RowByKey('56の2-1')?.itemNo).toBe('56の2');
    expect(findBeppyo2Provision('26', '地方税関係情報又は住民票関係情報であって主務省令で定めるもの')).toBeUndefined();
  });

  it('orders 項 as the law does', () => {
    expect(beppyo2ItemOrder('56')).toBeLessThan(beppyo2ItemOrder('56の2'));
    expect(beppyo2ItemOrder('56の2')).toBeLessThan(beppyo2ItemOrder('57'));
    expect(beppyo2ItemOrder('9')).toBeLessThan(beppyo2ItemOrder('10'));
  });

  it('checks a (項番, 事務名) pair', () => {
    const affair = findBeppyo2Item('27')!.affair;
    expect(checkBeppyo2Affair('27', affair)).toBeUndefined();
    expect(checkBeppyo2Affair('26', affair)).toBe('affairMismatch');
    expect(checkBeppyo2Affair('36', '')).toBe('deletedItem');
    expect(checkBeppyo2Affair('999', affair)).toBe('unknownItem');
  });
});
