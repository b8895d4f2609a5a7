import type { JsonObject } from '@nws/engine';
import type { DelegationEntry } from './delegation-matching';
import { withholdUnmatchedProvisions } from './withheld-provisions';

const HACHIOJI = { code: '132012', kind: '市町村長部局' };
const DISABILITY = '障害者関係情報であって主務省令で定めるもの'; // 27-2: 都道府県知事's by law
const row = (itemNo: string, personalInfoName: string): JsonObject => ({ itemNo, personalInfoName, pia: { status: '実施済' } });
const received = (itemNo: string, personalInfoName: string, delegatorCode: string): DelegationEntry => ({
  kind: 'provision',
  side: 'delegatee',
  catalogVersion: 'x',
  itemNo,
  affairName: null,
  personalInfoName,
  procedure: null,
  delegatorCode,
  delegateeCode: HACHIOJI.code,
  chain: null,
});
const kept = (rows: JsonObject[], registered: DelegationEntry[], pending: DelegationEntry[], organization = HACHIOJI) =>
  withholdUnmatchedProvisions(rows, registered, pending, organization).map((r) => `${String(r['itemNo'])}:${String(r['personalInfoName']).slice(0, 6)}`);

describe('様03-07 (2) rows provided only by a delegation waiting for its other side are withheld', () => {
  const rows = [row('27', DISABILITY)];

  it('given the 受任 of 27-2 held, then the row is withheld; matched, it is published', () => {
    expect(kept(rows, [], [received('27', DISABILITY, '130001')])).toEqual([]);
    expect(kept(rows, [received('27', DISABILITY, '130001')], [])).toEqual(['27:障害者関係情']);
  });

  it('given a row received from two delegators, then one matched pair is enough to publish it', () => {
    expect(kept(rows, [received('27', DISABILITY, '130001')], [received('27', DISABILITY, '132021')])).toEqual(['27:障害者関係情']);
  });

  it('given a row the body provides by law too (a 市町村長 row received from a neighbouring town as well), then it stays while the delegation waits', () => {
    const own = '地方税関係情報又は住民票関係情報であって主務省令で定めるもの';
    expect(kept([row('27', own)], [], [received('27', own, '133086')])).toHaveLength(1);
  });

  it('given no delegation for a row, then it is the body\u2019s own and stays', () => {
    expect(kept(rows, [], [])).toEqual(['27:障害者関係情']);
  });
});
