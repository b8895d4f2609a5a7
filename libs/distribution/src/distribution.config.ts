import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@nws/runtime';
import { PUBLISHABLE_EVENT_TYPES, PUBLISHED_DATA_NOTICES, VERSION_EVENT } from './published-event';

/**
 * How a consumer receives its events: `http` from this process's ledger (pull, long poll, SSE);
 * `esdb-persistent` from a persistent subscription group on EventStoreDB's $all (competing
 * consumers: each event goes to one instance of the group; EventStoreDB redelivers and parks),
 * acknowledging to EventStoreDB and to the ledger (see esdb/esdb-distribution-consumer.ts).
 */
export type ConsumerTransport = 'http' | 'esdb-persistent';
export const TRANSPORTS: readonly ConsumerTransport[] = ['http', 'esdb-persistent'];

/** A downstream system that consumes events, registered by configuration (never by an API call). */
export interface ConsumerConfig {
  readonly name: string;
  readonly eventTypes: readonly string[];
  /** Un-acked deliveries are delivered again after this long (esdb-persistent: the group's message timeout). */
  readonly ackTimeoutMs: number;
  /** An event delivered this many times without an ack is parked at its next redelivery (esdb-persistent: parked in the group). */
  readonly maxDeliveries: number;
  readonly transport: ConsumerTransport;
}

/** The persistent subscription group of an `esdb-persistent` consumer: one group per consumer, named after it. */
export const persistentGroupOf = (consumer: string): string => `distribution-${consumer}`;

export interface DistributionConfig {
  readonly consumers: readonly ConsumerConfig[];
  /** SSE comment lines keep proxies and clients from timing an idle stream out. */
  readonly heartbeatMs: number;
  /** 0 disables the periodic lag log. */
  readonly lagLogIntervalMs: number;
}

export const DEFAULT_CONSUMER = 'reference-distributor';
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES = 5;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const RESERVED = ['consumers', 'lag', 'event-types'];

/** A configuration error (exit 78 at start, as every other setting a process cannot use). */
export class DistributionConfigError extends ConfigurationError {
  override readonly name: string = 'DistributionConfigError';
}

/**
 * Reads DISTRIBUTION_CONSUMERS_FILE (JSON: `[{ "name", "eventTypes", "ackTimeoutMs"?, "maxDeliveries"?, "transport"? }]`
 * or `{ "consumers": [...] }`), DISTRIBUTION_ACK_TIMEOUT_MS, DISTRIBUTION_MAX_DELIVERIES,
 * DISTRIBUTION_HEARTBEAT_MS and DISTRIBUTION_LAG_LOG_MS. A bad file stops the start: a consumer
 * silently missing would make master data look distributed to fewer systems than intended.
 */
export function loadDistributionConfig(env: NodeJS.ProcessEnv = process.env): DistributionConfig {
  const ackTimeoutMs = positiveInt(env, 'DISTRIBUTION_ACK_TIMEOUT_MS', DEFAULT_ACK_TIMEOUT_MS);
  const maxDeliveries = positiveInt(env, 'DISTRIBUTION_MAX_DELIVERIES', DEFAULT_MAX_DELIVERIES);
  const file = env['DISTRIBUTION_CONSUMERS_FILE'];
  // The reference distributor keeps copies of versions, so it takes the notices that change them as published.
  const raw: unknown = file ? readJson(file) : [{ name: DEFAULT_CONSUMER, eventTypes: [VERSION_EVENT, 'SecondReviewApproved', ...PUBLISHED_DATA_NOTICES] }];
  let consumers: ConsumerConfig[];
  try {
    consumers = parseConsumers(raw, { ackTimeoutMs, maxDeliveries });
  } catch (error) {
    // Named by the setting and the file it read, as every other configuration error is.
    if (error instanceof DistributionConfigError && file) throw new DistributionConfigError(`DISTRIBUTION_CONSUMERS_FILE ${file}: ${error.message}`);
    throw error;
  }
  return {
    consumers,
    heartbeatMs: positiveInt(env, 'DISTRIBUTION_HEARTBEAT_MS', 15_000),
    lagLogIntervalMs: nonNegativeInt(env, 'DISTRIBUTION_LAG_LOG_MS', 60_000),
  };
}

/**
 * Consumers that read an EventStoreDB persistent subscription group need EVENT_STORE=esdb: refused
 * before the API is built (one line, exit 78), not by Nest's dependency injection, which logged a
 * stack trace first.
 */
