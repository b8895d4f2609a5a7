import { v5 as uuidv5 } from 'uuid';
import { WrongExpectedRevisionError, type EventToAppend, type JsonObject, type RecordedEvent } from '@nws/event-store';
import type { FieldViolation, ReactionContext, StreamRequirement, WorkflowReaction } from '@nws/engine';
import { PLACEHOLDER } from '../../libs/personal-data/src/personal-data.declaration';
import { organKey, type OrganizationRef } from '../shared/organizations';
import { addressKey } from './forms/account-request.form';

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
  readonly name: string;
  readonly email: string;
  readonly applicationId: string;
}

const sameAddress = (a: string, b: string): boolean => addressKey(a) === addressKey(b);

function holdersOf(event: RecordedEvent | undefined): RecordedHolder[] {
  const holders = event?.data['holders'];
  if (!Array.isArray(holders)) return [];
  return (holders as unknown as RecordedHolder[]).filter((h) => typeof h.email === 'string' && h.email !== PLACEHOLDER.erased && h.name !== PLACEHOLDER.erased);
}

/**
 * A holder of this request already holding an account of the organ (another request's): refused at
 * submission, at the second approval and at issue. At issue the holders are recorded in the same
 * step (`claim`, at the revision checked): checked, then recorded after the issue by a reaction,
 * two requests issued at once both passed the check and one address got two accounts.
 */
export function accountHolderRequirement(organization: Pick<OrganizationRef, 'code' | 'kind'>, applicationId: string, holders: ReadonlyArray<{ email?: unknown }>, claiming = false): StreamRequirement {
  return {
    streamId: accountHoldersStream(organization),
    ...(claiming
      ? {
          claim: (latest: RecordedEvent | undefined, appending: readonly EventToAppend[]) => {
            const issued = appending.find((e) => e.type === 'AccountIssued');
            return issued && holdersRecord(latest, { ...issued, applicationId }, String(issued.metadata['occurredAt']));
          },
        }
      : {}),
    latest: (event) =>
      holders.flatMap((holder, i): FieldViolation[] => {
        const email = typeof holder.email === 'string' ? holder.email : '';
        const held = holdersOf(event).find((h) => h.applicationId !== applicationId && sameAddress(h.email, email));
        if (!held) return [];
        const field = `forms.AR-01.holders[${i}].email`;
        return [
          {
            field,
            rule: 'oneAccountPerAddress',
            message: {
              ja: `${field}: このメールアドレスには既にアカウント（${held.loginId}）が発行されています。1つのアドレスに発行するアカウントは1つです。`,
              en: `${field}: an account (${held.loginId}) was issued to this address already: one account per address`,
            },
          },
        ];
      }),
  };
}

type IssuedEvent = Pick<RecordedEvent, 'id' | 'data'> & { readonly applicationId: string };

/**
 * The organ's list with the holders of this issue (each event the whole list), or undefined when it
 * is recorded already (by the claim or this reaction before). Its id derives from the issue
 * event's: whoever records it first, the other one's append is the same event.
 */
function holdersRecord(latest: RecordedEvent | undefined, issued: IssuedEvent, occurredAt: string): EventToAppend | undefined {
  const data = issued.data as { accounts?: Array<{ loginId: string; name?: string; email: string }>; organization?: OrganizationRef };
  // Accounts issued before holders were named (no organization in the event) are not listed.
  if (!data.organization || !Array.isArray(data.accounts)) return undefined;
  const id = uuidv5(`account-holders\u0000${issued.id}`, NAMESPACE);
  if (latest?.id === id || (latest?.data['sources'] as string[] | undefined)?.includes(issued.id)) return undefined;
  const added = data.accounts.filter((a) => typeof a.name === 'string').map((a): RecordedHolder => ({ loginId: a.loginId, name: a.name!, email: a.email, applicationId: issued.applicationId }));
  const holders = [...holdersOf(latest).filter((h) => h.applicationId !== issued.applicationId), ...added];
  const sources = [...((latest?.data['sources'] as string[] | undefined) ?? []), issued.id].slice(-100);
  return {
    id,
    type: ACCOUNT_HOLDERS_RECORDED,
    data: { organization: { ...data.organization }, holders: holders as unknown as JsonObject[], sources },
    metadata: { actor: { sub: 'system', org: 'MIC', role: 'system' }, occurredAt, causationId: issued.id },
  };
}

/**
 * After an account is issued: its holders join the organ's list, unless the issue recorded them
 * itself (every issue since the claim; kept for issues recorded before it). Idempotent.
 */
export const recordAccountHoldersReaction: WorkflowReaction = {
  name: 'record-account-holders',
  on: ['AccountIssued'],
  async handle(issued: RecordedEvent, context: ReactionContext): Promise<void> {
    const organization = (issued.data as { organization?: OrganizationRef }).organization;
    if (!organization) return;
    const stream = accountHoldersStream(organization);
    const applicationId = issued.streamId.replace(/^application-/, '');
    for (let attempt = 0; attempt < 10; attempt++) {
      let latest: RecordedEvent | undefined;
      const revision = await context.store.streamRevision(stream);
      if (revision !== undefined) for await (const event of context.store.readStream(stream, { fromRevision: revision })) latest = event;
      const record = holdersRecord(latest, { id: issued.id, data: issued.data, applicationId }, context.now());
      if (!record) return;
      try {
        await context.store.append(stream, [record], latest === undefined ? 'no_stream' : latest.revision);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new Error(`could not record the account holders of ${stream}: too much contention`);
  },
};
