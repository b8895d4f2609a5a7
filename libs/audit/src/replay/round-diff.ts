import type { WorkflowDefinition } from '@nws/engine';
import type { Json, JsonObject, RecordedEvent } from '@nws/event-store';
import { timeline } from './application-timeline';
import { diffJson, type FieldChange } from './json-diff';

/** A review result that sends the application back to the applicant (DOMAIN.md: 承認 / 否認). */
export const REJECTED = '否認';

export interface SavedFormSnapshot {
  readonly data: JsonObject;
  readonly savedAt: string | null;
  readonly savedBy: Json;
  /** The round in which this version of the form was saved. */
  readonly savedInRound: number | null;
}

export interface RoundSnapshot {
  readonly round: number;
  /** Revision of the last event of the round (when the forms below were current). */
  readonly lastRevision: number;
  readonly state: string;
  readonly submittedAt: string | null;
  readonly forms: { readonly [formCode: string]: SavedFormSnapshot };
  /** The review that rejected this round, if one did. */
  readonly rejection: { readonly stage: string; readonly comment: Json; readonly at: string; readonly reviewer: Json } | null;
}

export interface FormDiff {
  readonly formCode: string;
  readonly status: 'added' | 'removed' | 'changed';
  readonly changes: readonly FieldChange[];
  readonly before: Omit<SavedFormSnapshot, 'data'> | null;
  readonly after: Omit<SavedFormSnapshot, 'data'> | null;
}

export interface RoundDiff {
  readonly from: Omit<RoundSnapshot, 'forms'>;
  readonly to: Omit<RoundSnapshot, 'forms'>;
  /** Only the forms that differ, each with only the fields that differ. */
  readonly forms: readonly FormDiff[];
  readonly unchangedForms: readonly string[];
  readonly changedFields: number;
}

/** The requested round does not exist, or there is nothing to compare yet. */
export class RoundDiffError extends Error {
  constructor(
    readonly reason: 'unknown-round' | 'no-rejected-round' | 'no-resubmission',
    readonly detail: { readonly ja: string; readonly en: string },
    readonly rounds: readonly number[],
  ) {
    super(detail.en);
  }
}

const asObject = (value: Json | undefined): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});

/**
 * The forms as they stood at the end of each round (the round's last event). Relies on the
 * workflow view exposing `round`, `forms: { code: { data, savedAt, savedBy, round } }` and
 * `reviews: [{ round, stage, result, comment, at, reviewer }]`, as connection-application does.
 */
export function roundSnapshots(definition: WorkflowDefinition, applicationId: string, events: readonly RecordedEvent[]): RoundSnapshot[] {
  const byRound = new Map<number, RoundSnapshot>();
  const submittedIn = new Map<number, string>();
  let lastSubmittedAt: Json | undefined = null;
  for (const { event, folded, view } of timeline(definition, applicationId, events)) {
    const round = typeof view['round'] === 'number' ? view['round'] : 1;
    // The view keeps the latest submission time: it belongs to the round in which it changed.
    if (typeof view['submittedAt'] === 'string' && view['submittedAt'] !== lastSubmittedAt) submittedIn.set(round, view['submittedAt']);
    lastSubmittedAt = view['submittedAt'];
    const forms: Record<string, SavedFormSnapshot> = {};
    for (const [code, saved] of Object.entries(asObject(view['forms']))) {
      const form = asObject(saved);
      forms[code] = {
        data: asObject(form['data']),
        savedAt: typeof form['savedAt'] === 'string' ? form['savedAt'] : null,
        savedBy: form['savedBy'] ?? null,
        savedInRound: typeof form['round'] === 'number' ? form['round'] : null,
      };
    }
    const reviews = Array.isArray(view['reviews']) ? view['reviews'].map(asObject) : [];
    const rejected = reviews.find((r) => r['round'] === round && r['result'] === REJECTED);
    byRound.set(round, {
      round,
      lastRevision: event.revision,
      state: folded.state,
      submittedAt: submittedIn.get(round) ?? null,
      forms,
      rejection: rejected ? { stage: String(rejected['stage']), comment: rejected['comment'] ?? null, at: String(rejected['at']), reviewer: rejected['reviewer'] ?? null } : null,
    });
  }
  return [...byRound.values()];
}

/**
 * What the applicant changed between two rounds, form by form and field by field. By default the
 * last rejected round against the round after it (the resubmission).
 */
export function diffRounds(rounds: readonly RoundSnapshot[], requested: { readonly from?: number; readonly to?: number } = {}): RoundDiff {
  const numbers = rounds.map((r) => r.round);
  const find = (round: number) => {
    const found = rounds.find((r) => r.round === round);
    if (!found) {
      throw new RoundDiffError('unknown-round', { ja: `第${round}回の申請はありません（${numbers.join(', ')}）。`, en: `round ${round} does not exist (rounds: ${numbers.join(', ')})` }, numbers);
    }
    return found;
  };
  let fromRound = requested.from;
  if (fromRound === undefined) {
    const lastRejected = [...rounds].reverse().find((r) => r.rejection !== null && (requested.to === undefined || r.round < requested.to));
    if (!lastRejected) {
      throw new RoundDiffError('no-rejected-round', { ja: '否認された回がないため、比較する回がありません。', en: 'no round was rejected, so there is no earlier round to compare with' }, numbers);
    }
    fromRound = lastRejected.round;
  }
  const from = find(fromRound);
  const toRound = requested.to ?? fromRound + 1;
  if (requested.to === undefined && !rounds.some((r) => r.round === toRound)) {
    throw new RoundDiffError('no-resubmission', { ja: `第${fromRound}回の後、まだ修正（再申請）されていません。`, en: `round ${fromRound} has not been revised yet: there is no round ${toRound}` }, numbers);
  }
  const to = find(toRound);
  const codes = [...Object.keys(from.forms), ...Object.keys(to.forms).filter((code) => !(code in from.forms))];
  const forms: FormDiff[] = [];
  const unchangedForms: string[] = [];
  for (const formCode of codes) {
    const before = from.forms[formCode];
    const after = to.forms[formCode];
    const changes = diffJson(before?.data, after?.data);
    if (changes.length === 0) {
      unchangedForms.push(formCode);
      continue;
    }
    forms.push({ formCode, status: !before ? 'added' : !after ? 'removed' : 'changed', changes, before: before ? meta(before) : null, after: after ? meta(after) : null });
  }
  const summary = ({ forms: _forms, ...rest }: RoundSnapshot) => rest;
  return { from: summary(from), to: summary(to), forms, unchangedForms, changedFields: forms.reduce((n, f) => n + f.changes.length, 0) };
}

function meta({ data: _data, ...rest }: SavedFormSnapshot): Omit<SavedFormSnapshot, 'data'> {
  return rest;
}