export function assertTransportsFor(config: DistributionConfig, eventStore: 'sqlite' | 'esdb'): void {
  const persistent = config.consumers.filter((c) => c.transport === 'esdb-persistent').map((c) => c.name);
  if (persistent.length > 0 && eventStore !== 'esdb') {
    throw new DistributionConfigError(`DISTRIBUTION_CONSUMERS_FILE: consumers ${persistent.join(', ')}: transport "esdb-persistent" reads a persistent subscription group of EventStoreDB and needs EVENT_STORE=esdb`);
  }
}

/** Types earlier releases distributed as notices of a person's change, and the notice that replaced them (a consumers file written for them). */
const NOTICES_BEFORE: Readonly<Record<string, string>> = {
  PersonalDataErased: 'PublishedPersonalDataChanged',
  PersonalDataUseSuspended: 'PublishedPersonalDataChanged',
  PersonalDataUseResumed: 'PublishedPersonalDataChanged',
};

export function parseConsumers(raw: unknown, defaults: { ackTimeoutMs: number; maxDeliveries: number }): ConsumerConfig[] {
  const list = Array.isArray(raw) ? raw : (raw as { consumers?: unknown } | null)?.consumers;
  if (!Array.isArray(list) || list.length === 0) throw new DistributionConfigError('consumers: a non-empty list of { name, eventTypes } is required');
  const seen = new Set<string>();
  return list.map((entry: unknown, index): ConsumerConfig => {
    const at = `consumers[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new DistributionConfigError(`${at}: must be an object`);
    const { name, eventTypes, ackTimeoutMs, maxDeliveries, transport, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new DistributionConfigError(`${at}: unknown field(s) ${unknown.join(', ')}`);
    if (typeof name !== 'string' || !NAME.test(name)) throw new DistributionConfigError(`${at}.name: lower-case letters, digits and hyphens (got ${JSON.stringify(name)})`);
    if (RESERVED.includes(name)) throw new DistributionConfigError(`${at}.name: "${name}" is taken by an endpoint (/distribution/${name})`);
    if (seen.has(name)) throw new DistributionConfigError(`${at}.name: "${name}" is registered twice`);
    seen.add(name);
    if (!Array.isArray(eventTypes) || eventTypes.length === 0) throw new DistributionConfigError(`${at}.eventTypes: a non-empty list is required`);
    for (const type of eventTypes) {
      // Only types with a published view may leave the system: anything else could carry personal data.
      if (typeof type !== 'string' || !PUBLISHABLE_EVENT_TYPES.includes(type)) {
        const renamed = typeof type === 'string' && Object.hasOwn(NOTICES_BEFORE, type) ? NOTICES_BEFORE[type] : undefined;
        const instead = renamed ? `; erasures, suspensions and their lifting reach consumers as "${renamed}" since this release: list it instead` : '';
        throw new DistributionConfigError(`${at}.eventTypes: "${String(type)}" is not distributable${instead} (one of ${PUBLISHABLE_EVENT_TYPES.join(', ')})`);
      }
    }
    if (transport !== undefined && !TRANSPORTS.includes(transport as ConsumerTransport)) {
      throw new DistributionConfigError(`${at}.transport: one of ${TRANSPORTS.join(', ')} (got ${JSON.stringify(transport)})`);
    }
    return {
      name,
      eventTypes: [...new Set(eventTypes as string[])],
      ackTimeoutMs: ackTimeoutMs === undefined ? defaults.ackTimeoutMs : checkedInt(ackTimeoutMs, `${at}.ackTimeoutMs`, 1),
      maxDeliveries: maxDeliveries === undefined ? defaults.maxDeliveries : checkedInt(maxDeliveries, `${at}.maxDeliveries`, 1),
      transport: (transport as ConsumerTransport | undefined) ?? 'http',
    };
  });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DistributionConfigError(`DISTRIBUTION_CONSUMERS_FILE: cannot read ${file} (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DistributionConfigError(`DISTRIBUTION_CONSUMERS_FILE: ${file} is not valid JSON (${(error as Error).message})`);
  }
}

function positiveInt(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  return raw === undefined || raw === '' ? fallback : checkedInt(Number(raw), key, 1);
}

function nonNegativeInt(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  return raw === undefined || raw === '' ? fallback : checkedInt(Number(raw), key, 0);
}

function checkedInt(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new DistributionConfigError(`${what}: an integer of at least ${min} is required`);
  return value;
}
