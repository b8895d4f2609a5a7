import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowEngine, WorkflowRegistry } from '@nws/engine';
import { ALL_PROJECTIONS, ProjectionRunner } from '@nws/read-models';
import { dataDirOf, eventStoreKindOf, loadRuntimeConfig, type RuntimeConfig } from '@nws/runtime';
import type { EventStore } from '@nws/event-store';
import { EVENTS_FILE, READ_MODELS_FILE, createEventStore } from '@nws/event-store/create-event-store';
import { DataDirectoryLock, storeHoldingLock } from '@nws/event-store/sqlite';
import { ALL_WORKFLOWS } from '@nws/workflows';

export interface CliContext {
  readonly config: RuntimeConfig;
  readonly store: EventStore;
  readonly engine: WorkflowEngine;
  projections(): ProjectionRunner;
  close(): Promise<void>;
}

/**
 * Opens the same store and read models the API uses (same DATA_DIR / EVENT_STORE settings).
 * `exclusive` (what the command does, for the message): the command rebuilds read models, so it
 * takes the data directory's lock first and is refused (DataDirectoryInUseError, exit 75) while
 * an API or worker serves it; the lock is held until close(), so neither starts meanwhile.
 * `create`: a store that is not there yet is created (tests seeding one); commands never do.
 */
export async function openCliContext(env: NodeJS.ProcessEnv = process.env, options: { readonly exclusive?: string; readonly create?: boolean } = {}): Promise<CliContext> {
  // Opening the embedded store creates it: a mistyped DATA_DIR would get a new empty store (and a
  // development secret), and `verify` would call it VALID. The API creates the store; the CLI
  // only works on one, and looks before loading the configuration, which writes the secret.
  const dataDir = dataDirOf(env);
  if (eventStoreKindOf(env) === 'sqlite' && !options.create && !existsSync(join(dataDir, EVENTS_FILE))) throw new NoEventStoreError(dataDir);
  const config = loadRuntimeConfig(env);
  const store = options.exclusive === undefined ? await createEventStore(config) : await storeHoldingLock(DataDirectoryLock.acquire(config.dataDir, options.exclusive), () => createEventStore(config));
  let runner: ProjectionRunner | undefined;
  return {
    config,
    store,
    engine: new WorkflowEngine(store, new WorkflowRegistry(ALL_WORKFLOWS)),
    projections: () => (runner ??= new ProjectionRunner(store, ALL_PROJECTIONS, { filename: join(config.dataDir, READ_MODELS_FILE) })),
    close: async () => {
      runner?.close();
      await store.close();
    },
  };
}

/** DATA_DIR holds no embedded event store: most likely the wrong directory. */
export class NoEventStoreError extends Error {
  constructor(readonly dataDir: string) {
    super(`DATA_DIR ${dataDir} holds no event store (${EVENTS_FILE}): check DATA_DIR (the API creates the store at its first start); nothing was created`);
    this.name = 'NoEventStoreError';
  }
}
