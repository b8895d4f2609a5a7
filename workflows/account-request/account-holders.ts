import { v5 as uuidv5 } from 'uuid';
import type { EventToAppend, JsonObject, RecordedEvent } from '@nws/event-store';
import { appendAfterLast, type ClaimingCommand, type ClaimRef, type ClaimStatus, type ClaimStatuses, type FieldViolation, type ReactionContext, type StreamRequirement, type WorkflowReaction } from '@nws/engine';
import { PLACEHOLDER } from '../../libs/personal-data/src/personal-data.declaration';
import { organKey, type OrganizationRef } from '../shared/organizations';
import { accountRequestForm, addressKey } from './forms/account-request.form';

/**
 * The holders an organ's accounts were issued to, across its account requests: one account per
 * address. Within one request a holder twice is refused by the form; a second request naming a
 * holder again was issued a second account. Kept in a stream of the organ's own, each event the
 * whole list (names and e-mails, encrypted under each holder's key like the form's: an erased
 * holder is read back as ［消去済み］, is left out of the next list, and may be issued an account again).
 */
export const ACCOUNT_HOLDERS_RECORDED = 'AccountHoldersRecorded';
export const accountHoldersStream = (organization: Pick<OrganizationRef, 'code' | 'kind'>): string => `account-holders-${organKey(organization.code, organization.kind)}`;

const NAMESPACE = '6d2f0c7a-51e4-5b8e-9a3c-2f7d1e0b4c59';

export interface RecordedHolder {
  readonly loginId: string;
  /** Absent: an account issued before holders were named whose holder the request's form no longer tells (its e-mail in clear, as in that AccountIssued). */
  readonly name?: string;
  readonly email: string;
  readonly applicationId: string;
  /** Approved for issue (claimed at the second approval), or issued. Absent: issued (recorded before approvals claimed). */
  readonly status?: HolderStatus;
  /** Where the claiming command was to store its event, until the next list finds it stored. */
  readonly claim?: ClaimRef;
}

export type HolderStatus = 'approved' | 'issued';

/** An account of a request, as issued or as it will be (login ids derive from the request: the same at approval and at issue). */
export type HolderAccount = {
  readonly loginId: string;
  readonly name: string;
  readonly email: string;
};

const sameAddress = (a: string, b: string): boolean => addressKey(a) === addressKey(b);

/** The holders listed, but not the erased (they may be issued an account again) nor those of a claim whose command's event was never stored. */
export function holdersOf(event: RecordedEvent | undefined, claims: ClaimStatuses): RecordedHolder[] {
  const holders = event?.data['holders'];
  if (!Array.isArray(holders)) return [];
  return (holders as unknown as RecordedHolder[]).filter(
    (h) => typeof h.email === 'string' && h.email !== PLACEHOLDER.erased && h.name !== PLACEHOLDER.erased && (h.claim === undefined || claims(h.claim) !== 'lost'),
  );
}

function claimsIn(event: RecordedEvent): ClaimRef[] {
  const holders = event.data['holders'];
  return Array.isArray(holders) ? (holders as unknown as RecordedHolder[]).flatMap((h) => (h.claim ? [h.claim] : [])) : [];
}

/** What the request claims as its command passes the check: its accounts, approved for issue or issued. */
export interface HolderClaim {
  readonly status: HolderStatus;
  readonly accounts: readonly HolderAccount[];
  readonly organization: OrganizationRef;
}

/**
 * A holder of this request already holding an account of the organ, or approved for one (another
 * request's): refused at submission, at the second approval and at issue. The second approval and
 * the issue record the request's holders in the list in the same step (`claim`, at the revision
 * checked): checked, then recorded after the issue by a reaction, requests issued or approved at
 * once all passed the check and one address got several accounts. A claim whose approval or issue
 * was never stored (withdrawn meanwhile) holds nobody.
 */
