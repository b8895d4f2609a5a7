/**
 * 大都市等の特例: affairs 別表第二 gives to 都道府県知事 that 指定都市 (地方自治法第252条の19), 中核市
 * (第252条の22) or 児童相談所設置市 do for their own residents by the law of each affair, which
 * "その者を含む" (番号法第19条第8号) makes them the 情報照会者 / 情報提供者 of. The party text alone
 * (「都道府県知事」) cannot say it: the selection screen offered these to no city, and a 指定都市
 * listing them had to file them as received by delegation from its prefecture.
 *
 * Read item by item from the laws named (e-Gov 法令検索), for the rows the catalog holds:
 * - 児童福祉法第59条の4 (指定都市, 児童相談所設置市): 項8 (里親の認定・養育里親の登録, 障害児入所給付費),
 *   項14 (障害児入所給付費等), 項15 (障害児入所医療費); 項9 (小児慢性特定疾病医療費, 第19条の2) also 中核市
 *   (同条: 指定都市, 中核市, 児童相談所設置市);
 * - 精神保健及び精神障害者福祉に関する法律第51条の12 (指定都市): 項22–25 (入院措置, 費用の徴収,
 *   精神障害者保健福祉手帳);
 * - 母子及び父子並びに寡婦福祉法第46条 (指定都市, 中核市): 項63 (資金の貸付け, 償還未済額の免除);
 * - 身体障害者福祉法第43条の2 (指定都市, 中核市: 身体障害者手帳): the 障害者関係情報 rows whose
 *   情報提供者 is 都道府県知事 (27-2, 28-1, 31-1, 55-1, 79-1, 106-2).
 * Which cities are 中核市 or run a 児童相談所 the code list does not say: the body says so on the
 * screen (its word, as for a 保健所); a 指定都市 is all three by law, from its code.
 */
export type MetropolitanStatus = 'designatedCity' | 'coreCity' | 'childGuidanceCentreCity';

const CHILD_WELFARE: readonly MetropolitanStatus[] = ['designatedCity', 'childGuidanceCentreCity'];
const CHILD_WELFARE_AND_CORE: readonly MetropolitanStatus[] = ['designatedCity', 'coreCity', 'childGuidanceCentreCity'];
const MENTAL_HEALTH: readonly MetropolitanStatus[] = ['designatedCity'];
const DESIGNATED_AND_CORE: readonly MetropolitanStatus[] = ['designatedCity', 'coreCity'];

/** 項番 (query affairs of 都道府県知事) → the cities that do them for their residents by law. */
export const METROPOLITAN_QUERY_AFFAIRS: ReadonlyMap<string, readonly MetropolitanStatus[]> = new Map([
  ['8', CHILD_WELFARE],
  ['9', CHILD_WELFARE_AND_CORE],
  ['14', CHILD_WELFARE],
  ['15', CHILD_WELFARE],
  ['22', MENTAL_HEALTH],
  ['23', MENTAL_HEALTH],
  ['24', MENTAL_HEALTH],
  ['25', MENTAL_HEALTH],
  ['63', DESIGNATED_AND_CORE],
]);

/** `項番-行内連番` (provision rows of 都道府県知事) → the cities that provide them for their residents by law. */
export const METROPOLITAN_PROVISIONS: ReadonlyMap<string, readonly MetropolitanStatus[]> = new Map(['27-2', '28-1', '31-1', '55-1', '79-1', '106-2'].map((key) => [key, DESIGNATED_AND_CORE]));

export function doneByCity(statuses: readonly MetropolitanStatus[] | undefined, city: ReadonlySet<MetropolitanStatus>): boolean {
  return statuses !== undefined && statuses.some((status) => city.has(status));
}
