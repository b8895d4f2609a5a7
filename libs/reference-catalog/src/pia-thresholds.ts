import source from '../data/pia-threshold-rules.json';

/** What decides the evaluation a 事務 needs (特定個人情報保護評価指針 第6の2). */
export interface PiaThresholdInput {
  /** 対象人数: the people recorded in all the 特定個人情報ファイル the 事務 holds. */
  readonly subjects: number;
  /** 取扱者数: staff of the body and its contractors who handle those files. */
  readonly handlers: number;
  /** 重大事故: a serious incident with 特定個人情報 known at the body within the past year. */
  readonly seriousIncident: boolean;
}

export interface PiaThresholdAnswer {
  /** The evaluation required, as the 指針 names it (義務付けなし, 基礎項目評価, 基礎項目評価+重点項目評価, 基礎項目評価+全項目評価). */
  readonly required: string;
  /** Whether the row was checked against a published source (`yes(…)`) or taken from the 指針 as commonly quoted (`partial`). */
  readonly verified: string;
  /** The row of the table that decided it, as imported. */
  readonly rule: { readonly subjectsFrom: number; readonly subjectsBelow: number | null; readonly handlers500OrMore: 'yes' | 'no' | '*'; readonly seriousIncident: 'yes' | 'no' | '*' };
  readonly provenance: readonly string[];
}

interface Row {
  readonly 対象人数_min: string;
  readonly 対象人数_max_exclusive: string;
  readonly '取扱者数>=500': string;
  readonly 重大事故_過去1年: string;
  readonly 必要な評価: string;
  readonly verified: string;
}

const ROWS = (source.records as readonly Row[]).map((row) => ({
  subjectsFrom: Number(row.対象人数_min),
  subjectsBelow: row.対象人数_max_exclusive === '∞' ? null : Number(row.対象人数_max_exclusive),
  handlers500OrMore: row['取扱者数>=500'] as 'yes' | 'no' | '*',
  seriousIncident: row.重大事故_過去1年 as 'yes' | 'no' | '*',
  required: row.必要な評価,
  verified: row.verified,
}));

export const PIA_THRESHOLD_PROVENANCE: readonly string[] = source.provenance;

const holds = (flag: 'yes' | 'no' | '*', value: boolean) => flag === '*' || (flag === 'yes') === value;

/**
 * The 特定個人情報保護評価 a 事務 needs, from the threshold table imported with its provenance
 * (`data/pia-threshold-rules.json`): what 様03-07's PIA column asks the applicant about (実施済 with
 * its 評価書, or not done because the files hold under 1,000 people). The first row that holds
 * decides: where two hold (500 or more handlers and an incident), both require the same.
 */
export function requiredPiaEvaluation(input: PiaThresholdInput): PiaThresholdAnswer {
  const handlers500OrMore = input.handlers >= 500;
  const row = ROWS.find(
    (r) => input.subjects >= r.subjectsFrom && (r.subjectsBelow === null || input.subjects < r.subjectsBelow) && holds(r.handlers500OrMore, handlers500OrMore) && holds(r.seriousIncident, input.seriousIncident),
  );
  // The table covers every count from 0 and both answers of each flag: a gap is an import error.
  if (!row) throw new Error(`the PIA threshold table has no row for ${JSON.stringify(input)}`);
  const { required, verified, ...rule } = row;
  return { required, verified, rule, provenance: PIA_THRESHOLD_PROVENANCE };
}
