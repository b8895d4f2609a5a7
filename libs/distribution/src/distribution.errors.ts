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
