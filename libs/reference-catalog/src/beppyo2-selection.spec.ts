import { selectAffairs, type AffairSelection, type BodySelection } from './beppyo2-selection';

function select(selection: BodySelection): AffairSelection {
  const result = selectAffairs(selection);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}
const items = (s: AffairSelection) => s.queries.map((q) => q.itemNo);
const keys = (s: AffairSelection) => s.provisions.map((p) => p.key);

describe('申請前情報選択画面: 八王子市 (市町村長部局, 132012)', () => {
  const hachioji = select({ bodyType: '市町村長部局', localGovernmentCode: '132012' });

  it('is a city', () => {
    expect(hachioji.municipalityKind).toBe('city');
    expect(hachioji.catalogVersion).toBe('beppyo2-2015');
  });

  it('may query the affairs of 市町村長 and, as a city, of 都道府県知事等', () => {
    expect(items(hachioji)).toEqual([
      '10', '11', '12', '13', '16', '17', '18', '19', '20', '26', '27', '42', '43', '44', '45', '53', '56の2', '57', '61', '62', '64', '65', '67', '68', '69',
      '70', '74', '75', '82', '85', '87', '93', '94', '108', '109', '110', '116',
    ]);
    const tax = hachioji.queries.find((q) => q.itemNo === '27')!;
    expect(tax).toMatchObject({ itemNoKanji: '二十七', querier: '市町村長', byDelegationOnly: false });
    expect(tax.affairName).toMatch(/^地方税法その他の地方税に関する法律/);
    expect(hachioji.queries.find((q) => q.itemNo === '26')?.affairName).toMatch(/^生活保護法による保護の決定及び実施/);
  });

  it('may not query the affairs of ministers or of the prefecture', () => {
    expect(items(hachioji)).not.toContain('1'); // 厚生労働大臣: 健康保険
    expect(items(hachioji)).not.toContain('28'); // 都道府県知事: 地方税
    expect(items(hachioji)).not.toContain('97'); // 保健所を設置する市 only by choice
  });

  it('must provide the information the law asks of 市町村長', () => {
    expect(keys(hachioji)).toEqual(expect.arrayContaining(['1-2', '26-5', '27-4', '27-3', '27-1']));
    expect(keys(hachioji)).not.toContain('27-2'); // 都道府県知事: 障害者関係情報
    const row = hachioji.provisions.find((p) => p.key === '27-4')!;
    expect(row).toMatchObject({ itemNo: '27', rowNo: '4', provider: '市町村長', personalInfoName: '地方税関係情報又は住民票関係情報であって主務省令で定めるもの' });
  });

  it('rows whose provider is named by the benefit it pays are offered apart, never by type', () => {
    expect(hachioji.optionalProvisions.length).toBeGreaterThan(0);
    expect(hachioji.optionalProvisions.every((p) => p.provider.endsWith('されている者'))).toBe(true);
    const provided = new Set(keys(hachioji));
    expect(hachioji.optionalProvisions.some((p) => provided.has(p.key))).toBe(false);
  });

  it('a city running a 保健所 adds its affairs by choice', () => {
    const withHealthCentre = select({ bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['保健所を設置する市'] });
    expect(items(withHealthCentre)).toContain('97');
    expect(items(hachioji)).not.toContain('97');
  });

  it('a 指定都市 (横浜市) and a 特別区 (新宿区) run a 保健所 by law: its affairs without a choice; a 町 runs none, and the choice is refused naming it', () => {
    for (const code of ['141003', '131041']) expect([code, items(select({ bodyType: '市町村長部局', localGovernmentCode: code }))]).toEqual([code, expect.arrayContaining(['97'])]);
    const town = selectAffairs({ bodyType: '市町村長部局', localGovernmentCode: '133035', extraChoices: ['保健所を設置する市'] });
    expect(town.ok ? [] : town.problems.map((p) => p.field)).toEqual(['extraChoices[0]']);
    expect(town.ok ? '' : town.problems[0]!.message.ja).toContain('町村は保健所を設置しません');
  });
});

