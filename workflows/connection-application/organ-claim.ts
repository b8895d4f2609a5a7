import { v5 as uuidv5 } from 'uuid';
import type { EventToAppend, RecordedEvent } from '@nws/event-store';
import type { ClaimingCommand, ClaimRef, ClaimStatuses, FieldViolation, StreamContent } from '@nws/engine';

/** The application whose second approval holds an organ's claim, and where that approval goes. */
export interface OrganClaimant {
  readonly applicationId: string;
  readonly applicationNumber: string | null;
  readonly claim: ClaimRef;
}

/** One kind of claim on an organ (a first registration, a connection): its stream, its event type and the ids of its events. */
export interface OrganClaimKind {
  readonly streamId: string;
  readonly claimedType: string;
  readonly namespace: string;
  /** What a command of another application is told while the claim holds; `pending`: that approval is still being stored. */
  readonly refusal: (claimant: OrganClaimant, pending: boolean) => FieldViolation;
}

export const claimantOf = (kind: Pick<OrganClaimKind, 'claimedType'>, event: RecordedEvent | undefined): OrganClaimant | undefined =>
  event?.type === kind.claimedType ? (event.data as unknown as OrganClaimant) : undefined;

/**
 * One application of an organ at a time, for what the store shows only after a reaction to the
 * approval has run (the master data): the second approval claims the organ in a stream of its own,
 * at the revision it checked, and another application's command is refused while the last claim
 * holds (its approval stored, or being stored). An approval never stored (the application withdrawn
 * meanwhile) holds nothing; what ends a stored one is the kind's (another event after it).
 */
export function organClaimRequirement(kind: OrganClaimKind, applicant: Omit<OrganClaimant, 'claim'>, claiming: boolean): StreamContent {
  const held = (event: RecordedEvent | undefined, claims: ClaimStatuses): OrganClaimant | undefined => {
    const claimant = claimantOf(kind, event);
    return claimant && claims(claimant.claim) !== 'lost' ? claimant : undefined;
  };
  return {
    streamId: kind.streamId,
    claimsIn: (event) => {
      const claimant = claimantOf(kind, event);
      return claimant ? [claimant.claim] : [];
    },
    latest: (event, claims) => {
      const claimant = held(event, claims);
      return !claimant || claimant.applicationId === applicant.applicationId ? [] : [kind.refusal(claimant, claims(claimant.claim) === 'pending')];
    },
    ...(claiming
      ? {
          claim: (event: RecordedEvent | undefined, command: ClaimingCommand, claims: ClaimStatuses): EventToAppend | undefined => {
            const index = command.events.findIndex((e) => e.type === 'SecondReviewApproved');
            const approval = command.events[index];
            if (!approval || held(event, claims)?.applicationId === applicant.applicationId) return undefined;
            const claim: ClaimRef = { streamId: command.streamId, revision: command.revision + index, type: approval.type };
            return {
              // The place in the id: a claim made again at another revision (the first lost) is a new event, not a repeat.
              id: uuidv5(`${kind.claimedType}\u0000${approval.id}\u0000${claim.revision}`, kind.namespace),
              type: kind.claimedType,
              data: { applicationId: applicant.applicationId, applicationNumber: applicant.applicationNumber, claim: { ...claim } },
              metadata: { actor: { sub: 'system', org: 'MIC', role: 'system' }, occurredAt: String(approval.metadata['occurredAt']), causationId: approval.id },
            };
          },
        }
      : {}),
  };
}
