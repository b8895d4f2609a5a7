import { v5 as uuidv5 } from 'uuid';
import { WrongExpectedRevisionError, type JsonObject, type RecordedEvent } from '@nws/event-store';
import type { ReactionContext, WorkflowReaction } from '@nws/engine';
import type { ConnectionApplicationContext } from '../connection-application.machine';
import { SYSTEM_ACTOR } from '../connection-application.policy';
import { defaultOrganFor } from '../../shared/organizations';
import { contentHash, masterDataContent, masterDataStream, withoutErasedContacts } from './master-data.content';
import { settleProvidedInformation } from './withheld-provisions';
import {
  counterpartCodes,
  delegationEntriesOf,
  delegationOutcome,
  filingOfVersion,
  matchedWith,
  pendingEntries,
  registeredEntries,
  settleDelegations,
  statusChanges,
  type CounterpartFilings,
  type DelegationEntry,
  type DelegationFiling,
} from './delegation-matching';
import { settleConnectionClaim } from '../connection-claim';
import { byBody, readCounterpartFilings, readLatestVersion, readVersion, type OrganVersions } from './master-data.reader';

const NAMESPACE = '0b7d2f3e-9c1a-5e4b-8d6f-3a2c1b0e9f8d';
const MAX_ATTEMPTS = 20;

/** What `register-master-data` needs to decide the 突合 again, exactly as the version was registered. */
export interface RegistrationPayload extends JsonObject {
  version: number;
  contentHash: string;
  previous: JsonObject | null;
  counterparts: JsonObject;
}

/**
 * Registers an approved application as the next version of its body's master data, and settles
 * the delegation 突合 (delegation-matching.ts) with the bodies it names.
 *
 * 1. The approved content is registered as the body's next version: delegations whose other side
 *    is in the counterpart's current master data enter it; the others are held (pendingDelegations,
 *    not content). The version records which counterpart versions it was matched against.
 * 2. Reconciliation: every body of the codes involved is settled again against the others; a
 *    body whose held entries are now matched (or whose matched entries lost their other side) gets
 *    a new version whose `cause` names the application that matched it. This also settles two
 *    approvals registered at the same moment, each not yet seeing the other: whichever reconciles
 *    last sees both (appends are linearised by the store).
 * 3. `register-master-data` records the version and the 突合 on the application itself.
 *
 * The versions of one body (an organ: a code's 首長部局 and its 教育委員会 are two bodies) live in
 * their own stream (masterDataStream(code, kind)), so two registrations of a body can never take
 * the same version number: the append's revision check decides. Runs right after
 * the second approval and again on the worker's catch-up after a crash; every step is idempotent
 * (event ids derive from the approval, or from the version and content they derive from).
 */
export const registerMasterDataReaction: WorkflowReaction = {
  name: 'register-master-data',
  on: ['SecondReviewApproved'],
  async handle(approval: RecordedEvent, context: ReactionContext): Promise<void> {
    const applicationId = approval.streamId.replace(/^application-/, '');
    // Catch-up after a restart replays every approval: skip those whose registration is recorded.
    const current = await context.load(applicationId);
    const now = current.snapshot.context as ConnectionApplicationContext;
    // A 接続's claim on its organ's connection is settled once the version is there (connection-claim.ts).
    if (now.masterData !== null) return now.category === '接続' ? settleConnectionClaim(context, now.organization, applicationId, approval) : undefined;
    const approved = await context.load(applicationId, approval.revision);
    const ctx = approved.snapshot.context as ConnectionApplicationContext;
    const registered = await appendVersion(context, ctx, approval);
    if (ctx.category === '接続') await settleConnectionClaim(context, ctx.organization, applicationId, approval);
    const payload = await payloadOf(context, registered);
    const filing = filingOfVersion(registered.data);
    const previous = payload.previous ? (payload.previous as unknown as DelegationFiling) : null;
    const involved = counterpartCodes([...filing.entries, ...(previous?.entries ?? [])]);
    if (involved.length > 0) await reconcile(context, ctx, approval, [ctx.organization.code, ...involved]);
    await context.execute(applicationId, 'register-master-data', payload, {
      actor: SYSTEM_ACTOR,
      now: context.now(),
      commandId: uuidv5(`register-master-data\u0000${approval.id}`, NAMESPACE),
      correlationId: String(approval.metadata['correlationId'] ?? approval.id),
      causationId: approval.id,
    });
  },
};

const correlationOf = (approval: RecordedEvent) => String(approval.metadata['correlationId'] ?? approval.id);

