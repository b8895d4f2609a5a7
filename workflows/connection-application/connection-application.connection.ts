import type { FieldViolation, StreamRequirement } from '@nws/engine';
import type { RecordedEvent } from '@nws/event-store';
import { japanWallClock } from '@nws/reference-catalog';
import { PERSONAL_DATA_EVENTS, personalDataStream } from '../../libs/personal-data/src/personal-data-requests';
import { organOrDefault } from '../shared/organizations';
import { masterDataStream } from './master-data/master-data.content';

/** The applying organ, as ApplicationCreated records it. */
type Organ = { readonly code: string; readonly name: string; readonly kind: string };

/**
 * Whether an organ is connected is read from the store: it connected when a 接続 of it was approved
 * (its master data holds the version that approval registered, category 接続), and its connection
 * ended when `record-connection-end` recorded ConnectionEnded for it in its code's personal-data
 * stream. Both are checked at submission and at the second approval (like the other rules of the
 * store), so a view lists the action under `refusedActions`.
 *
 * An end is a day (in Japan): a version registered on a later day is a new connection, one
 * registered before that day came before the end, as retention reads them (libs/personal-data
 * retention.ts). On the day itself the order they were recorded in tells: the end recorded after the
 * version ended it, a version recorded after the end (a 再開 approved that day) restarted it. The last
 * end recorded for the organ counts, and the last version of an approved 接続.
 */
export function connectionStateRequirements(category: string, organization: Organ, forms: Record<string, unknown>): StreamRequirement[] {
  if (category !== '接続') return [];
  const chosen = (forms['03-06'] as { data?: { category?: unknown } } | undefined)?.data?.category;
  if (chosen === '接続') return [connectionOfUnconnected(organization)];
  if (chosen === '再開') return [restartAfterEnd(organization)];
  return [];
}

/**
 * A form's own 申請区分 in a 接続 (様02-01, 03-07, 03-08, 03-09): the connection documents say
 * 「申請区分」「登録」を選択する (様03-06 excepted, whose 申請区分 is 接続 or 再開). For an organ with no
 * master data a form marked 変更 would change nothing registered, and reviewers would read a change
 * where there is a first registration. Where the organ has master data (a 登録 before its 接続, or a
 * 再開) the documents do not say which, and either is taken.
 */
export function connectionFormCategoryRequirements(category: string, organization: Organ, forms: Record<string, unknown>): StreamRequirement[] {
  if (category !== '接続') return [];
  const { code, name, kind } = organization;
  return Object.entries(forms)
    .filter(([form, saved]) => form !== '03-06' && (saved as { data?: { category?: unknown } } | undefined)?.data?.category === '変更')
    .map(([form]) => ({
      streamId: masterDataStream(code, kind),
      exists: true,
      refusal: {
        field: `forms.${form}.category`,
        rule: 'registeredFirst',
        message: {
          ja: `forms.${form}.category: 接続の申請では様${form}の申請区分は「登録」を選択します。${name}（${kind}）のマスタデータは登録されていないため、「変更」する登録内容がありません。`,
          en: `forms.${form}.category: a 接続 files form ${form} as 登録, and ${name} (${kind}) has no registered master data to change: choose 登録`,
        },
      },
    }));
}

const isVersion = (event: RecordedEvent) => event.type === 'MasterDataVersionRegistered';
/**
 * A version an approved 接続 (or 再開, which is a 接続 too) registered. The versions a later 突合
 * derives from it keep its category but name no approval (`sourceEventId` null): they connect nothing.
 */
const isConnectionVersion = (event: RecordedEvent) => isVersion(event) && event.data['category'] === '接続' && typeof event.data['sourceEventId'] === 'string';

/** What the store says of an organ's connection. */
interface ConnectionState {
  /** The organ's master data has a version. */
  readonly registered: boolean;
  /** The version of its last approved 接続, if any. */
  readonly connection: RecordedEvent | undefined;
  /** The last end of its connection recorded (ConnectionEnded), if any. */
  readonly end: RecordedEvent | undefined;
}

const endedAt = (state: ConnectionState) => state.end?.data['endedAt'] as string | undefined;
function connectedNow(state: ConnectionState): boolean {
  const { connection, end } = state;
  const day = endedAt(state);
  if (connection === undefined) return false;
  return end === undefined || day === undefined || dayOf(connection) > day || (dayOf(connection) === day && connection.position > end.position);
}
const dayOf = (event: RecordedEvent) => (japanWallClock(String(event.metadata['occurredAt'] ?? event.recordedAt)) ?? '').slice(0, 10);

