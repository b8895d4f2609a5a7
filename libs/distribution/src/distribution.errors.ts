export interface Localized {
  readonly ja: string;
  readonly en: string;
}

/** Errors a caller of the distribution endpoints can cause; the API maps `kind` to a status. */
export class DistributionError extends Error {
  constructor(
    readonly kind: 'not-found' | 'conflict',
    readonly detail: Localized,
  ) {
    super(detail.en);
  }
}

export const unknownConsumer = (name: string, known: readonly string[]) =>
  new DistributionError('not-found', {
    ja: `配信先「${name}」は登録されていません（${known.join(', ')}）。`,
    en: `consumer "${name}" is not registered (one of ${known.join(', ')})`,
  });

export const notParked = (consumer: string, eventId: string) =>
  new DistributionError('not-found', {
    ja: `配信先「${consumer}」にイベント ${eventId} は保留（parked）されていません。`,
    en: `event ${eventId} is not parked for consumer "${consumer}"`,
  });

/** A consumer used through the other transport: HTTP consumers pull or stream; esdb-persistent ones read their group. */
export const wrongTransport = (consumer: string, transport: string, group: string) =>
  transport === 'esdb-persistent'
    ? new DistributionError('conflict', {
        ja: `配信先「${consumer}」は EventStoreDB の永続サブスクリプション（グループ ${group}）から受信します。保留イベントの再送も EventStoreDB で行います。`,
        en: `consumer "${consumer}" receives its events from the EventStoreDB persistent subscription group ${group}; its parked events are replayed there too`,
      })
    : new DistributionError('conflict', {
        ja: `配信先「${consumer}」は HTTP（pull / SSE）で受信する配信先です。`,
        en: `consumer "${consumer}" receives its events over HTTP (pull or stream), not from a persistent subscription`,
      });

export const noEventAt = (consumer: string, position: number) =>
  new DistributionError('not-found', {
    ja: `位置 ${position} に配信先「${consumer}」宛てのイベントはありません。`,
    en: `there is no event for consumer "${consumer}" at position ${position}`,
  });
