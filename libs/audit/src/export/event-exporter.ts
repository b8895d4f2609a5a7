import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { integrityOf, type EventStore, type RecordedEvent } from '@nws/event-store';
import { ROLLING_GENESIS, SEAL_STREAM, isSealEvent, parseSeal, rollEvent, type SealRecord } from '../integrity/seal';
import { storedEventsOf } from '../integrity/stored-events';
import { highWaterMarkOf } from '../integrity/store-verifier';
import type { WitnessFile } from '../integrity/witness-file';
import { CSV_COLUMNS, UTF8_BOM, csvLine, csvRow } from './csv-row';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, HASHING_DESCRIPTION, eventLine, type ExportHeader, type ExportTrailer } from './export-format';

export interface ExportOptions {
  readonly format: 'jsonl' | 'csv';
  /** One stream (an application's); default: the whole store. */
  readonly streamId?: string;
  readonly applicationId?: string;
  /** CSV only: start with a UTF-8 byte order mark, which Excel needs to read UTF-8. */
  readonly bom?: boolean;
  readonly witness?: WitnessFile;
  /**
   * Export nothing past this global position (default: the head when the export begins). A
   * caller that logged what it is about to export bounds the export to what it logged.
   */
  readonly toPosition?: number;
  readonly eventStoreKind?: string;
  readonly clock?: () => string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportSummary {
  readonly events: number;
  readonly firstPosition: number | null;
  readonly lastPosition: number | null;
  readonly bytes: number;
  readonly trailer: ExportTrailer | null;
}

const CHUNK = 64 * 1024;

/** Buffers lines into large writes and waits for 'drain', so memory stays flat however big the export. */
class ChunkedWriter {
  private buffer = '';
  bytes = 0;
  constructor(private readonly out: Writable) {}

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    this.bytes += Buffer.byteLength(chunk, 'utf8');
    if (!this.out.write(chunk, 'utf8')) await once(this.out, 'drain');
  }
}

/**
 * Streams events out of the store (paged reads, constant memory) as JSON Lines — each event as
 * stored (personal data stays encrypted where the store encrypts it), between a header and a
 * trailer that make the file verifiable offline — or as CSV for Excel, personal data decrypted.
 * It exports the store (or stream) as it stood when it began; later events are left out.
 */
export async function exportEvents(anyStore: EventStore, out: Writable, options: ExportOptions): Promise<ExportSummary> {
  const store = storedEventsOf(anyStore);
  const exportedAt = (options.clock ?? (() => new Date().toISOString()))();
  // Witness first, then high-water mark, then head: whatever the witness holds is then in the export.
  const witnessed = safeLast(options.witness);
  const highWater = await highWaterMarkOf(store);
  const head = Math.min(await store.headPosition(), options.toPosition ?? Number.POSITIVE_INFINITY);
  const streamId = options.streamId;
  const lastRevision = streamId === undefined ? undefined : await store.streamRevision(streamId);
  const total = streamId === undefined ? head : (lastRevision ?? -1) + 1;
  const jsonl = options.format === 'jsonl';
  // CSV is for people to read: values as a reader holding the keys sees them (an erased person is
  // ［消去済み］). JSON Lines must verify offline, so they carry the stored form, ciphertext included.
  const reading = jsonl ? store : anyStore;
  const source: AsyncIterable<RecordedEvent> =
    streamId === undefined ? reading.readAll() : lastRevision === undefined ? empty() : reading.readStream(streamId, { toRevision: lastRevision });
  const writer = new ChunkedWriter(out);
  const digest = createHash('sha256');
  const emit = async (line: string) => {
    if (jsonl) digest.update(`${line}\n`, 'utf8');
    await writer.write(jsonl ? `${line}\n` : line);
  };

  if (jsonl) {
    const header: ExportHeader = {
      exportRecord: 'header',
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      exportedAt,
      scope: streamId === undefined ? 'store' : 'application',
      applicationId: options.applicationId ?? null,
      streamId: streamId ?? null,
      source: { eventStore: options.eventStoreKind ?? 'unknown', headPosition: head, highWaterMark: highWater ?? null, contiguousPositions: highWater !== undefined, witness: witnessed },
      hashing: HASHING_DESCRIPTION,
    };
    await emit(JSON.stringify(header));
  } else {
    await writer.write(`${options.bom ? UTF8_BOM : ''}${csvLine(CSV_COLUMNS)}`);
  }

  // Exported as stored: the trailer names the stored hash; the verifier recomputes them all.
  let lastHash: string | null = null;
  let rolling = ROLLING_GENESIS;
  let lastSeal: SealRecord | undefined;
  let events = 0;
  let first: number | null = null;
  let last: number | null = null;
  for await (const event of source) {
    if (event.position > head) break;
    await emit(jsonl ? eventLine(event) : csvRow(event));
    if (jsonl) {
      lastHash = integrityOf(event)?.hash ?? null;
      if (isSealEvent(event)) lastSeal = parseSeal(event.data) ?? lastSeal;
      else rolling = rollEvent(rolling, event);
    }
    events += 1;
    first ??= event.position;
    last = event.position;
    if (events % 1000 === 0) options.onProgress?.(events, total);
  }

  let trailer: ExportTrailer | null = null;
  if (jsonl) {
    trailer = {
      exportRecord: 'trailer',
      events,
      firstPosition: first,
      lastPosition: last,
      rollingHash: streamId === undefined ? rolling : null,
      lastHashes: streamId === undefined ? null : lastHash === null ? {} : { [streamId]: lastHash },
      seal: streamId === undefined ? (lastSeal ?? null) : await newestSealUpTo(store, head),
      linesDigest: `sha256:${digest.digest('hex')}`,
    };
    await writer.write(`${JSON.stringify(trailer)}\n`);
  }
  await writer.flush();
  options.onProgress?.(events, total);
  return { events, firstPosition: first, lastPosition: last, bytes: writer.bytes, trailer };
}

async function newestSealUpTo(store: EventStore, head: number): Promise<SealRecord | null> {
  const revision = await store.streamRevision(SEAL_STREAM);
  for (let r = revision; r !== undefined && r >= 0; r--) {
    for await (const event of store.readStream(SEAL_STREAM, { fromRevision: r, toRevision: r })) {
      if (event.position <= head) return parseSeal(event.data) ?? null;
    }
  }
  return null;
}

function safeLast(witness: WitnessFile | undefined): SealRecord | null {
  try {
    return witness?.last() ?? null;
  } catch {
    return null;
  }
}

async function* empty(): AsyncIterable<RecordedEvent> {}