/** Reads the organ's master data (its last version, its last 接続's version) and its connection's last end, together. */
function connectionState(organization: Organ, verdict: (state: ConnectionState) => FieldViolation[]): StreamRequirement {
  const { code, kind } = organization;
  const masterData = masterDataStream(code, kind);
  const ended = (event: RecordedEvent) =>
    event.type === PERSONAL_DATA_EVENTS.connectionEnded && event.data['organizationCode'] === code && organOrDefault(code, optional(event.data['organizationKind'])) === kind && typeof event.data['endedAt'] === 'string';
  return {
    streams: [
      { streamId: masterData, select: isVersion },
      { streamId: masterData, select: isConnectionVersion },
      { streamId: personalDataStream(code), select: ended },
    ],
    check: ([version, connection, end]) => verdict({ registered: version !== undefined, connection, end }),
  };
}

const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
const versionOf = (event: RecordedEvent) => ({ version: String(event.data['version'] ?? '?'), number: String(event.data['applicationNumber'] ?? event.data['applicationId'] ?? '?') });

/**
 * 様03-06 「接続」 starts a connection: an organ connected already (its 接続 approved, no end since)
 * applies with 変更 to change what is registered, or with 再開 once its connection has ended. A
 * second 接続 would register a version as though it started again.
 */
function connectionOfUnconnected(organization: Organ): StreamRequirement {
  const { name, kind } = organization;
  return connectionState(organization, (state) => {
    if (!connectedNow(state)) return [];
    const { version, number } = versionOf(state.connection!);
    return [
      {
        field: 'forms.03-06.category',
        rule: 'connectionOfUnconnected',
        message: {
          ja: `forms.03-06.category: ${name}（${kind}）は接続済みです（申請 ${number} によるマスタデータ第${version}版）。登録内容の変更は申請区分「変更」で、接続の終了後に接続し直すときは様03-06の申請区分「再開」で申請してください。`,
          en: `forms.03-06.category: ${name} (${kind}) is connected already (master data version ${version}, application ${number}): apply with 変更 to change what is registered, or with 再開 after its connection ended`,
        },
      },
    ];
  });
}

/**
 * 様03-06 「再開」 restarts a connection the organ had and that ended: one with no master data was never
 * connected (檜原村's first application said 再開 and went through both reviews), and one whose
 * connection has not ended (no end recorded, or a 接続 approved after it) has nothing to restart.
 */
function restartAfterEnd(organization: Organ): StreamRequirement {
  const { name, kind } = organization;
  return connectionState(organization, (state) => {
    if (!state.registered) {
      return [
        {
          field: 'forms.03-06.category',
          rule: 'restartOfConnected',
          message: {
            ja: `forms.03-06.category: 「再開」は接続していた機関が接続を再開する申請です。${name}（${kind}）のマスタデータは登録されていないため、「接続」を選択してください。`,
            en: `forms.03-06.category: 再開 restarts a connection the organ had, and ${name} (${kind}) has no registered master data: choose 接続`,
          },
        },
      ];
    }
    if (state.end !== undefined && !connectedNow(state)) return [];
    const message = connectedNow(state) ? connectedMessage(organization, state) : {
      ja: `forms.03-06.category: 「再開」は接続が終了した機関が接続を再開する申請です。${name}（${kind}）の接続の終了は記録されていません。接続を開始するときは「接続」を選択してください。`,
      en: `forms.03-06.category: 再開 restarts a connection that ended, and no end of the connection of ${name} (${kind}) is recorded: choose 接続 to start its connection`,
    };
    return [{ field: 'forms.03-06.category', rule: 'restartAfterEnd', message }];
  });
}

/** Why a connected organ is refused a 再開: its connection has not ended (or it connected again after its end). */
function connectedMessage({ name, kind }: Organ, state: ConnectionState) {
  const { version, number } = versionOf(state.connection!);
  const ended = endedAt(state);
  const again = ended === undefined ? { ja: '', en: '' } : { ja: `、${ended} の終了の後に再び接続`, en: `, again after its end on ${ended}` };
  return {
    ja: `forms.03-06.category: 「再開」は接続が終了した機関が接続を再開する申請です。${name}（${kind}）は接続中です（申請 ${number} によるマスタデータ第${version}版${again.ja}）。登録内容の変更は申請区分「変更」で申請してください。`,
    en: `forms.03-06.category: 再開 restarts a connection that ended, and ${name} (${kind}) is connected (master data version ${version}, application ${number}${again.en}): apply with 変更 to change what is registered`,
  };
}