export function accountHolderRequirement(organization: Pick<OrganizationRef, 'code' | 'kind'>, applicationId: string, holders: ReadonlyArray<{ email?: unknown }>, claiming?: HolderClaim): StreamRequirement {
  return {
    streamId: accountHoldersStream(organization),
    claimsIn,
    ...(claiming ? { claim: (latest: RecordedEvent | undefined, command: ClaimingCommand, claims: ClaimStatuses) => claimHolders(latest, command, claims, applicationId, claiming) } : {}),
    latest: (event, claims) =>
      holders.flatMap((holder, i): FieldViolation[] => {
        const email = typeof holder.email === 'string' ? holder.email : '';
        const held = holdersOf(event, claims).find((h) => h.applicationId !== applicationId && sameAddress(h.email, email));
        if (!held) return [];
        const field = `forms.AR-01.holders[${i}].email`;
        // A claim not yet found stored: the other request's approval or issue is being recorded (or its
        // process stopped before it was: it holds until that request moves on).
        const pending = held.claim !== undefined && claims(held.claim) === 'pending';
        const [ja, en] = pending
          ? ['発行の手続き中です（別の申請の承認又は発行を記録中）', 'is being approved or issued, for another request,']
          : held.status === 'approved'
            ? ['発行される予定です（別の申請が承認済み）', 'was approved for issue']
            : ['発行されています', 'was issued'];
        return [
          {
            field,
            rule: 'oneAccountPerAddress',
            message: {
              ja: `${field}: このメールアドレスには既にアカウント（${held.loginId}）が${ja}。1つのアドレスに発行するアカウントは1つです。`,
              en: `${field}: an account (${held.loginId}) ${en} to this address already: one account per address`,
            },
          },
        ];
      }),
  };
}

function claimHolders(latest: RecordedEvent | undefined, command: ClaimingCommand, claims: ClaimStatuses, applicationId: string, claiming: HolderClaim): EventToAppend | undefined {
  const index = command.events.findIndex((e) => e.type === (claiming.status === 'issued' ? 'AccountIssued' : 'SecondReviewApproved'));
  const event = command.events[index];
  if (!event) return undefined;
  const own = holdersOf(latest, claims).filter((h) => h.applicationId === applicationId);
  const recorded = own.length === claiming.accounts.length && claiming.accounts.every((a) => own.some((h) => h.loginId === a.loginId && (h.status ?? 'issued') === claiming.status));
  if (recorded) return undefined;
  const claim: ClaimRef = { streamId: command.streamId, revision: command.revision + index, type: event.type };
  const added = claiming.accounts.map((a): RecordedHolder => ({ ...a, applicationId, status: claiming.status, claim }));
  return holdersEvent(latest, claims, { id: event.id, applicationId, organization: claiming.organization, place: claim.revision }, added, String(event.metadata['occurredAt']));
}

/**
 * The organ's list with `added` in place of the application's holders (each event the whole list).
 * Claims found stored are kept no longer. Its id derives from the event it records, and a claim's
 * from the place it claims too: whoever records it first, the other one's append is the same event;
 * but a command that claims again at another revision (its first claim lost: the application moved
 * on meanwhile) makes a new claim, not a repeat the store would answer without writing it.
 */
export function holdersEvent(latest: RecordedEvent | undefined, claims: ClaimStatuses, source: { id: string; applicationId: string; organization: OrganizationRef; place?: number }, added: RecordedHolder[], occurredAt: string): EventToAppend {
  const kept = holdersOf(latest, claims)
    .filter((h) => h.applicationId !== source.applicationId)
    .map(({ claim, ...h }) => (claim === undefined || claims(claim) === 'stored' ? h : { ...h, claim }));
  const sources = [...((latest?.data['sources'] as string[] | undefined) ?? []), source.id].slice(-100);
  return {
    id: uuidv5(`account-holders\u0000${source.id}${source.place === undefined ? '' : `\u0000${source.place}`}`, NAMESPACE),
    type: ACCOUNT_HOLDERS_RECORDED,
    data: { organization: { ...source.organization }, holders: [...kept, ...added] as unknown as JsonObject[], sources },
    metadata: { actor: { sub: 'system', org: 'MIC', role: 'system' }, occurredAt, causationId: source.id },
  };
}

/**
 * After an account is issued: its holders join the organ's list, unless the issue recorded them
 * itself (every issue since issues claim; kept for issues recorded before). Idempotent. Claims of
 * other requests are kept as they are: the next claim settles them. Issues recorded before holders
 * were named (no `organization`, accounts by e-mail alone) are listed too, with the request's organ
 * (the application's): left out, their addresses were issued a second account. The reactor runs
 * this once more over the issues it had passed before that (`catchUp`).
 */
