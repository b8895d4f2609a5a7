import type { MachineEvent } from '@nws/engine';
import type { OrganizationRef } from '../shared/organizations';
import type { ReviewerRecord } from '../shared/review-decisions';

/**
 * One account issued: its login id and its holder (name and e-mail), encrypted under the holder's
 * key like the request's form, so erasing the person erases them here too. Accounts issued before
 * this version carry the e-mail alone, in clear, and no name (see account-request.personal-data.ts).
 */
export interface IssuedAccount {
  loginId: string;
  name?: string;
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
  /** `organization`: whose people the holders are (the actor is MIC); absent before this version. */
  | MachineEvent<'AccountIssued', { accounts: IssuedAccount[]; organization?: OrganizationRef; comment: string | null }>;