describe('申請前情報選択画面: a town, and the welfare office (福祉事務所)', () => {
  // 瑞穂町 (133035): whether a town runs its own 福祉事務所 is not in the code list: it is the applicant's choice.
  const town = select({ bodyType: '市町村長部局', localGovernmentCode: '133035' });
  const townWithOffice = select({ bodyType: '市町村長部局', localGovernmentCode: '133035', extraChoices: ['福祉事務所を設置する町村'] });

  it('a town gets no 生活保護 affairs by its type alone', () => {
    expect(town.municipalityKind).toBe('town');
    expect(items(town)).not.toContain('26');
    expect(keys(town)).not.toContain('26-4');
    expect(items(town)).toContain('27');
  });

  it('with the extra choice it gets 生活保護 (26) and the other 都道府県知事等 affairs, and provides 生活保護関係情報', () => {
    expect(items(townWithOffice)).toEqual(expect.arrayContaining(['26', '57', '65', '87']));
    expect(keys(townWithOffice)).toEqual(expect.arrayContaining(['26-4', '27-3']));
    expect(items(townWithOffice).length).toBe(items(town).length + 8);
  });
});

describe('申請前情報選択画面: other body types', () => {
  it('都道府県知事部局 (東京都): its own affairs, 生活保護 included, not the municipal tax', () => {
    const tokyo = select({ bodyType: '都道府県知事部局', localGovernmentCode: '130001' });
    expect(items(tokyo)).toEqual(expect.arrayContaining(['9', '26', '28', '97']));
    expect(items(tokyo)).not.toContain('27');
  });

  it('boards of education', () => {
    expect(items(select({ bodyType: '市町村教育委員会', localGovernmentCode: '132012' }))).toEqual(['38']);
    expect(items(select({ bodyType: '都道府県教育委員会', localGovernmentCode: '130001' }))).toEqual(expect.arrayContaining(['38']));
  });

  it('後期高齢者医療広域連合', () => {
    const union = select({ bodyType: '後期高齢者医療広域連合' });
    expect(items(union)).toEqual(['80', '81']);
    // It pays 後期高齢者医療給付 (高齢者の医療の確保に関する法律): one of "the others paying medical benefits by law".
    expect(keys(union)).toEqual(expect.arrayContaining(['17-1', '106-1']));
  });

  describe('大都市等の特例: 都道府県知事 affairs a 指定都市, 中核市 or 児童相談所設置市 does for its residents by law', () => {
    const SPECIAL_QUERIES = ['8', '9', '14', '15', '22', '23', '24', '25', '63'];
    const SPECIAL_ROWS = ['27-2', '28-1', '31-1', '55-1', '79-1', '106-2'];
    const special = (selection: AffairSelection) => [items(selection).filter((i) => SPECIAL_QUERIES.includes(i)), keys(selection).filter((k) => SPECIAL_ROWS.includes(k))];

    it('a 指定都市 (横浜市) has them all by its code: child welfare, mental health, single-parent loans, disability certificates', () => {
      expect(special(select({ bodyType: '市町村長部局', localGovernmentCode: '141003' }))).toEqual([SPECIAL_QUERIES, SPECIAL_ROWS]);
    });

    it('another 市 has none by its type; saying it is a 中核市, or runs a 児童相談所, gives what each does', () => {
      expect(special(select({ bodyType: '市町村長部局', localGovernmentCode: '132012' }))).toEqual([[], []]);
      expect(special(select({ bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['中核市'] }))).toEqual([['9', '63'], SPECIAL_ROWS]);
      // A 中核市 runs a 保健所 (地域保健法第5条第1項): its affairs come with it.
      expect(items(select({ bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['中核市'] }))).toContain('97');
      expect(special(select({ bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['児童相談所設置市'] }))).toEqual([['8', '9', '14', '15'], []]);
      // A 特別区 may run a 児童相談所 (世田谷区), not be a 中核市.
      expect(special(select({ bodyType: '市町村長部局', localGovernmentCode: '131121', extraChoices: ['児童相談所設置市'] }))).toEqual([['8', '9', '14', '15'], []]);
    });

    it('a 町村 is neither, and a 特別区 is no 中核市: refused by name', () => {
      for (const [code, choice] of [['133035', '中核市'], ['133035', '児童相談所設置市'], ['131121', '中核市']] as const) {
        const result = selectAffairs({ bodyType: '市町村長部局', localGovernmentCode: code, extraChoices: [choice] });
        expect([code, choice, result.ok ? [] : result.problems.map((p) => p.field)]).toEqual([code, choice, ['extraChoices[0]']]);
      }
    });

    it('a board of education of a 指定都市 gets none of the head\u2019s', () => {
      expect(special(select({ bodyType: '市町村教育委員会', localGovernmentCode: '141003' }))).toEqual([[], []]);
    });
  });

  it('広島市 and 長崎市 are named by the law for 原爆 affairs; 八王子市 is not', () => {
    const hiroshima = select({ bodyType: '市町村長部局', localGovernmentCode: '341002' });
    const hachioji = select({ bodyType: '市町村長部局', localGovernmentCode: '132012' });
    const atomic = hiroshima.queries.filter((q) => q.querier === '都道府県知事又は広島市長若しくは長崎市長').map((q) => q.itemNo);
    expect(atomic.length).toBeGreaterThan(0);
    expect(items(hachioji)).not.toEqual(expect.arrayContaining(atomic));
  });

  it('an association has no affairs by law; doing its members\u2019 work it may take theirs by delegation only', () => {
    expect(items(select({ bodyType: '一部事務組合・広域連合' }))).toEqual([]);
    const joint = select({ bodyType: '一部事務組合・広域連合', extraChoices: ['市町村長の事務を共同処理'] });
    expect(items(joint)).toContain('27');
    expect(joint.queries.every((q) => q.byDelegationOnly)).toBe(true);
    expect(joint.provisions.every((p) => p.byDelegationOnly)).toBe(true);
  });
});