/** The approval's own version: found if registered before (a replay), else appended now. */
async function appendVersion(context: ReactionContext, ctx: ConnectionApplicationContext, approval: RecordedEvent): Promise<RecordedEvent> {
  const code = ctx.organization.code;
  const kind = ctx.organization.kind;
  const stream = masterDataStream(code, kind);
  const eventId = uuidv5(`master-data-version\u0000${approval.id}`, NAMESPACE);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const own = await readLatestVersion(context.store, code, kind);
    // The same approval may be registered twice at once (the command's own reaction and the
    // reactor's catch-up). On EventStoreDB a repeat with a moved expected revision would be a new
    // write, so look at the newest versions first: a body gains a version only per full review.
    if (own.lastRevision !== undefined) {
      const recent = await findVersionOf(context, code, kind, approval.id, Math.max(0, own.lastRevision - 9));
      if (recent) return recent;
    }
    const base = own.latest;
    const previous = base ? filingOfVersion(base.data) : null;
    const form0308 = ctx.forms['03-08']?.data;
    const codes = counterpartCodes(form0308 ? delegationEntriesOf(form0308, code) : (previous?.entries ?? []));
    const { filings: counterparts } = await readCounterpartFilings(context.store, codes);
    const outcome = delegationOutcome({ code, kind }, form0308, previous, counterparts);
    const { content, filed } = settleProvidedInformation(
      masterDataContent(ctx, { base: base?.data['content'] as JsonObject | undefined, delegations: outcome.registered }),
      // Not filed now: the rows the base version carries, withheld ones included.
      ctx.forms['03-07'] ? undefined : filedRowsOf(base?.data),
      outcome.registered,
      outcome.pending,
      ctx.organization,
    );
    const hash = contentHash(content);
    // Version n is the stream's event at revision n − 1: the revision check makes versions unique.
    const version = (own.lastRevision ?? -1) + 2;
    let appended: number;
    try {
      const result = await context.store.append(
        stream,
        [
          {
            id: eventId,
            type: 'MasterDataVersionRegistered',
            data: {
              organizationCode: code,
              organizationKind: kind,
              version,
              applicationId: ctx.applicationId,
              applicationNumber: ctx.applicationNumber,
              category: ctx.category,
              sourceEventId: approval.id,
              basedOnVersion: previous?.version ?? null,
              contentHash: hash,
              content,
              ...(filed ? { providedInformationFiled: filed } : {}),
              pendingDelegations: outcome.pending as unknown as JsonObject[],
              matchedAgainst: {
                codes: counterparts.codes,
                versions: counterparts.filings.map((f) => ({ organizationCode: f.organizationCode, organizationKind: f.organizationKind, version: f.version })),
              },
              cause: { kind: 'approval', applicationId: ctx.applicationId, applicationNumber: ctx.applicationNumber, approvalEventId: approval.id },
            },
            metadata: { actor: { ...SYSTEM_ACTOR }, occurredAt: context.now(), correlationId: correlationOf(approval), causationId: approval.id },
          },
        ],
        own.lastRevision === undefined ? 'no_stream' : own.lastRevision,
      );
      appended = result.nextExpectedRevision;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Lost a race, or (on stores whose idempotency needs the original expected revision) this
      // approval was registered before: look for it before taking the next number.
      const existing = await findVersionOf(context, code, kind, approval.id);
      if (existing) return existing;
      continue;
    }
    // What the store holds: an idempotent repeat answers with the first registration, whatever we computed.
    const stored = await readVersion(context.store, code, kind, appended + 1);
    if (stored?.data['sourceEventId'] === approval.id) return stored;
    const existing = await findVersionOf(context, code, kind, approval.id);
    if (existing) return existing;
  }
  throw new Error(`could not register master data of ${code} (${kind}): too much contention`);
}

/**
 * The version this approval registered, if any. Scanned as stored (sourceEventId is never
 * personal): decrypting the published contacts of every version scanned was most of an approval's
 * reaction time. Only the version found is read again, in clear.
 */
async function findVersionOf(context: ReactionContext, code: string, kind: string, sourceEventId: string, fromRevision = 0): Promise<RecordedEvent | undefined> {
  for await (const event of context.store.readStream(masterDataStream(code, kind), { fromRevision, asStored: true })) {
    // Version n is the stream's event at revision n − 1.
    if (event.data['sourceEventId'] === sourceEventId) return await readVersion(context.store, code, kind, event.revision + 1);
  }
  return undefined;
}

/** The command's payload, rebuilt from the stored version and the versions it names: the same on every replay. */
async function payloadOf(context: ReactionContext, registered: RecordedEvent): Promise<RegistrationPayload> {
  const data = registered.data;
  const { organizationCode: code, organizationKind: kind } = filingOfVersion(data);
  const basedOn = typeof data['basedOnVersion'] === 'number' ? data['basedOnVersion'] : null;
  const base = basedOn === null ? undefined : await readVersion(context.store, code, kind, basedOn);
  const against = (data['matchedAgainst'] ?? { codes: [], versions: [] }) as { codes: string[]; versions: Array<{ organizationCode: string; organizationKind?: string; version: number }> };
  const filings: DelegationFiling[] = [];
  for (const v of against.versions) {
    // Versions recorded before organs had streams of their own name no organ: the code's default organ's stream held them.
    const event = await readVersion(context.store, v.organizationCode, v.organizationKind ?? defaultOrganFor(v.organizationCode), v.version);
    if (event) filings.push(filingOfVersion(event.data));
  }
  const counterparts: CounterpartFilings = { codes: [...against.codes], filings: filings.sort(byBody) };
  return {
    version: Number(data['version']),
    contentHash: String(data['contentHash']),
    previous: base ? (filingOfVersion(base.data) as unknown as JsonObject) : null,
    counterparts: counterparts as unknown as JsonObject,
  };
}

