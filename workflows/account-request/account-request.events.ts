import type { MachineEvent } from '@nws/engine';
import type { OrganizationRef } from '../shared/organizations';
import type { ReviewerRecord } from '../shared/review-decisions';

export interface IssuedAccount {
  loginId: string;
  email: string;
}

/** Events of an account request (情報共有サイト アカウント発行申請), past tense. */
export type AccountRequestEvent =
  | MachineEvent<'ApplicationCreated', { applicationId: string; organization: OrganizationRef; category: 'アカウント発行' }>
  | MachineEvent<'FormSaved', { formCode: string; form: { [key: string]: unknown } }>
  | MachineEvent<'ApplicationSubmitted', { round: number; applicationNumber: string; firstReviewer: string; secondReviewer: string }>
  | MachineEvent<'FirstReviewApproved' | 'FirstReviewRejected' | 'SecondReviewApproved' | 'SecondReviewRejected', { round: number; comment: string | null; reviewer: ReviewerRecord }>
  | MachineEvent<'ApplicationRevised', { round: number }>
  | MachineEvent<'ApplicationWithdrawn', { reason: string | null }>
  | MachineEvent<'AccountIssued', { accounts: IssuedAccount[]; comment: string | null }>;