describe('申請前情報選択画面: what it refuses', () => {
  it('an unknown body type, a choice not offered to the type, a code with a wrong check digit', () => {
    const result = selectAffairs({ bodyType: '市役所' });
    expect(result.ok).toBe(false);
    const wrong = selectAffairs({ bodyType: '都道府県教育委員会', localGovernmentCode: '130002', extraChoices: ['保健所を設置する市'] });
    expect(wrong.ok ? [] : wrong.problems.map((p) => p.field)).toEqual(['extraChoices[0]', 'localGovernmentCode']);
    expect(wrong.ok ? '' : wrong.problems[0]?.message.ja).toContain('「保健所を設置する市」は機関種類「都道府県教育委員会」では選択できません');
  });

  it('a choice given twice, and a 市 saying it is a 町村 running a welfare office (a 市 runs one by law): refused by name', () => {
    const twice = selectAffairs({ bodyType: '市町村長部局', localGovernmentCode: '132012', extraChoices: ['中核市', '中核市'] });
    expect(twice.ok ? [] : twice.problems.map((p) => p.message.en)).toEqual(['extraChoices[1]: "中核市" is listed twice']);
    for (const code of ['132012', '131121', '141003']) {
      const city = selectAffairs({ bodyType: '市町村長部局', localGovernmentCode: code, extraChoices: ['保健所を設置する市', '福祉事務所を設置する町村'] });
      expect([code, city.ok ? [] : city.problems.map((p) => p.field)]).toEqual([code, ['extraChoices[1]']]);
      expect(city.ok ? '' : city.problems[0]?.message.ja).toContain('社会福祉法第14条第1項');
    }
    // A 町村 may say so, and an association, named by any member's code, too.
    expect(selectAffairs({ bodyType: '市町村長部局', localGovernmentCode: '133035', extraChoices: ['福祉事務所を設置する町村'] }).ok).toBe(true);
    expect(selectAffairs({ bodyType: '一部事務組合・広域連合', localGovernmentCode: '132012', extraChoices: ['福祉事務所を設置する町村'] }).ok).toBe(true);
  });

  it('a body type with a code of the other level: a prefecture\'s list for 八王子市, a city\'s for 東京都', () => {
    for (const [bodyType, code] of [['都道府県知事部局', '132012'], ['都道府県教育委員会', '132012'], ['市町村長部局', '130001'], ['市町村教育委員会', '130001']] as const) {
      const refused = selectAffairs({ bodyType, localGovernmentCode: code });
      expect([bodyType, code, refused.ok ? [] : refused.problems.map((p) => p.field)]).toEqual([bodyType, code, ['localGovernmentCode']]);
    }
    const mismatch = selectAffairs({ bodyType: '都道府県知事部局', localGovernmentCode: '132012' });
    expect(mismatch.ok ? '' : mismatch.problems[0]?.message.en).toBe("localGovernmentCode: 八王子市 (132012) is not a body of type 都道府県知事部局 (give a prefecture's code)");
    // Associations are named by their members' codes: no level to hold them to.
    expect(selectAffairs({ bodyType: '一部事務組合・広域連合', localGovernmentCode: '132012' }).ok).toBe(true);
  });
});
