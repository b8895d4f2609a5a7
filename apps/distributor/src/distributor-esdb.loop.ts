import { runEsdbDistributionConsumer, type HandleOutcome } from '@nws/distribution/esdb';
import { EsdbEventStore } from '@nws/event-store/esdb';
import { DistributionApiClient, TokenRefusedError, TransientApiError } from './distribution-api.client';
import { handleDelivered } from './delivered-event.handler';
import { beforeConsuming, currentFiles, type DistributorOptions } from './distributor.loop';
import type { MasterDataFiles } from './master-data-files.writer';

/**
 * The reference consumer as one instance of its consumer's persistent subscription group on
 * EventStoreDB (competing consumers: start several, each event goes to one of them). Versions are
 * written exactly as by the pulling loop (atomically, recognised by content hash when delivered
 * again); acknowledgements go to the ledger (which confirms distribution) and to EventStoreDB.
 * Competing consumers give no global order: versions of one body may be written out of order.
 * Several instances may share one output directory on one host.
 */
export async function runEsdbDistributor(options: DistributorOptions, esdb: { readonly connectionString: string }): Promise<void> {
  const log = options.log ?? (() => undefined);
  const client = new DistributionApiClient(options.apiUrl, options.consumer, options.token, options.signal);
  const files = currentFiles(options.outputDir, client);
  const removed = await files.recover();
  if (removed > 0) log(`removed ${removed} temp file(s) of writes interrupted by the last stop`);
  try {
    if ((await beforeConsuming(options, client, files)) === undefined) return;
    await consumeGroup(options, esdb, client, files);
  } finally {
    await files.close();
  }
}

async function consumeGroup(options: DistributorOptions, esdb: { readonly connectionString: string }, client: DistributionApiClient, files: MasterDataFiles): Promise<void> {
  const log = options.log ?? (() => undefined);
  const settings = await untilAnswered(() => client.status(), options);
  if (!settings) return;
  if (settings.transport !== 'esdb-persistent' || !settings.group) {
    throw new Error(`consumer ${options.consumer} is registered with transport ${settings.transport}: SOURCE=esdb-persistent needs "transport": "esdb-persistent" in DISTRIBUTION_CONSUMERS_FILE`);
  }
  log(`consumer ${options.consumer}: group ${settings.group} on EventStoreDB, writing to ${options.outputDir}`);
  const events = EsdbEventStore.fromConnectionString(esdb.connectionString);
  try {
    await runEsdbDistributionConsumer({
      events,
      group: settings.group,
      eventTypes: settings.eventTypes,
      maxDeliveries: settings.maxDeliveries,
      bufferSize: options.batchSize ?? 4,
      isTransient: (error) => error instanceof TransientApiError,
      isFatal: (error) => error instanceof TokenRefusedError,
      log,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
      ledger: {
        deliverAt: (position, eventId) => client.deliverAt(position, eventId),
        ack: (eventId) => client.ack([eventId]),
        nack: (eventId, reason) => client.nack([eventId], reason),
      },
      handle: (event): Promise<HandleOutcome> => handleDelivered(event, files, log),
    });
  } finally {
    await events.close();
  }
  log(`consumer ${options.consumer}: left group ${settings.group}`);
}

async function untilAnswered<T>(work: () => Promise<T>, options: DistributorOptions): Promise<T | undefined> {
  for (let attempt = 0; !options.signal?.aborted; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof TransientApiError)) throw error;
      options.log?.(`${error.message}; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(options.maxBackoffMs ?? 10_000, 100 * 2 ** Math.min(attempt, 10))));
    }
  }
  return undefined;
}
