import { ORGANIZATION_KINDS, ORGAN_SLUGS, defaultOrganFor, organKey, organOrDefault, organsOf, parseOrganKey } from './organizations';

/**
 * An applicant body is an organ (機関), not a code: the organs of one local government share its
 * 全国地方公共団体コード. organKey names one organ's master data (its stream, its distribution
 * directory): the code alone for the code's default organ, `{code}.{slug}` for the others.
 */
describe('organ keys: one name per (code, organ)', () => {
  it('every organ has its own ASCII slug', () => {
    expect(Object.keys(ORGAN_SLUGS).sort()).toEqual([...ORGANIZATION_KINDS].sort());
    const slugs = Object.values(ORGAN_SLUGS);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('the default organ of a code keeps the bare code; the other organs of the same code get their slug', () => {
    expect(defaultOrganFor('130001')).toBe('都道府県知事部局');
    expect(defaultOrganFor('132012')).toBe('市町村長部局');
    expect(defaultOrganFor('138002')).toBe('一部事務組合・広域連合');
    expect(organKey('130001', '都道府県知事部局')).toBe('130001');
    expect(organKey('130001', '都道府県教育委員会')).toBe('130001.prefectural-board-of-education');
    expect(organKey('132012', '市町村長部局')).toBe('132012');
    expect(organKey('132012', '市町村教育委員会')).toBe('132012.municipal-board-of-education');
    expect(organKey('138002', '一部事務組合・広域連合')).toBe('138002');
  });

  it('no two (code, organ) pairs share a key, whatever organ a code is given', () => {
    const codes = ['130001', '132012', '131016', '138002'];
    const keys = codes.flatMap((code) => ORGANIZATION_KINDS.map((kind) => organKey(code, kind)));
    expect(new Set(keys).size).toBe(codes.length * ORGANIZATION_KINDS.length);
    for (const code of codes) for (const kind of ORGANIZATION_KINDS) expect(parseOrganKey(organKey(code, kind))).toEqual({ code, kind });
  });

  it('refuses what is not an organ or a code, and parses nothing organKey would not return', () => {
    expect(() => organKey('130001', '教育委員会')).toThrow(/not an organ/);
    expect(() => organKey('130001.x', '都道府県知事部局')).toThrow(/not an organization code/);
    expect(() => organKey('../etc', '都道府県知事部局')).toThrow(/not an organization code/);
    expect(parseOrganKey('130001.governor')).toBeUndefined();
    expect(parseOrganKey('130001.unknown')).toBeUndefined();
    expect(parseOrganKey('')).toBeUndefined();
  });
});

describe('the organs of a code', () => {
  it('a prefecture and a municipality (designated city included) have a head department and a board of education; an association code its own organ; a ward, J-LIS and MIC none', () => {
    expect(organsOf('130001')).toEqual(['都道府県知事部局', '都道府県教育委員会']);
    expect(organsOf('132012')).toEqual(['市町村長部局', '市町村教育委員会']);
    expect(organsOf('011002')).toEqual(['市町村長部局', '市町村教育委員会']);
    expect(organsOf('011011')).toEqual([]);
    expect(organsOf('999999')).toEqual(['一部事務組合・広域連合']);
    expect(organsOf('J-LIS')).toEqual([]);
    expect(organsOf('MIC')).toEqual([]);
  });

  it('a document naming no organ means the default organ of its code', () => {
    expect(organOrDefault('132012', undefined)).toBe('市町村長部局');
    expect(organOrDefault('132012', '市町村教育委員会')).toBe('市町村教育委員会');
    expect(organOrDefault('130001', undefined)).toBe('都道府県知事部局');
    // J-LIS and MIC have no organs: their people are their own body's.
    expect(organOrDefault('MIC', undefined)).toBe('MIC');
    expect(organOrDefault('J-LIS', undefined)).toBe('J-LIS');
  });
});