export const recordAccountHoldersReaction: WorkflowReaction = {
  name: 'record-account-holders',
  on: ['AccountIssued'],
  catchUp: 'issues-before-holders-were-named',
  async handle(issued: RecordedEvent, context: ReactionContext): Promise<void> {
    const data = issued.data as { accounts?: IssuedAccount[]; organization?: OrganizationRef };
    if (!Array.isArray(data.accounts)) return;
    const applicationId = issued.streamId.replace(/^application-/, '');
    const named = data.organization ? { organization: data.organization, holders: namedHolders(data.accounts, applicationId) } : await legacyHolders(data.accounts, applicationId, issued, context);
    if (named.holders.length === 0) return;
    const id = uuidv5(`account-holders\u0000${issued.id}`, NAMESPACE);
    await recordInHoldersList(context, named.organization, (latest, held) => {
      const own = holdersOf(latest, held).filter((h) => h.applicationId === applicationId && (h.status ?? 'issued') === 'issued');
      if (latest?.id === id || (latest?.data['sources'] as string[] | undefined)?.includes(issued.id) || own.length > 0) return undefined;
      return holdersEvent(latest, held, { id: issued.id, applicationId, organization: named.organization }, named.holders, context.now());
    });
  },
};

/**
 * A reaction's record in the organ's list, appended at the revision of the list it was made from
 * (`record` answers undefined when nothing is to be recorded); made again from the list as it is
 * when another record came first. A reaction judges no claim: every claim counts as held.
 */
export async function recordInHoldersList(context: ReactionContext, organization: Pick<OrganizationRef, 'code' | 'kind'>, record: (latest: RecordedEvent | undefined, held: ClaimStatuses) => EventToAppend | undefined): Promise<void> {
  const stream = accountHoldersStream(organization);
  const held = (): ClaimStatus => 'pending';
  await appendAfterLast(context.store, stream, (latest) => record(latest, held), `record the account holders of ${stream}`);
}

type IssuedAccount = { loginId: string; name?: string; email: string };

function namedHolders(accounts: readonly IssuedAccount[], applicationId: string): RecordedHolder[] {
  return accounts.filter((a) => typeof a.name === 'string').map((a): RecordedHolder => ({ loginId: a.loginId, name: a.name!, email: a.email, applicationId, status: 'issued' }));
}

const readable = (value: unknown): value is string => typeof value === 'string' && value !== PLACEHOLDER.erased && value !== PLACEHOLDER.unreadable;

/**
 * The holders of an issue recorded before they were named: the organ is the request's, and each
 * account's holder is the form's holder of its address. Named from the form, the entry is encrypted
 * under the holder's key and goes with an erasure, as the holders named since; a holder the form
 * shows erased is left out (may be issued again, as any erased holder); one the form cannot tell
 * (unreadable: no key store) is listed by the e-mail the issue holds in clear, without a name.
 */
async function legacyHolders(accounts: readonly IssuedAccount[], applicationId: string, issued: RecordedEvent, context: ReactionContext): Promise<{ organization: OrganizationRef; holders: RecordedHolder[] }> {
  const ctx = (await context.load(applicationId, issued.revision)).snapshot.context as { organization: OrganizationRef; forms: Record<string, { data: JsonObject } | undefined> };
  const formHolders = (ctx.forms[accountRequestForm.code]?.data['holders'] ?? []) as Array<{ name?: unknown; email?: unknown }>;
  const erasedSince = formHolders.some((h) => h.name === PLACEHOLDER.erased || h.email === PLACEHOLDER.erased);
  const holders = accounts.flatMap((account): RecordedHolder[] => {
    if (typeof account.email !== 'string' || typeof account.loginId !== 'string') return [];
    const holder = formHolders.find((h) => readable(h.email) && sameAddress(h.email, account.email));
    if (holder && readable(holder.name)) return [{ loginId: account.loginId, name: holder.name, email: account.email, applicationId, status: 'issued' }];
    if (erasedSince) return [];
    return [{ loginId: account.loginId, email: account.email, applicationId, status: 'issued' }];
  });
  return { organization: ctx.organization, holders };
}
