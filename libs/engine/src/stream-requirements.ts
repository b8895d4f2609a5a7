import { WrongExpectedRevisionError, type EventStore, type RecordedEvent } from '@nws/event-store';
import { lastEventOf } from './append-after-last';
import { ConcurrencyConflictError, ValidationFailedError } from './engine.errors';
import type { FieldViolation } from './engine.types';
import type { ClaimingCommand, ClaimRef, ClaimStatus, ClaimStatuses, FoldedApplication, StreamContent, StreamRequirement, StreamSelection } from './workflow-definition';
import type { RefusedAction } from './workflow-engine.types';

/**
 * A past moment to check requirements at, for a view of the past (?asOfRevision, ?asOf): a stream
 * existed then if its first event was stored at or before `position` and occurred at or before
 * `time` (the same domain time the history is cut by).
 */
export interface RequirementMoment {
  readonly position?: number;
  readonly time?: string;
}

/** The refusals of the requirements the store does not meet now, or did not at `moment` (each stream read once). */
export async function unmetStreamRequirements(store: EventStore, requirements: readonly StreamRequirement[], moment?: RequirementMoment, seen?: Map<string, Checked>): Promise<FieldViolation[]> {
  const exists = new Map<string, boolean>();
  const unmet: FieldViolation[] = [];
  for (const requirement of requirements) {
    if ('streams' in requirement) {
      unmet.push(...requirement.check(await lastSelected(store, requirement.streams, moment)));
      continue;
    }
    if ('latest' in requirement) {
      const latest = await lastEvent(store, requirement.streamId, moment);
      const claims = await claimStatuses(store, requirement, latest);
      seen?.set(requirement.streamId, { latest, claims });
      unmet.push(...requirement.latest(latest, claims));
      continue;
    }
    let found = exists.get(requirement.streamId);
    if (found === undefined) exists.set(requirement.streamId, (found = await existed(store, requirement.streamId, moment)));
    if (found !== requirement.exists) unmet.push(requirement.refusal);
  }
  // Two requirements may refuse for one reason (a 登録's organ registered, and its first
  // registration claimed by the application that registered it): said once, the first way.
  return unmet.filter((v, i) => unmet.findIndex((w) => w.field === v.field && w.rule === v.rule) === i);
}

/** What a content requirement was checked on: the stream's last event and the status of the claims it holds. */
interface Checked {
  readonly latest: RecordedEvent | undefined;
  readonly claims: ClaimStatuses;
}

/** Whether each claim the event holds had its command's event stored (always read now: a claim lost is lost for the past too). */
async function claimStatuses(store: EventStore, requirement: StreamContent, latest: RecordedEvent | undefined): Promise<ClaimStatuses> {
  const statuses = new Map<string, ClaimStatus>();
  const key = (claim: ClaimRef) => `${claim.streamId}@${claim.revision}`;
  for (const claim of latest && requirement.claimsIn ? requirement.claimsIn(latest) : []) {
    let status: ClaimStatus = 'pending';
    const revision = await store.streamRevision(claim.streamId);
    if (revision !== undefined && revision >= claim.revision) {
      for await (const event of store.readStream(claim.streamId, { fromRevision: claim.revision, toRevision: claim.revision, asStored: true })) status = event.type === claim.type ? 'stored' : 'lost';
    }
    statuses.set(key(claim), status);
  }
  // A claim the event does not list is none of the requirement's: it refuses as held.
  return (claim) => statuses.get(key(claim)) ?? 'pending';
}

/** The stream's last event now, or the last one stored by `moment` (the streams this reads hold a body's versions: few). */
async function lastEvent(store: EventStore, streamId: string, moment: RequirementMoment | undefined): Promise<RecordedEvent | undefined> {
  if (moment === undefined) return lastEventOf(store, streamId);
  return (await lastOfEach(store, streamId, [undefined], moment, false))[0];
}

/**
 * The last event each selection picks, by `moment` if given, each stream read once. Read whole, as
 * stored: the events a selection looks for may lie behind others (a connection's end behind later
 * requests about its people), and the streams these rules read hold one body's versions or requests.
 */
