import { assign, setup } from 'xstate';
import type { ApplicationForwardedData, Category, ConnectionApplicationEvent, OrganizationRef, ReviewResult, ReviewStage, Reviewer } from './connection-application.events';

export const MACHINE_VERSION = '1';

export interface ReviewRecord {
  round: number;
  stage: ReviewStage;
  result: ReviewResult;
  comment: string | null;
  reviewer: Reviewer;
  at: string;
}

export interface SavedForm {
  data: { [key: string]: unknown };
  round: number;
  savedAt: string;
  savedBy: { sub: string; name: string | null };
}

export interface ConnectionApplicationContext {
  applicationId: string;
  organization: OrganizationRef;
  category: Category;
  round: number;
  applicationNumber: string | null;
  forms: { [formCode: string]: SavedForm };
  reviews: ReviewRecord[];
  firstReviewer: string | null;
  secondReviewer: string | null;
  /** Organ of the same body that forwards the application (board of education → head department). */
  forwardVia: string | null;
  /** The latest forwarding by the head department (首長部局を経由): what the first reviewer is handed. */
  forwarding: { round: number; at: string; by: ApplicationForwardedData['forwardedBy']; comment: string | null } | null;
  /** Who decided the first review of the current round: they may not decide the second. */
  firstDecidedBy: string | null;
  masterData: { version: number; contentHash: string; registeredAt: string } | null;
  distributedAt: string | null;
  withdrawal: { reason: string | null; at: string; by: string } | null;
  createdAt: string;
  submittedAt: string | null;
}

/**
 * The life of one connection application (DOMAIN.md "Life of one application"). The machine's
 * events are the stored events: folding them is the only way state is built. Deadlines, if any,
 * arrive as events, never as `after` timers (those are lost on restore).
 */
export const connectionApplicationMachine = setup({
  types: {
    context: {} as ConnectionApplicationContext,
    events: {} as ConnectionApplicationEvent,
  },
  actions: {
    recordSubmission: assign(({ event }) =>
      event.type === 'ApplicationSubmitted'
        ? {
            applicationNumber: event.data.applicationNumber,
            firstReviewer: event.data.firstReviewer,
            secondReviewer: event.data.secondReviewer,
            forwardVia: event.data.forwardVia ?? null,
            firstDecidedBy: null,
            submittedAt: event.meta.occurredAt,
          }
        : {},
    ),
    recordReview: assign(({ context, event }, params: { stage: ReviewStage; result: ReviewResult }) => {
      if (!('reviewer' in event.data)) return {};
      const record: ReviewRecord = {
        round: event.data.round,
        stage: params.stage,
        result: params.result,
        comment: event.data.comment,
        reviewer: event.data.reviewer,
        at: event.meta.occurredAt,
      };
      return {
        reviews: [...context.reviews, record],
        firstDecidedBy: params.stage === 'first' ? event.data.reviewer.sub : context.firstDecidedBy,
      };
    }),
  },
}).createMachine({
  id: 'connection-application',
  context: {} as ConnectionApplicationContext,
  initial: 'new',
  states: {
    new: {
      on: {
        ApplicationCreated: {
          target: 'draft',
          actions: assign(({ event }) => ({
            applicationId: event.data.applicationId,
            organization: event.data.organization,
            category: event.data.category,
            round: 1,
            applicationNumber: null,
            forms: {},
            reviews: [],
            firstReviewer: null,
            secondReviewer: null,
            forwardVia: null,
            forwarding: null,
            firstDecidedBy: null,
            masterData: null,
            distributedAt: null,
            withdrawal: null,
            createdAt: event.meta.occurredAt,
            submittedAt: null,
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
              [event.data.formCode]: {
                data: event.data.form,
                round: context.round,
                savedAt: event.meta.occurredAt,
                savedBy: { sub: String(event.meta.actor['sub']), name: (event.meta.actor['name'] as string | undefined) ?? null },
              },
            },
          })),
        },
        FormRemoved: {
          actions: assign(({ context, event }) => ({ forms: Object.fromEntries(Object.entries(context.forms).filter(([code]) => code !== event.data.formCode)) })),
        },
        ApplicationSubmitted: [
          { guard: ({ event }) => Boolean(event.data.forwardVia), target: 'awaitingForward', actions: 'recordSubmission' },
          { target: 'firstReview', actions: 'recordSubmission' },
        ],
        ApplicationWithdrawn: 'withdrawn',
      },
    },
    /** 首長部局を経由: a board of education's application waits for its head's department. */
    awaitingForward: {
      on: {
        ApplicationForwarded: {
          target: 'firstReview',
          actions: assign(({ event }) => ({ forwarding: { round: event.data.round, at: event.meta.occurredAt, by: event.data.forwardedBy, comment: event.data.comment } })),
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
      on: {
        MasterDataRegistered: {
          target: 'masterDataRegistered',
          actions: assign(({ event }) => ({
            masterData: { version: event.data.version, contentHash: event.data.contentHash, registeredAt: event.meta.occurredAt },
          })),
        },
      },
    },
    masterDataRegistered: {
      on: {
        MasterDataDistributed: { target: 'distributed', actions: assign(({ event }) => ({ distributedAt: event.meta.occurredAt })) },
      },
    },
    distributed: { type: 'final' },
    withdrawn: {
      type: 'final',
      entry: assign(({ event }) =>
        event.type === 'ApplicationWithdrawn'
          ? { withdrawal: { reason: event.data.reason, at: event.meta.occurredAt, by: String(event.meta.actor['sub']) } }
          : {},
      ),
    },
  },
});

export type ConnectionApplicationMachine = typeof connectionApplicationMachine;
