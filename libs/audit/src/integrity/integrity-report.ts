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

/** One line a person can act on: what broke, where, expected vs found. */
export function describeProblem(problem: IntegrityProblem): string {
  const where = [
    problem.line !== undefined ? `line ${problem.line}` : undefined,
    problem.streamId !== undefined ? `stream ${problem.streamId}` : undefined,
    problem.revision !== undefined ? `revision ${problem.revision}` : undefined,
    problem.position !== undefined ? `position ${problem.position}` : undefined,
    problem.sealSequence !== undefined ? `seal ${problem.sealSequence}` : undefined,
  ].filter(Boolean);
  const diff = problem.expected !== undefined ? ` (expected ${problem.expected}, found ${problem.found ?? '—'})` : '';
  return `${problem.kind}${where.length ? ` at ${where.join(', ')}` : ''}: ${problem.message}${diff}`;
}
