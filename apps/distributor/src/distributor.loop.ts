import { setTimeout as delay } from 'node:timers/promises';
import { PUBLISHED_DATA_NOTICES, VERSION_EVENT, type PublishedEvent } from '@nws/distribution';
import { organKey } from '@nws/workflows/shared/organizations';
import { DistributionApiClient, TransientApiError } from './distribution-api.client';
import { handleDelivered } from './delivered-event.handler';
import { MasterDataFiles } from './master-data-files.writer';

export interface DistributorOptions {
  readonly apiUrl: string;
  readonly consumer: string;
  readonly outputDir: string;
  /** A distributor token; `renew` asks for a fresh one after a 401. */
  readonly token: (renew: boolean) => Promise<string>;
  /** Long polling: how long the API may hold an empty pull open waiting for an event (0: poll every pollIntervalMs). */
  readonly pullWaitMs?: number;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Aborting stops the loop after the event in hand, acknowledging what was written. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly maxBackoffMs?: number;
  /**
   * Before consuming, fetch every version on disk again and rewrite what shows otherwise: copies
   * written before erasures this consumer was never told of (written by a version without the
   * notices, or while its eventTypes lacked PublishedPersonalDataChanged).
   */
  readonly refreshOnStart?: boolean;
  /** Set: consume as one instance of the consumer's persistent subscription group on EventStoreDB (distributor-esdb.loop.ts). */
  readonly esdb?: { readonly connectionString: string };
}

/**
 * The reference consumer: pull (long polling) from the server-side checkpoint, write each master-data version
 * atomically, acknowledge only what is on disk. A crash anywhere loses nothing (what was not
 * acked is delivered again) and duplicates nothing (a version already on disk with the same
 * content hash is acknowledged without writing). Versions are written in global order: each
 * run starts exactly at the checkpoint and handles one page at a time, in order.
 */
export async function runDistributor(options: DistributorOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  const client = new DistributionApiClient(options.apiUrl, options.consumer, options.token, options.signal);
  const files = currentFiles(options.outputDir, client);
  const removed = await files.recover();
  if (removed > 0) log(`removed ${removed} temp file(s) of writes interrupted by the last stop`);
  try {
    if ((await beforeConsuming(options, client, files)) === undefined) return;
    await consume(options, client, files);
  } finally {
    await files.close();
  }
}

async function consume(options: DistributorOptions, client: DistributionApiClient, files: MasterDataFiles): Promise<void> {
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  const checkpoint = await retrying(() => client.checkpoint(), options);
  if (checkpoint === undefined) return;
  let after = checkpoint;
  log(`consumer ${options.consumer}: resuming after position ${after}, writing to ${options.outputDir}`);
  // A page's acks go out while the next pull already waits: an approval's event (nothing to write)
  // must not cost a round trip before the version event that follows it can be fetched. Acks stay
  // in order (each settle waits for the one before) and a failed one ends the loop as before.
  let settling: Promise<void> = Promise.resolve();
  let settleError: { error: unknown } | undefined;
  while (!signal?.aborted) {
    const waitMs = options.pullWaitMs ?? 0;
    const page = await retrying(() => client.pull(after, options.batchSize ?? 50, waitMs), options);
    if (settleError) throw settleError.error;
    if (page === undefined) break;
    if (page.events.length === 0) {
      // The API already waited for news; without long polling, wait here.
      if (waitMs === 0) await sleep(options.pollIntervalMs ?? 1000, signal);
      continue;
    }
    const done: PublishedEvent[] = [];
    const refused: Array<{ event: PublishedEvent; reason: string }> = [];
    for (const event of page.events) {
      if (signal?.aborted) break;
      // A notice fetches versions from the API: a failure there is retried like a pull's.
      const outcome = await retrying(() => handleDelivered(event, files, log), options);
      if (outcome === undefined) break; // stopped while waiting: not acknowledged, delivered again
      if (outcome.kind === 'refused') refused.push({ event, reason: outcome.reason });
      else done.push(event);
    }
    const previous = settling;
    settling = (async () => {
      await previous;
      if (done.length > 0) await retrying(() => client.ack(done.map((e) => e.eventId)), options, true);
      for (const { event, reason } of refused) await retrying(() => client.nack([event.eventId], reason), options, true);
    })().catch((error: unknown) => {
      settleError ??= { error };
    });
    after = Math.max(after, ...[...done, ...refused.map((r) => r.event)].map((e) => e.position));
  }
  await settling;
  if (settleError) throw settleError.error;
  log(`consumer ${options.consumer}: stopped after position ${after}`);
}

/**
 * Says when the consumer will not be told of erasures (its eventTypes lack the notice): its copies
 * would keep people for good. Then, with refreshOnStart, rewrites every copy on disk that the API
 * now shows otherwise. Undefined when stopped meanwhile.
 */
export async function beforeConsuming(options: DistributorOptions, client: DistributionApiClient, files: MasterDataFiles): Promise<true | undefined> {
  const log = options.log ?? (() => undefined);
  const settings = await retrying(() => client.status(), options);
  if (settings === undefined) return undefined;
  if (settings.eventTypes.includes(VERSION_EVENT) && !PUBLISHED_DATA_NOTICES.every((type) => settings.eventTypes.includes(type))) {
    log(`WARNING: consumer ${options.consumer} is not registered for ${PUBLISHED_DATA_NOTICES.join(', ')}: the copies written here will keep people erased or suspended later (add it to its eventTypes)`);
  }
  if (!options.refreshOnStart) return true;
  for (const { code, organ } of await files.organsOnDisk()) {
    const results = await retrying(() => files.refresh(code, organ), options);
    if (results === undefined) return undefined;
    for (const result of results) {
      log(`${organKey(code, organ)} v${result.version} (refresh on start): ${'error' in result ? `could not be fetched again — ${String(result.error)}` : result.outcome.kind === 'written' ? 'rewritten as published now' : result.outcome.kind}`);
    }
  }
  return true;
}

/** The writer, fetching versions as published now from the API (a notice's refresh). */
export function currentFiles(outputDir: string, client: DistributionApiClient): MasterDataFiles {
  return new MasterDataFiles(outputDir, undefined, { current: (code, organ, version) => client.masterDataVersion(code, organ, version) });
}

/**
 * Retries transient failures with backoff. Returns undefined when aborted while waiting, except
 * for acks (`finish`): what is on disk is still acknowledged on the way out, or it would only
 * come back after the ack timeout.
 */
async function retrying<T>(work: () => Promise<T>, options: DistributorOptions, finish = false): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TransientApiError)) throw error;
      if (options.signal?.aborted && !finish) return undefined;
      if (attempt >= 20 && finish) throw error;
      options.log?.(`${error.message}; retrying`);
      await sleep(Math.min(options.maxBackoffMs ?? 10_000, 100 * 2 ** Math.min(attempt, 10)), finish ? undefined : options.signal);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (then it resolves: the caller checks why it woke). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    if ((error as { name?: unknown }).name !== 'AbortError') throw error;
  });
}
