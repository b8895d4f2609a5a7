import { v5 as uuidv5 } from 'uuid';
import type { RecordedEvent } from '@nws/event-store';
import { appendAfterLast, type ReactionContext, type StreamContent } from '@nws/engine';
import { organKey } from '../shared/organizations';
import { claimantOf, organClaimRequirement } from './organ-claim';

/**
 * One 接続 (or 再開) of an organ at a time. Whether the organ is connected is read from its master
 * data (connection-application.connection.ts), which the registrar writes after the approval: two
 * approved at once both found it unconnected, and both were registered. The second approval claims
 * the organ's connection (organ-claim.ts); the registrar settles the claim once the version is
 * registered, from when the master data says it (and after the connection ends, a 再開 claims again).
 */
export const CONNECTION_CLAIMED = 'ConnectionClaimed';
export const CONNECTION_CLAIM_SETTLED = 'ConnectionClaimSettled';
export const connectionClaimStream = (code: string, kind: string): string => `connection-${organKey(code, kind)}`;

const NAMESPACE = '0e6b8c51-3f2a-5d7e-8b9c-4a1d2e3f5c60';
const kindOf = (code: string, kind: string) => ({ streamId: connectionClaimStream(code, kind), claimedType: CONNECTION_CLAIMED });

export interface ConnectingApplication {
  readonly applicationId: string;
  readonly applicationNumber: string | null;
  readonly organization: { readonly code: string; readonly name: string; readonly kind: string };
  /** 様03-06's 申請区分: the rule the refusal is said under. */
  readonly chosen: '接続' | '再開';
}

/** Refuses a 接続 or 再開 while another one of the organ holds an approval not yet registered; `claiming` at the second approval. */
export function connectionClaimRequirement(applicant: ConnectingApplication, claiming: boolean): StreamContent {
  const { code, name, kind } = applicant.organization;
  return organClaimRequirement(
    {
      ...kindOf(code, kind),
      namespace: NAMESPACE,
      refusal: (claimant, pending) => {
        const other = claimant.applicationNumber ?? claimant.applicationId;
        return {
          field: 'forms.03-06.category',
          rule: applicant.chosen === '接続' ? 'connectionOfUnconnected' : 'restartAfterEnd',
          message: {
            ja: `forms.03-06.category: ${name}（${kind}）の接続（再開）は別の申請（${other}）が${pending ? '承認の手続き中' : '承認済み'}です。そのマスタデータの登録後、「変更」で申請してください。`,
            en: `forms.03-06.category: another 接続 (or 再開) of ${name} (${kind}) ${pending ? 'is being approved' : 'was approved'} (${other}): once its master data is registered, apply with 変更`,
          },
        };
      },
    },
    applicant,
    claiming,
  );
}

/** Once the application's version is registered: its claim settled (idempotent; nothing when the last claim is another's). */
export async function settleConnectionClaim(context: ReactionContext, organization: { readonly code: string; readonly kind: string }, applicationId: string, approval: RecordedEvent): Promise<void> {
  const stream = connectionClaimStream(organization.code, organization.kind);
  await appendAfterLast(
    context.store,
    stream,
    (latest) =>
      claimantOf(kindOf(organization.code, organization.kind), latest)?.applicationId !== applicationId
        ? undefined
        : { id: uuidv5(`connection-claim-settled\u0000${latest!.id}`, NAMESPACE), type: CONNECTION_CLAIM_SETTLED, data: { applicationId }, metadata: { actor: { sub: 'system', org: 'MIC', role: 'system' }, occurredAt: context.now(), causationId: approval.id } },
    `settle the connection claim of ${stream}`,
  );
}
