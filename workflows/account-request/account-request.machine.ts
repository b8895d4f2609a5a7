import { assign, setup } from 'xstate';
import type { OrganizationRef } from '../shared/organizations';
import type { ReviewerRecord } from '../shared/review-decisions';
import type { AccountRequestEvent, IssuedAccount } from './account-request.events';

export const ACCOUNT_REQUEST_MACHINE_VERSION = '1';

export interface AccountRequestContext {
  applicationId: string;
  organization: OrganizationRef;
  round: number;
  applicationNumber: string | null;
  forms: { [formCode: string]: { data: { [key: string]: unknown }; round: number; savedAt: string; savedBy: { sub: string; name: string | null } } };
  reviews: Array<{ round: number; stage: 'first' | 'second'; result: '承認' | '否認'; comment: string | null; reviewer: ReviewerRecord; at: string }>;
  firstReviewer: string | null;
  secondReviewer: string | null;
  firstDecidedBy: string | null;
  accounts: IssuedAccount[];
  /** As a connection application keeps them: when it was opened, last submitted, and withdrawn (why, by whom). */
  createdAt: string;
  submittedAt: string | null;
  withdrawal: { reason: string | null; at: string; by: string } | null;
}

/** draft → submitted (first review) → second review → approved → account issued; revise after 否認; withdraw until decided. */
export const accountRequestMachine = setup({
  types: { context: {} as AccountRequestContext, events: {} as AccountRequestEvent },
  actions: {
    recordReview: assign(({ context, event }, params: { stage: 'first' | 'second'; result: '承認' | '否認' }) => {
      if (!('reviewer' in event.data)) return {};
      return {
        reviews: [...context.reviews, { round: event.data.round, stage: params.stage, result: params.result, comment: event.data.comment, reviewer: event.data.reviewer, at: event.meta.occurredAt }],
        firstDecidedBy: params.stage === 'first' ? event.data.reviewer.sub : context.firstDecidedBy,
      };
    }),
  },
}).createMachine({
  id: 'account-request',
  context: {} as AccountRequestContext,
  initial: 'new',
  states: {
    new: {
      on: {
        ApplicationCreated: {
          target: 'draft',
          actions: assign(({ event }) => ({
            applicationId: event.data.applicationId,
            organization: event.data.organization,
            round: 1,
            applicationNumber: null,
            forms: {},
            reviews: [],
            firstReviewer: null,
            secondReviewer: null,
            firstDecidedBy: null,
            accounts: [],
            createdAt: event.meta.occurredAt,
            submittedAt: null,
            withdrawal: null,
          })),
        },
      },
    },
    draft: {
      on: {
        FormSaved: {
          actions: assign(({ context, event }) => ({
            forms: {
              ...context.forms,
              [event.data.formCode]: { data: event.data.form, round: context.round, savedAt: event.meta.occurredAt, savedBy: { sub: String(event.meta.actor['sub']), name: (event.meta.actor['name'] as string | undefined) ?? null } },
            },
          })),
        },
        ApplicationSubmitted: {
          target: 'firstReview',
          actions: assign(({ event }) => ({
            applicationNumber: event.data.applicationNumber,
            firstReviewer: event.data.firstReviewer,
            secondReviewer: event.data.secondReviewer,
            firstDecidedBy: null,
            submittedAt: event.meta.occurredAt,
          })),
        },
        ApplicationWithdrawn: 'withdrawn',
      },
    },
    firstReview: {
      on: {
        FirstReviewApproved: { target: 'secondReview', actions: { type: 'recordReview', params: { stage: 'first', result: '承認' } } },
        FirstReviewRejected: { target: 'rejected', actions: { type: 'recordReview', params: { stage: 'first', result: '否認' } } },
        ApplicationWithdrawn: 'withdrawn',
      },
    },
    secondReview: {
      on: {
        SecondReviewApproved: { target: 'approved', actions: { type: 'recordReview', params: { stage: 'second', result: '承認' } } },
        SecondReviewRejected: { target: 'rejected', actions: { type: 'recordReview', params: { stage: 'second', result: '否認' } } },
        ApplicationWithdrawn: 'withdrawn',
      },
    },
    rejected: {
      on: {
        ApplicationRevised: { target: 'draft', actions: assign(({ event }) => ({ round: event.data.round })) },
        ApplicationWithdrawn: 'withdrawn',
      },
    },
    approved: {
      on: { AccountIssued: { target: 'accountIssued', actions: assign(({ event }) => ({ accounts: event.data.accounts })) } },
    },
    accountIssued: { type: 'final' },
    withdrawn: {
      type: 'final',
      entry: assign(({ event }) => (event.type === 'ApplicationWithdrawn' ? { withdrawal: { reason: event.data.reason, at: event.meta.occurredAt, by: String(event.meta.actor['sub']) } } : {})),
    },
  },
});
