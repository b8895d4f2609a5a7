import { PUBLISHED_DATA_NOTICES, VERSION_EVENT, type PublishedEvent } from '@nws/distribution';
import type { HandleOutcome } from '@nws/distribution/esdb';
import { defaultOrganFor, organKey } from '@nws/workflows/shared/organizations';
import { TokenRefusedError, TransientApiError } from './distribution-api.client';
import type { MasterDataFiles } from './master-data-files.writer';

/**
 * What the reference consumer does with one delivered event, whichever way it came (pulled, or
 * from an EventStoreDB group): a version is written; a notice that an organ's people changed as
 * published (消去, 利用停止, its lifting) rewrites the copies of that organ's versions on disk from
 * the API's current view, so files written before an erasure do not keep the person; anything
 * else carries nothing to write. A version that cannot be written refuses the event (it is
 * parked for an operator). Transient API failures are thrown for the caller to retry.
 */
export async function handleDelivered(event: PublishedEvent, files: MasterDataFiles, log: (line: string) => void): Promise<HandleOutcome> {
  const where = `position ${event.position}, delivery ${event.attempt}`;
  if (event.type === VERSION_EVENT) {
    const outcome = await files.publish(event);
    log(`${organLabel(event.data['organizationCode'], event.data['organizationKind'])} v${String(event.data['version'])} (${where}): ${outcome.kind}${outcome.kind === 'rejected' ? ` — ${outcome.reason}` : ''}`);
    return outcome.kind === 'rejected' ? { kind: 'refused', reason: outcome.reason } : { kind: 'done' };
  }
  if (!PUBLISHED_DATA_NOTICES.includes(event.type)) return { kind: 'done' };
  const code = event.data['organizationCode'];
  if (typeof code !== 'string') return { kind: 'refused', reason: `${event.type} names no organizationCode` };
  // Notices recorded before organs were named: the code's default organ, as for versions.
  const kind = event.data['organizationKind'];
  const organ = typeof kind === 'string' ? kind : defaultOrganFor(code);
  const results = await files.refresh(code, organ);
  const refused: string[] = [];
  for (const result of results) {
    const label = `${organLabel(code, organ)} v${result.version} (${event.type}, ${where})`;
    if ('error' in result) {
      // The API away: the notice is tried again (rewriting what is already right is a no-op). Refused
      // (a version the API does not have, a 403): the notice is parked for an operator, and the
      // distributor goes on; before, the error ended it, and every restart met the same notice.
      if (result.error instanceof TransientApiError || result.error instanceof TokenRefusedError) throw result.error;
      refused.push(`${label}: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
      log(`${label}: could not be fetched again — ${refused.at(-1)}`);
      continue;
    }
    const { outcome } = result;
    log(`${label}: ${outcome.kind === 'written' ? 'rewritten as published now' : outcome.kind}${outcome.kind === 'rejected' ? ` — ${outcome.reason}` : ''}`);
    if (outcome.kind === 'rejected') refused.push(outcome.reason);
  }
  return refused.length > 0 ? { kind: 'refused', reason: refused.join('; ') } : { kind: 'done' };
}

/** As its directory is named: the code for its default organ, `{code}.{slug}` for another (a board of education). */
function organLabel(code: unknown, kind: unknown): string {
  if (typeof code !== 'string') return String(code);
  const organ = typeof kind === 'string' ? kind : defaultOrganFor(code);
  try {
    return organKey(code, organ);
  } catch {
    return `${code} (${organ})`;
  }
}
