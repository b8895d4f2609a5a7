import type { RecordedEvent } from '@nws/event-store';
import type { ReactionContext, WorkflowReaction } from '@nws/engine';
import type { AccountRequestContext } from './account-request.machine';
import { holdersEvent, holdersOf, recordInHoldersList, type RecordedHolder } from './account-holders';
import { accountsOf } from './request-accounts';

/**
 * A request approved and not yet issued holds its addresses: its second approval claims them in the
 * organ's list (account-holders.ts). One approved before approvals claimed holds nothing: a new
 * request for the address was approved and issued, and the old one, which can only be issued, was
 * then refused for ever. Its holders are listed as approved, after the approval, and once more by
 * the reactor over the approvals it had passed before (`catchUp`). Every approval since claims them
 * itself: nothing to do.
 */
export const recordApprovedHoldersReaction: WorkflowReaction = {
  name: 'record-approved-holders',
  on: ['SecondReviewApproved'],
  catchUp: 'approvals-before-approvals-claimed',
  async handle(approval: RecordedEvent, context: ReactionContext): Promise<void> {
    const applicationId = approval.streamId.replace(/^application-/, '');
    const application = await context.load(applicationId);
    // Issued since: the holders are listed. Nothing else follows an approval.
    if (application.state !== 'approved') return;
    const ctx = application.snapshot.context as AccountRequestContext;
    const added = accountsOf(ctx).map((a): RecordedHolder => ({ ...a, applicationId, status: 'approved' }));
    if (added.length === 0) return;
    await recordInHoldersList(context, ctx.organization, (latest, held) =>
      holdersOf(latest, held).some((h) => h.applicationId === applicationId) ? undefined : holdersEvent(latest, held, { id: approval.id, applicationId, organization: ctx.organization }, added, context.now()),
    );
  },
};
