import { ServiceUnavailableException } from '@nestjs/common';
import type { HeadersObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EventStoreUnavailableError, type EventStore } from '@nws/event-store';
import type { ProjectionRunner } from '@nws/read-models';
import { headWithin } from '../infrastructure/store-head';

/** Set (to `true`) on an answer from the local read models that may not show the latest events. */
export const STALE_HEADER = 'X-Read-Model-Stale';

/** For `headers` of the ApiOkResponse of each operation answered from the read models. */
export const STALE_HEADER_DOC: HeadersObject = {
  [STALE_HEADER]: {
    description:
      '`true` when the answer may be stale: the read models had not caught up with the store within the wait (what was just done may be missing), or the event store is unavailable (EventStoreDB down or not answering within 1 s) and the answer is what this replica had; absent otherwise',
    schema: { type: 'string', enum: ['true'] },
  },
};

/**
 * The store's head, or undefined when the store is unavailable (or does not answer in time). Only
 * that degrades: the read models are local and still answer; any other error (the store closed as
 * the process stops, a bug) is thrown as before, as `resubscribing` tells them apart.
 */
export async function headIfAvailable(store: Pick<EventStore, 'headPosition'>): Promise<number | undefined> {
  try {
    return await headWithin(store);
  } catch (error) {
    if (error instanceof EventStoreUnavailableError) return undefined;
    throw error;
  }
}

/**
 * Read-your-writes before answering from the read models: waits for them to reach the store's head
 * and says whether they did. When they did not, or the head is unknown, the reply is marked with
 * STALE_HEADER and answered from what is there, rather than refused: a reviewer still sees the
 * queue while EventStoreDB is down.
 */
export async function caughtUpOrMarkedStale(
  store: Pick<EventStore, 'headPosition'>,
  projections: Pick<ProjectionRunner, 'waitFor'>,
  reply: { header(name: string, value: string): unknown },
): Promise<boolean> {
  const head = await headIfAvailable(store);
  const caughtUp = head !== undefined && (await projections.waitFor(head));
  if (!caughtUp) void reply.header(STALE_HEADER, 'true');
  return caughtUp;
}

/**
 * Refuses (503, Retry-After) an answer from a projection whose tables a rebuild is refilling (the
 * master data's after an erasure): they hold only part of the events, and a version not refilled
 * yet was a 404, which the reference distributor took for good and parked the erasure's notice,
 * leaving the erased person in the files it had written. Stale is answered; incomplete is not.
 */
export function refuseWhileRebuilding(projections: Pick<ProjectionRunner, 'isRebuilding'>, name: string, what: { readonly ja: string; readonly en: string }, reply: { header(name: string, value: string): unknown }): void {
  if (!projections.isRebuilding(name)) return;
  void reply.header('Retry-After', String(REBUILD_RETRY_AFTER_SECONDS));
  throw new ServiceUnavailableException({
    ja: `${what.ja}の読み取りモデルを再構築中です（個人情報の消去の後）。${REBUILD_RETRY_AFTER_SECONDS}秒後に再実行してください。`,
    en: `the ${what.en} read model is being rebuilt (after an erasure of personal data); retry in ${REBUILD_RETRY_AFTER_SECONDS} s`,
  });
}

const REBUILD_RETRY_AFTER_SECONDS = 2;

/**
 * Refuses (503, Retry-After) an answer about a stream whose events the projection parked (it failed
 * on one, and holds the stream's later ones behind it): the read model is caught up by its
 * checkpoint but lacks them, so "the current version" would be an older one and a version it
 * lacks a 404, both taken for good by a distributor. Whole again once an operator replays them.
 */
export function refuseWhileParked(
  projections: Pick<ProjectionRunner, 'parkedInStream'>,
  name: string,
  streamId: string,
  what: { readonly ja: string; readonly en: string },
  reply: { header(name: string, value: string): unknown },
): void {
  const first = projections.parkedInStream(name, streamId)[0];
  if (!first) return;
  void reply.header('Retry-After', String(PARKED_RETRY_AFTER_SECONDS));
  throw new ServiceUnavailableException({
    ja: `${what.ja}の読み取りモデルは、イベント（位置 ${first.position}、${first.type}）を反映できず保留しているため、この内容を正しく返せません。運用担当が POST /projections/parked/${first.position}/replay で再適用するまでお待ちください。`,
    en: `the ${what.en} read model could not apply an event of it (position ${first.position}, ${first.type}) and holds it parked, so it cannot answer this whole; an operator replays it with POST /projections/parked/${first.position}/replay; retry later`,
  });
}

/** Parked events wait for an operator, not for the next batch: a minute, not seconds. */
const PARKED_RETRY_AFTER_SECONDS = 60;

/**
 * Refuses (503, Retry-After) an answer from read models that hold people in clear while an erasure
 * they have passed is not yet rebuilt out of them (see PersonalDataService.erasurePending): the
 * erased person would be served, and a distributor fetching on the erasure's notice kept them.
 */
export function refuseWhileErasing(personalData: { erasurePending(): boolean }, what: { readonly ja: string; readonly en: string }, reply: { header(name: string, value: string): unknown }): void {
  if (!personalData.erasurePending()) return;
  void reply.header('Retry-After', String(REBUILD_RETRY_AFTER_SECONDS));
  throw new ServiceUnavailableException({
    ja: `個人情報の消去を${what.ja}の読み取りモデルに反映しています。${REBUILD_RETRY_AFTER_SECONDS}秒後に再実行してください。`,
    en: `an erasure of personal data is being applied to the ${what.en} read model; retry in ${REBUILD_RETRY_AFTER_SECONDS} s`,
  });
}
