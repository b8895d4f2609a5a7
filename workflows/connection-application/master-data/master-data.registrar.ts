import { v5 as uuidv5 } from 'uuid';
import { WrongExpectedRevisionError, type RecordedEvent } from '@nws/event-store';
import type { ReactionContext, WorkflowReaction } from '@nws/engine';
import type { ConnectionApplicationContext } from '../connection-application.machine';
import { SYSTEM_ACTOR } from '../connection-application.policy';
import { contentHash, masterDataContent, masterDataStream } from './master-data.content';

const NAMESPACE = '0b7d2f3e-9c1a-5e4b-8d6f-3a2c1b0e9f8d';

/**
 * Registers an approved application as the next version of its body's master data.
 *
 * The versions of one body live in their own stream (`master-data-{code}`), so two approvals of
 * the same body can never take the same version number: the append's revision check decides.
 * Runs right after the second approval and again on the worker's catch-up after a crash; every
 * step is idempotent (the version event names its source, the command id derives from it).
 */
export const registerMasterDataReaction: WorkflowReaction = {
  name: 'register-master-data',
  on: ['SecondReviewApproved'],
  async handle(approval: RecordedEvent, context: ReactionContext): Promise<void> {
    const applicationId = approval.streamId.replace(/^application-/, '');
    // Catch-up after a restart replays every approval: skip those whose registration is recorded.
    const current = await context.load(applicationId);
    if ((current.snapshot.context as ConnectionApplicationContext).masterData !== null) return;
    const approved = await context.load(applicationId, approval.revision);
    const ctx = approved.snapshot.context as ConnectionApplicationContext;
    const content = masterDataContent(ctx);
    const hash = contentHash(content);
    const version = await appendVersion(context, ctx, approval, content, hash);
    await context.execute(
      applicationId,
      'register-master-data',
      { version, contentHash: hash },
      {
        actor: SYSTEM_ACTOR,
        now: context.now(),
        commandId: uuidv5(`register-master-data\u0000${approval.id}`, NAMESPACE),
        correlationId: String(approval.metadata['correlationId'] ?? approval.id),
        causationId: approval.id,
      },
    );
  },
};

async function appendVersion(
  context: ReactionContext,
  ctx: ConnectionApplicationContext,
  approval: RecordedEvent,
  content: ReturnType<typeof masterDataContent>,
  hash: string,
): Promise<number> {
  const stream = masterDataStream(ctx.organization.code);
  const eventId = uuidv5(`master-data-version\u0000${approval.id}`, NAMESPACE);
  for (let attempt = 0; attempt < 20; attempt++) {
    const revision = await context.store.streamRevision(stream);
    // The same approval may be registered twice at once (the command's own reaction and the
    // reactor's catch-up). On EventStoreDB a repeat with a moved expected revision would be a new
    // write, so look at the newest versions first: a body gains a version only per full review.
    if (revision !== undefined) {
      const recent = await findVersionOf(context, stream, approval.id, Math.max(0, revision - 9));
      if (recent !== undefined) return recent;
    }
    // Version n is the stream's event at revision n − 1: the revision check makes versions unique.
    const version = (revision ?? -1) + 2;
    try {
      const result = await context.store.append(
        stream,
        [
          {
            id: eventId,
            type: 'MasterDataVersionRegistered',
            data: {
              organizationCode: ctx.organization.code,
              version,
              applicationId: ctx.applicationId,
              applicationNumber: ctx.applicationNumber,
              category: ctx.category,
              sourceEventId: approval.id,
              contentHash: hash,
              content,
            },
            metadata: {
              actor: { ...SYSTEM_ACTOR },
              occurredAt: context.now(),
              correlationId: String(approval.metadata['correlationId'] ?? approval.id),
              causationId: approval.id,
            },
          },
        ],
        revision === undefined ? 'no_stream' : revision,
      );
      // A repeated registration of the same approval is answered with the original's revision.
      return result.nextExpectedRevision + 1;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Lost a race, or (on stores whose idempotency needs the original expected revision) this
      // approval was registered before: look for it before taking the next number.
      const existing = await findVersionOf(context, stream, approval.id);
      if (existing !== undefined) return existing;
    }
  }
  throw new Error(`could not register master data of ${ctx.organization.code}: too much contention`);
}

async function findVersionOf(context: ReactionContext, stream: string, sourceEventId: string, fromRevision = 0): Promise<number | undefined> {
  for await (const event of context.store.readStream(stream, { fromRevision })) {
    if (event.data['sourceEventId'] === sourceEventId) return Number(event.data['version']);
  }
  return undefined;
}
