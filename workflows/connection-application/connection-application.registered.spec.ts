import type { JsonObject, StreamRequirement } from '@nws/engine';
import type { RecordedEvent } from '@nws/event-store';
import { findBeppyo2Row } from '@nws/reference-catalog';
import { registeredFormRequirements } from './connection-application.registered';
import { connectionApplicationForms } from './forms';

/** 奥多摩町: a 町, which provides no 都道府県知事 information by law (大都市特例 is a 市's). */
const OKUTAMA = { code: '133086', kind: '市町村長部局' };
const DISABILITY = findBeppyo2Row('27', '2')!.personalInfo;
const example = (code: string) => structuredClone(connectionApplicationForms.get(code)!.example) as Record<string, any>;
const form0307 = { ...example('03-07'), queryAffairs: [], providedInformation: [{ ...example('03-07')['providedInformation'][0], itemNo: '27', personalInfoName: DISABILITY }] };
const receiving27 = { kind: 'provision', side: 'delegatee', itemNo: '27', personalInfoName: DISABILITY, delegatorCode: '130001', delegateeCode: OKUTAMA.code };

/** The body's latest registered version, holding these delegations (matched) and these held for their other side. */
function latest(delegations: object[], pending: object[] = []): RecordedEvent {
  return { data: { content: { form0307, delegations }, pendingDelegations: pending } } as unknown as RecordedEvent;
}
const refusals = (requirements: StreamRequirement[], event: RecordedEvent) =>
  requirements.flatMap((r) => ('latest' in r ? r.latest(event, () => 'pending') : [])).map((v) => `${v.field}:${v.rule}`);

describe('a 変更 held to the registered 様03-07 (2) across its forms', () => {
  it("given 奥多摩町 registered providing the 知事's 障害者関係情報 by delegation, a row-less 様03-08 filed alone is refused while the registered 03-07 (2) keeps the row", () => {
    const rowless = { data: { ...example('03-08'), receivedQueryAffairs: [], receivedProvisions: [], delegatedProvisions: [] } as JsonObject };
    const requirements = registeredFormRequirements('変更', OKUTAMA, { '03-08': rowless });
    expect(refusals(requirements, latest([receiving27]))).toEqual(['forms.03-07:providerOfInformation']);
    const [violation] = requirements.flatMap((r) => ('latest' in r ? r.latest(latest([receiving27]), () => 'pending') : []));
    expect(violation!.message.ja).toContain('別表第二 第27項');
  });

  it("given the same organ, a 様03-07 filed alone may list the row while its delegation is registered, matched or still held for the 知事部局's 委任 (突合待ち); without it, not", () => {
    const requirements = registeredFormRequirements('変更', OKUTAMA, { '03-07': { data: form0307 as JsonObject } });
    expect(refusals(requirements, latest([receiving27]))).toEqual([]);
    expect(refusals(requirements, latest([], [receiving27]))).toEqual([]);
    expect(refusals(requirements, latest([]))).toEqual(['forms.03-07.providedInformation[0].personalInfoName:providerOfInformation']);
  });
});