/**
 * Settles every body (organ) of these codes against the others and registers a new version for
 * each body whose delegations changed status, each in its own stream. Repeats until nothing
 * changes (a lost append race re-reads).
 */
async function reconcile(context: ReactionContext, ctx: ConnectionApplicationContext, approval: RecordedEvent, codes: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { filings, versions } = await readCounterpartFilings(context.store, codes);
    const pending: Array<{ organ: OrganVersions; event: ReturnType<typeof derivedVersion> }> = [];
    for (const organ of versions) {
      if (!organ.latest) continue;
      const body = filingOfVersion(organ.latest.data);
      const settled = settleDelegations(body.entries, { code: organ.code, kind: organ.kind }, filings);
      const changes = statusChanges(body.entries, settled);
      if (changes.matched.length === 0 && changes.unmatched.length === 0) continue;
      const version = (organ.lastRevision ?? -1) + 2;
      pending.push({ organ, event: derivedVersion(organ.latest, organ.kind, version, settled, changes, filings.filings, ctx, approval, context.now()) });
    }
    if (pending.length === 0) return;
    let lost = false;
    for (const { organ, event } of pending) {
      try {
        await context.store.append(organ.stream, [event], organ.lastRevision ?? 'no_stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        lost = true;
      }
    }
    if (!lost) return;
  }
  throw new Error(`could not settle the delegations of ${ctx.organization.code}: too much contention`);
}

/** The body's current version with its delegations settled anew, and why. */
function derivedVersion(
  current: RecordedEvent,
  kind: string,
  version: number,
  settled: ReturnType<typeof settleDelegations>,
  changes: { matched: DelegationEntry[]; unmatched: DelegationEntry[] },
  filings: readonly DelegationFiling[],
  ctx: ConnectionApplicationContext,
  approval: RecordedEvent,
  now: string,
): { id: string; type: string; data: JsonObject; metadata: JsonObject } {
  const data = current.data;
  const { form0308: _legacy, ...carried } = { ...(data['content'] as JsonObject) };
  if ('contacts' in carried) carried['contacts'] = withoutErasedContacts(carried['contacts']);
  carried['delegations'] = registeredEntries(settled) as unknown as JsonObject[];
  // A provided row withheld while its delegation waited comes back once it is matched (and goes once unmatched).
  const name = ((carried['organization'] ?? {}) as { name?: unknown }).name;
  const { content, filed } = settleProvidedInformation(carried, filedRowsOf(data), registeredEntries(settled), pendingEntries(settled), { code: String(data['organizationCode']), kind, ...(typeof name === 'string' ? { name } : {}) });
  const hash = contentHash(content);
  const code = String(data['organizationCode']);
  const matchedBody = (entry: DelegationEntry) => {
    const other = matchedWith(entry, { code, kind }, filings);
    return other ? { organizationCode: other.organizationCode, organizationKind: other.organizationKind, version: other.version, applicationId: other.applicationId, applicationNumber: other.applicationNumber } : null;
  };
  return {
    id: uuidv5(`master-data-derived\u0000${code}\u0000${kind}\u0000${String(data['version'])}\u0000${hash}`, NAMESPACE),
    type: 'MasterDataVersionRegistered',
    data: {
      organizationCode: code,
      organizationKind: kind,
      version,
      applicationId: data['applicationId'] ?? null,
      applicationNumber: data['applicationNumber'] ?? null,
      category: data['category'] ?? null,
      sourceEventId: null,
      basedOnVersion: Number(data['version']),
      contentHash: hash,
      content,
      ...(filed ? { providedInformationFiled: filed } : {}),
      pendingDelegations: pendingEntries(settled) as unknown as JsonObject[],
      cause: {
        kind: 'delegation-match',
        applicationId: ctx.applicationId,
        applicationNumber: ctx.applicationNumber,
        organizationCode: ctx.organization.code,
        approvalEventId: approval.id,
        matched: changes.matched.map((entry) => ({ ...entry, matchedWith: matchedBody(entry) })) as unknown as JsonObject[],
        unmatched: changes.unmatched as unknown as JsonObject[],
      },
    },
    metadata: { actor: { ...SYSTEM_ACTOR }, occurredAt: now, correlationId: correlationOf(approval), causationId: approval.id },
  };
}

/** The 様03-07 (2) rows a version keeps beside its content (withheld ones included); undefined before versions kept them. */
function filedRowsOf(data: JsonObject | undefined): JsonObject[] | undefined {
  const filed = data?.['providedInformationFiled'];
  return Array.isArray(filed) ? (filed as JsonObject[]) : undefined;
}
