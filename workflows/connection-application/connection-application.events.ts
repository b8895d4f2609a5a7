import type { MachineEvent } from '@nws/engine';
import type { OrganizationRef } from '../shared/organizations';
import type { ReviewerRecord } from '../shared/review-decisions';
import type { DelegationEntry, PendingDelegation } from './master-data/delegation-matching';

export type { OrganizationRef };

/** 申請区分 */
export const CATEGORIES = ['登録', '変更', '接続'] as const;
export type Category = (typeof CATEGORIES)[number];

/** 審査結果 */
export type ReviewResult = '承認' | '否認';
export type ReviewStage = 'first' | 'second';

export type Reviewer = ReviewerRecord;


export interface ApplicationCreatedData {
  applicationId: string;
  organization: OrganizationRef;
  category: Category;
}
export interface FormSavedData {
  formCode: string;
  form: { [key: string]: unknown };
}
/** A form taken out of the draft (a 様03-08 with no delegation left, a 様03-06 saved into a 変更): what it said stays in the history. */
export interface FormRemovedData {
  formCode: string;
}
export interface ApplicationSubmittedData {
  round: number;
  applicationNumber: string;
  firstReviewer: string;
  secondReviewer: string;
  /** Organ of the same body that must forward it first (a board of education's head department), or null. */
  forwardVia?: string | null;
}
export interface ApplicationForwardedData {
  round: number;
  comment: string | null;
  forwardedBy: { sub: string; org: string; organ: string; name: string | null; department: string | null };
}
export interface ReviewDecidedData {
  round: number;
  comment: string | null;
  reviewer: Reviewer;
}
export interface MasterDataRegisteredData {
  organizationCode: string;
  /** The organ whose master data it is (the application's organization.kind; absent on events recorded before organs had master data of their own). */
  organizationKind?: string;
  version: number;
  contentHash: string;
  /** The 突合 of this registration: delegations that entered the master data, and those held for their other side. */
  delegations?: { registered: DelegationEntry[]; pending: PendingDelegation[] };
}
export interface MasterDataDistributedData {
  organizationCode: string;
  organizationKind?: string;
  version: number;
  comment: string | null;
}
export interface ApplicationRevisedData {
  round: number;
}
export interface ApplicationWithdrawnData {
  reason: string | null;
}

/** Every event of the connection-application stream, past tense, as the machine folds them. */
export type ConnectionApplicationEvent =
  | MachineEvent<'ApplicationCreated', ApplicationCreatedData>
  | MachineEvent<'FormSaved', FormSavedData>
  | MachineEvent<'FormRemoved', FormRemovedData>
  | MachineEvent<'ApplicationSubmitted', ApplicationSubmittedData>
  | MachineEvent<'ApplicationForwarded', ApplicationForwardedData>
  | MachineEvent<'FirstReviewApproved', ReviewDecidedData>
  | MachineEvent<'FirstReviewRejected', ReviewDecidedData>
  | MachineEvent<'SecondReviewApproved', ReviewDecidedData>
  | MachineEvent<'SecondReviewRejected', ReviewDecidedData>
  | MachineEvent<'MasterDataRegistered', MasterDataRegisteredData>
  | MachineEvent<'MasterDataDistributed', MasterDataDistributedData>
  | MachineEvent<'ApplicationRevised', ApplicationRevisedData>
  | MachineEvent<'ApplicationWithdrawn', ApplicationWithdrawnData>;

export type ConnectionApplicationEventType = ConnectionApplicationEvent['type'];
