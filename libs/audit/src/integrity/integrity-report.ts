/** Every way a verification can find the trail broken; each names where, and what was expected and found. */
export type ProblemKind =
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'missing-integrity'
  | 'revision-gap'
  | 'missing-positions'
  | 'out-of-order'
  | 'head-below-high-water-mark'
  | 'seal-broken'
  | 'seal-mismatch'
  | 'seal-beyond-head'
  | 'seal-missing-from-store'
  | 'seal-missing-from-witness'
  | 'seal-missing-from-export'
  | 'head-mismatch'
  | 'witness-behind-store'
  | 'witness-unreadable'
  | 'malformed-line'
  | 'header-missing'
  | 'trailer-missing'
  | 'trailer-mismatch'
  | 'digest-mismatch'
  | 'foreign-event';

export interface IntegrityProblem {
  readonly kind: ProblemKind;
  readonly message: string;
  readonly streamId?: string;
  readonly revision?: number;
  readonly position?: number;
  readonly eventId?: string;
  /** 1-based line of an export file. */
  readonly line?: number;
  readonly sealSequence?: number;
  readonly expected?: string;
  readonly found?: string;
}

export interface VerificationReport {
  readonly valid: boolean;
  /** False when a check could not be made (e.g. no witness file while the store has seals). */
  readonly complete: boolean;
  readonly scope: string;
  readonly checkedEvents: number;
  readonly streams: number;
  readonly lastPosition: number;
  readonly sealsChecked: number;
  readonly witnessSealsChecked: number;
  /** Newest seal that verified, and how many events came after it (not yet sealed: not a fault). */
  readonly lastSeal?: { readonly sequence: number; readonly toPosition: number; readonly sealHash: string };
  readonly unsealedEvents: number;
  readonly problems: readonly IntegrityProblem[];
  /** How many problems beyond the first MAX_PROBLEMS were found and not listed. */
  readonly moreProblems: number;
  readonly warnings: readonly string[];
}

export const MAX_PROBLEMS = 100;

/** Collects problems (capped, so a wholesale rewrite does not exhaust memory) and warnings. */
export class ProblemLog {
  readonly problems: IntegrityProblem[] = [];
  readonly warnings: string[] = [];
  more = 0;
  incomplete = false;

  add(problem: IntegrityProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
    else this.more += 1;
  }

  warn(message: string): void {
    if (this.warnings.length < MAX_PROBLEMS) this.warnings.push(message);
  }

  get count(): number {
    return this.problems.length + this.more;
  }
}

/** What each finding means, in Japanese, for the auditors who read them (a Record: a kind added without its words fails the build). */
const IN_JAPANESE: Record<ProblemKind, string> = {
  'hash-mismatch': 'イベントの内容が記録されたハッシュと一致しません（内容が変更されています）',
  'prev-hash-mismatch': '直前のイベントとのハッシュの連鎖が切れています',
  'missing-integrity': 'イベントにハッシュがありません',
  'revision-gap': 'ストリームのリビジョンが欠けています（イベントが削除されています）',
  'missing-positions': 'グローバル位置が欠けています（イベントが削除されています）',
  'out-of-order': 'イベントの順序が入れ替わっています',
  'head-below-high-water-mark': 'ストアが払い出し済みの位置より前で終わっています（最新のイベントが削除されています）',
  'seal-broken': 'シールの連鎖が壊れています',
  'seal-mismatch': 'イベントがシールのハッシュと一致しません（シールの範囲のイベントが変更・削除されています）',
  'seal-beyond-head': 'シールがストアの末尾より先まで対象にしています（最新のイベントが削除されています）',
  'seal-missing-from-store': 'ウィットネスにあるシールがストアにありません（シールとその範囲のイベントが削除されています）',
  'seal-missing-from-witness': 'トレーラーのシールがウィットネスにありません',
  'seal-missing-from-export': 'エクスポート開始前のシールがファイルにありません（末尾の行が削除されています）',
  'head-mismatch': 'ファイルの末尾がヘッダーの示すストアの末尾と一致しません',
  'witness-behind-store': 'ウィットネスがストアより2つ以上前のシールで終わっています（ウィットネスが切り詰められています）',
  'witness-unreadable': 'ウィットネスを読めません',
  'malformed-line': 'イベントとして読めない行があります',
  'header-missing': 'ヘッダーがありません',
  'trailer-missing': 'トレーラーがありません（ファイルが途中で切れています）',
  'trailer-mismatch': 'トレーラーがファイルの行と一致しません',
  'digest-mismatch': 'ファイルの行がエクスポートされた行と一致しません（行が変更・追加・削除されています）',
  'foreign-event': '別のストリームのイベントが含まれています',
};

/** One line a person can act on: what broke (in Japanese, then the finding as recorded), where, expected vs found. */
export function describeProblem(problem: IntegrityProblem): string {
  const where = [
    problem.line !== undefined ? `line ${problem.line}` : undefined,
    problem.streamId !== undefined ? `stream ${problem.streamId}` : undefined,
    problem.revision !== undefined ? `revision ${problem.revision}` : undefined,
    problem.position !== undefined ? `position ${problem.position}` : undefined,
    problem.sealSequence !== undefined ? `seal ${problem.sealSequence}` : undefined,
  ].filter(Boolean);
  const diff = problem.expected !== undefined ? ` (expected ${problem.expected}, found ${problem.found ?? '—'})` : '';
  return `${IN_JAPANESE[problem.kind]} / ${problem.kind}${where.length ? ` at ${where.join(', ')}` : ''}: ${problem.message}${diff}`;
}
