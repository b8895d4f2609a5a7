import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowEngine, WorkflowRegistry, type RequestFingerprints } from '@nws/engine';
import { KeyedRequestFingerprints, findEncryptingStore } from '@nws/personal-data';
import { ALL_PROJECTIONS, ProjectionRunner } from '@nws/read-models';
import { assertUsableDataPaths, dataDirOf, eventStoreKindOf, loadConfigWithoutTokens, type ConfigWithoutTokens } from '@nws/runtime';
import type { EventStore } from '@nws/event-store';
import { EVENTS_FILE, READ_MODELS_FILE, createEventStore, createReadingEventStore, createStoredEventStore } from '@nws/event-store/create-event-store';
import { DataDirectoryLock, storeHoldingLock } from '@nws/event-store/sqlite';
import { ALL_WORKFLOWS } from '@nws/workflows';
import { eventStoreFileProblem } from './event-store-file.check';

export interface CliContext {
  /** No token settings: no command but `token` needs them, and reading them creates the development secret. */
  readonly config: ConfigWithoutTokens;
  readonly store: EventStore;
  readonly engine: WorkflowEngine;
  projections(): ProjectionRunner;
  close(): Promise<void>;
}

export interface CliContextOptions {
  /**
   * What the command does, for the message: the command rebuilds read models, so it takes the
   * data directory's lock first and is refused (DataDirectoryInUseError, exit 75) while an API or
   * worker serves it; the lock is held until close(), so neither starts meanwhile.
   */
  readonly exclusive?: string;
  /** A store that is not there yet is created (tests seeding one); commands never do. */
  readonly create?: boolean;
  /**
   * The command reads the events as stored and nothing else (verify, a JSON Lines export): no key
   * store, no writer thread, no doorbell, so it adds no file to the directory it is run on.
   */
  readonly storedOnly?: boolean;
  /**
   * The command reads events in clear and appends none (history, replay, a CSV export): the store
   * decrypts as the API's, its file opened as stored (createReadingEventStore).
   */
  readonly readsOnly?: boolean;
}

/** Opens the same store and read models the API uses (same DATA_DIR / EVENT_STORE settings). */
export async function openCliContext(env: NodeJS.ProcessEnv = process.env, options: CliContextOptions = {}): Promise<CliContext> {
  // Opening the embedded store creates it, or turns any file in its place into one: a mistyped
  // DATA_DIR, or an empty events.sqlite, would get a new empty store (and a key file, a doorbell)
  // and `verify` would call it VALID. The API creates the store; the CLI only works on one, and
  // looks before it opens anything.
  const dataDir = dataDirOf(env);
  if (eventStoreKindOf(env) === 'sqlite' && !options.create) {
    const problem = eventStoreFileProblem(dataDir, EVENTS_FILE);
    if (problem !== undefined) throw new NoEventStoreError(dataDir, problem);
  }
  const config = loadConfigWithoutTokens(env);
  // Readers of a copy on read-only media only read; the rest write beside the store (read models, the key store).
  assertUsableDataPaths(config, { writes: !options.storedOnly && !options.readsOnly, keyStore: !options.storedOnly });
  const open = () => (options.storedOnly ? createStoredEventStore(config) : options.readsOnly ? createReadingEventStore(readingKeys(config)) : createEventStore(config));
  const store = await (options.exclusive === undefined ? open() : storeHoldingLock(DataDirectoryLock.acquire(config.dataDir, options.exclusive), open)).catch((error: unknown) => {
    // A command that logs what it shows, or writes, cannot run on read-only media: said as such, not as SQLite's "unable to open database file".
    if (!options.storedOnly && isReadOnlyMedia(error)) throw new ReadOnlyDataDirectoryError(dataDir, error);
    throw error;
  });
  let runner: ProjectionRunner | undefined;
  return {
    config,
    store,
    engine: new WorkflowEngine(store, new WorkflowRegistry(ALL_WORKFLOWS), { ...fingerprintsOf(store) }),
    projections: () => (runner ??= new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(config.dataDir, READ_MODELS_FILE) })),
    close: async () => {
      runner?.close();
      await store.close();
    },
  };
}

/**
 * A reader in clear on a copy holding the events alone (an auditor's): opening the key store
 * would create an empty one beside them and every person would print as not decryptable, with no
 * word why. The people are shown so still, from a key store in memory that holds no key, but the
 * command says so, and neither a key file nor an access-log entry (nothing shows in clear) is made.
 */
function readingKeys(config: ConfigWithoutTokens): ConfigWithoutTokens {
  const file = config.personalData.keyStoreFile;
  if (existsSync(file)) return config;
  process.stderr.write(
    `警告: 鍵ストア ${file} がありません（PERSONAL_DATA_KEY_FILE、既定は DATA_DIR/personal-data-keys.sqlite）。個人情報は復号せず［復号不可］と表示します。鍵ストアもアクセス記録も作成しません / ` +
      `warning: no key store at ${file} (PERSONAL_DATA_KEY_FILE, default DATA_DIR/personal-data-keys.sqlite): personal data is not decrypted and shows as ［復号不可］; no key store and no access-log entry is made\n`,
  );
  return { ...config, personalData: { ...config.personalData, keyStoreFile: ':memory:' } };
}

/** DATA_DIR holds no embedded event store (none at all, or a file that is not one): most likely the wrong directory. */
export class NoEventStoreError extends Error {
  constructor(
    readonly dataDir: string,
    readonly problem: { readonly ja: string; readonly en: string } = { ja: `${EVENTS_FILE} がありません`, en: `no ${EVENTS_FILE}` },
  ) {
    super(
      `DATA_DIR ${dataDir} にイベントストアがありません（${problem.ja}）。DATA_DIR を確認してください（ストアは API の初回起動時に作られます）。何も作成・変更していません / ` +
        `DATA_DIR ${dataDir} holds no event store (${problem.en}): check DATA_DIR (the API creates the store at its first start); nothing was created or changed`,
    );
    this.name = 'NoEventStoreError';
  }
}

/** As the API keys them (app.module.ts): with the key store's fingerprint keys, which erasures destroy. */
function fingerprintsOf(store: EventStore): { fingerprints?: RequestFingerprints } {
  const encrypting = findEncryptingStore(store);
  return encrypting ? { fingerprints: new KeyedRequestFingerprints(encrypting.keys) } : {};
}

const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY']);
export const isReadOnlyMedia = (error: unknown): boolean => READ_ONLY_CODES.has(String((error as { code?: unknown } | null)?.code));

/** DATA_DIR cannot take the files a command writes beside the store (the key store, the access log). */
export class ReadOnlyDataDirectoryError extends Error {
  constructor(
    readonly dataDir: string,
    cause: unknown,
  ) {
    super(
      `DATA_DIR ${dataDir} に書き込めません（${(cause as Error)?.message ?? String(cause)}）。history・replay・CSV の export は、表示する個人情報をアクセス記録に残し、鍵ストアを開くため、書き込み可能な写しで実行してください（verify と JSON Lines の export は読み取り専用でも動きます） / ` +
        `DATA_DIR ${dataDir} cannot be written (${(cause as Error)?.message ?? String(cause)}): history, replay and a CSV export log what they show in clear and open the key store beside the store, so run them on a writable copy (verify and a JSON Lines export work read-only)`,
      { cause },
    );
    this.name = 'ReadOnlyDataDirectoryError';
  }
}
