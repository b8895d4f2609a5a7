import { WrongExpectedRevisionError, type RecordedEvent } from '@nws/event-store';
import type { ClaimStatus, ReactionContext, WorkflowReaction } from '@nws/engine';
import type { AccountRequestContext } from './account-request.machine';
import { accountHoldersStream, holdersEvent, holdersOf, type RecordedHolder } from './account-holders';
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
    const stream = accountHoldersStream(ctx.organization);
    const held = (): ClaimStatus => 'pending';
    for (let attempt = 0; attempt < 10; attempt++) {
      let latest: RecordedEvent | undefined;
      const revision = await context.store.streamRevision(stream);
      if (revision !== undefined) for await (const event of context.store.readStream(stream, { fromRevision: revision })) latest = event;
      if (holdersOf(latest, held).some((h) => h.applicationId === applicationId)) return;
      try {
        await context.store.append(stream, [holdersEvent(latest, held, { id: approval.id, applicationId, organization: ctx.organization }, added, context.now())], latest === undefined ? 'no_stream' : latest.revision);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new Error(`could not record the approved holders of ${stream}: too much contention`);
  },
};
