import { v5 as uuidv5 } from 'uuid';
import type { EventToAppend, RecordedEvent } from '@nws/event-store';
import type { ClaimingCommand, ClaimRef, ClaimStatuses, StreamContent } from '@nws/engine';
import { organKey } from '../shared/organizations';

/**
 * One 登録 (first registration) per organ. The organ's master data must not exist when a 登録 is
 * submitted or approved, but it is written by a reaction after the approval: two 登録s of one organ
 * approved at once both passed that check, and the second registered as version 2 of the first. The
 * second approval claims the organ's first registration in a stream of its own, at the revision it
 * checked; an approval that was never stored (the application withdrawn meanwhile) claims nothing.
 */
export const FIRST_REGISTRATION_CLAIMED = 'FirstRegistrationClaimed';
export const firstRegistrationStream = (code: string, kind: string): string => `first-registration-${organKey(code, kind)}`;

const NAMESPACE = 'b4f1d2c3-6a7e-5b8f-9c0d-1e2f3a4b5c6d';

interface Claimant {
  readonly applicationId: string;
  readonly applicationNumber: string | null;
  readonly claim: ClaimRef;
}

const claimantOf = (event: RecordedEvent | undefined): Claimant | undefined => (event?.type === FIRST_REGISTRATION_CLAIMED ? (event.data as unknown as Claimant) : undefined);

export interface FirstRegistrationApplicant {
  readonly applicationId: string;
  readonly applicationNumber: string | null;
  readonly organization: { readonly code: string; readonly name: string; readonly kind: string };
}

/** Refuses a 登録 while another 登録 of the organ holds its approval (stored, or being stored); `claiming` at the second approval. */
export function firstRegistrationRequirement(applicant: FirstRegistrationApplicant, claiming: boolean): StreamContent {
  const { code, name, kind } = applicant.organization;
  const held = (event: RecordedEvent | undefined, claims: ClaimStatuses): Claimant | undefined => {
    const claimant = claimantOf(event);
    return claimant && claims(claimant.claim) !== 'lost' ? claimant : undefined;
  };
  return {
    streamId: firstRegistrationStream(code, kind),
    claimsIn: (event) => {
      const claimant = claimantOf(event);
      return claimant ? [claimant.claim] : [];
    },
    latest: (event, claims) => {
      const claimant = held(event, claims);
      if (!claimant || claimant.applicationId === applicant.applicationId) return [];
      const other = claimant.applicationNumber ?? claimant.applicationId;
      // Pending: the other approval is being recorded (or its process stopped first: held until that application moves on).
      const pending = claims(claimant.claim) === 'pending';
      return [
        {
          field: 'category',
          rule: 'firstRegistration',
          message: {
            ja: `category: ${name}（${kind}）の「登録」は別の申請（${other}）が${pending ? '承認の手続き中' : '承認済み'}です。そのマスタデータの登録後、「変更」で申請してください。`,
            en: `category: another 登録 of ${name} (${kind}) ${pending ? 'is being approved' : 'was approved'} (${other}): once its master data is registered, apply with 変更`,
          },
        },
      ];
    },
    ...(claiming
      ? {
          claim: (event: RecordedEvent | undefined, command: ClaimingCommand, claims: ClaimStatuses): EventToAppend | undefined => {
            const index = command.events.findIndex((e) => e.type === 'SecondReviewApproved');
            const approval = command.events[index];
            if (!approval || held(event, claims)?.applicationId === applicant.applicationId) return undefined;
            const data: Claimant = { applicationId: applicant.applicationId, applicationNumber: applicant.applicationNumber, claim: { streamId: command.streamId, revision: command.revision + index, type: approval.type } };
            return {
              // The place in the id: a claim made again at another revision (the first lost) is a new event, not a repeat.
              id: uuidv5(`first-registration\u0000${approval.id}\u0000${data.claim.revision}`, NAMESPACE),
              type: FIRST_REGISTRATION_CLAIMED,
              data: { ...data, claim: { ...data.claim } },
              metadata: { actor: { sub: 'system', org: 'MIC', role: 'system' }, occurredAt: String(approval.metadata['occurredAt']), causationId: approval.id },
            };
          },
        }
      : {}),
  };
}