async function lastSelected(store: EventStore, selections: readonly StreamSelection[], moment: RequirementMoment | undefined): Promise<(RecordedEvent | undefined)[]> {
  const picked: (RecordedEvent | undefined)[] = selections.map(() => undefined);
  for (const streamId of new Set(selections.map((s) => s.streamId))) {
    const of = selections.flatMap((s, i) => (s.streamId === streamId ? [i] : []));
    const last = await lastOfEach(store, streamId, of.map((i) => selections[i]!.select), moment, true);
    of.forEach((i, j) => (picked[i] = last[j]));
  }
  return picked;
}

/** One read of a stream up to `moment`: the last event each `select` picks (undefined: every event). */
async function lastOfEach(store: EventStore, streamId: string, selects: ReadonlyArray<((event: RecordedEvent) => boolean) | undefined>, moment: RequirementMoment | undefined, asStored: boolean): Promise<(RecordedEvent | undefined)[]> {
  const limit = moment?.time === undefined ? undefined : Date.parse(moment.time);
  const last: (RecordedEvent | undefined)[] = selects.map(() => undefined);
  for await (const event of store.readStream(streamId, asStored ? { asStored: true } : {})) {
    if ((moment?.position !== undefined && event.position > moment.position) || (limit !== undefined && Date.parse(String(event.metadata['occurredAt'])) > limit)) break;
    selects.forEach((select, i) => {
      if (select === undefined || select(event)) last[i] = event;
    });
  }
  return last;
}

async function existed(store: EventStore, streamId: string, moment: RequirementMoment | undefined): Promise<boolean> {
  if (moment === undefined) return (await store.streamRevision(streamId)) !== undefined;
  for await (const first of store.readStream(streamId, { toRevision: 0, asStored: true })) {
    const limit = moment.time === undefined ? undefined : Date.parse(moment.time);
    return (moment.position === undefined || first.position <= moment.position) && (limit === undefined || Date.parse(String(first.metadata['occurredAt'])) <= limit);
  }
  return false;
}

/**
 * Refuses a command when the store does not meet what the workflow requires of it
 * (WorkflowDefinition.createRequires, commandRequires), and records what it claims
 * (StreamContent.claim) at the revision it checked: a claim that meets another append (a command of
 * another application checked the same stream meanwhile) is checked again on what is stored now.
 */
export async function assertStreamRequirements(store: EventStore, requirements: readonly StreamRequirement[], command?: ClaimingCommand & { readonly applicationId: string }, attempts = 10): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const seen = new Map<string, Checked>();
    const unmet = await unmetStreamRequirements(store, requirements, undefined, seen);
    if (unmet.length > 0) throw new ValidationFailedError(unmet);
    if (command === undefined || (await claimed(store, requirements, command, seen))) return;
  }
  throw new ConcurrencyConflictError(command?.applicationId ?? '');
}

/** Whether every claim was recorded at the revision its check read (false: another append came first). */
async function claimed(store: EventStore, requirements: readonly StreamRequirement[], command: ClaimingCommand, seen: ReadonlyMap<string, Checked>): Promise<boolean> {
  for (const requirement of requirements) {
    if (!('claim' in requirement) || requirement.claim === undefined) continue;
    const checked = seen.get(requirement.streamId);
    const latest = checked?.latest;
    const claim = requirement.claim(latest, command, checked?.claims ?? (() => 'pending'));
    if (claim === undefined) continue;
    try {
      await store.append(requirement.streamId, [claim], latest === undefined ? 'no_stream' : latest.revision);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return false;
      throw error;
    }
  }
  return true;
}

/** Of the actions offered, those the workflow's commandRequires would refuse now (or at `moment`), with the refusal. */
export async function refusedByStore(store: EventStore, folded: FoldedApplication, offered: readonly string[], moment?: RequirementMoment): Promise<RefusedAction[]> {
  const refused: RefusedAction[] = [];
  for (const action of offered) {
    const requirements = folded.definition.commandRequires?.(action, folded) ?? [];
    if (requirements.length === 0) continue;
    const violations = await unmetStreamRequirements(store, requirements, moment);
    if (violations.length > 0) refused.push({ action, violations: violations.map(({ field, rule, message }) => ({ field, rule, message: { ja: message.ja, en: message.en } })) });
  }
  return refused;
}
