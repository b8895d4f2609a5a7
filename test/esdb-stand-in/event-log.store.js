'use strict';
/**
 * In-memory transaction log of the stand-in, with EventStoreDB's write rules.
 *
 * Positions are byte offsets like ESDB's log positions (not 1, 2, 3), so a client that assumes
 * consecutive positions breaks here as it would on a real server. Every event of an append gets
 * its own position with commit == prepare, which is what ESDB (>= 20.6) reports for appends made
 * over gRPC (implicit transactions).
 *
 * The idempotency checks follow ESDB's IndexWriter.CheckCommit: explicit expected versions check
 * the events already at those revisions; `any` / `stream_exists` consult the event-id cache, which
 * is unbounded here but bounded (best effort) on a real server.
 */
const { randomUUID } = require('node:crypto');

const ANY = -2;
const NO_STREAM = -1;
const STREAM_EXISTS = -4;
const TOMBSTONE_REVISION = 2n ** 63n - 1n;
const RECORD_OVERHEAD = 88;
const FIRST_POSITION = 1024;

/** .NET ticks (100 ns) since the Unix epoch: what ESDB puts in the `created` metadata. */
function ticksSinceEpoch(date) {
  return (BigInt(date.getTime()) * 10000n).toString();
}

class EventLog {
  constructor() {
    this.records = [];
    this.streams = new Map();
    this.eventIds = new Map();
    this.nextPosition = FIRST_POSITION;
    this.listeners = new Set();
  }

  /** Called with every committed record, in log order. */
  onCommit(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  headPosition() {
    return this.records.at(-1)?.position ?? 0;
  }

  streamState(streamId) {
    return this.streams.get(streamId);
  }

  /** Last revision, -1 when the stream does not exist. */
  currentRevision(streamId) {
    const stream = this.streams.get(streamId);
    return stream && stream.records.length > 0 ? stream.records.at(-1).revision : NO_STREAM;
  }

  /**
   * @param {number} expected ANY | NO_STREAM | STREAM_EXISTS | revision
   * @param {{id: string, type: string, contentType: string, data: Buffer, metadata: Buffer}[]} proposed
   */
  append(streamId, expected, proposed) {
    const stream = this.streams.get(streamId);
    if (stream?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(streamId);
    const decision = this.checkCommit(streamId, stream, current, expected, proposed);
    if (decision.kind !== 'ok') return decision;
    let last;
    for (const event of proposed) {
      last = this.write(streamId, { ...event, revision: this.currentRevision(streamId) + 1 });
    }
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }

  checkCommit(streamId, stream, current, expected, proposed) {
    const wrong = { kind: 'wrong-expected-version', currentRevision: current };
    if (expected === STREAM_EXISTS && current < 0) return wrong;
    if (expected === ANY || expected === STREAM_EXISTS) {
      let end;
      for (const [index, event] of proposed.entries()) {
        const known = this.eventIds.get(event.id);
        if (!known || known.streamId !== streamId) return index === 0 ? { kind: 'ok' } : wrong;
        end = known;
      }
      return end ? this.idempotent(end) : { kind: 'ok' };
    }
    if (expected < current) {
      let end;
      for (const [index, event] of proposed.entries()) {
        const atRevision = stream.records.find((record) => record.revision === expected + 1 + index);
        if (atRevision?.id === event.id) {
          end = atRevision;
          continue;
        }
        if (index === 0 && expected === NO_STREAM && stream.truncateBefore !== undefined) return { kind: 'ok' };
        return wrong;
      }
      return end ? this.idempotent(end) : wrong;
    }
    if (expected > current) return wrong;
    return { kind: 'ok' };
  }

  idempotent(record) {
    return { kind: 'success', currentRevision: record.revision, position: record.position, idempotent: true };
  }

  /** Soft delete: ESDB writes `$tb` into the metastream; the stream reads as missing afterwards. */
  softDelete(streamId, expected) {
    const current = this.currentRevision(streamId);
    const check = this.checkDelete(streamId, current, expected);
    if (check) return check;
    const metadata = { $tb: current + 1 };
    const written = this.writeSystem(`$$${streamId}`, '$metadata', metadata);
    this.streams.get(streamId).truncateBefore = current + 1;
    return { kind: 'success', position: written.position };
  }

  tombstone(streamId, expected) {
    const current = this.currentRevision(streamId);
    const check = this.checkDelete(streamId, current, expected);
    if (check) return check;
    const stream = this.ensureStream(streamId);
    const written = this.write(streamId, {
      id: randomUUID(),
      type: '$streamDeleted',
      contentType: 'application/octet-stream',
      data: Buffer.alloc(0),
      metadata: Buffer.alloc(0),
      revision: TOMBSTONE_REVISION,
    });
    stream.tombstoned = true;
    return { kind: 'success', position: written.position };
  }

  checkDelete(streamId, current, expected) {
    if (this.streams.get(streamId)?.tombstoned) return { kind: 'stream-deleted' };
    const matches =
      expected === ANY ||
      (expected === NO_STREAM && current < 0) ||
      (expected === STREAM_EXISTS && current >= 0) ||
      expected === current;
    if (!matches) return { kind: 'wrong-expected-version', currentRevision: current };
    if (current < 0) this.ensureStream(streamId);
    return undefined;
  }

  /** System events the server writes on its own ($settings, $stats-…): readers must skip them. */
  writeSystem(streamId, type, payload) {
    return this.write(streamId, {
      id: randomUUID(),
      type,
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(payload)),
      metadata: Buffer.alloc(0),
      revision: this.currentRevision(streamId) + 1,
    });
  }

  ensureStream(streamId) {
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = { records: [], truncateBefore: undefined, tombstoned: false };
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  write(streamId, event) {
    const stream = this.ensureStream(streamId);
    const record = {
      id: event.id,
      streamId,
      revision: event.revision,
      type: event.type,
      contentType: event.contentType,
      data: event.data,
      metadata: event.metadata,
      created: ticksSinceEpoch(new Date()),
      position: this.nextPosition,
    };
    this.nextPosition += RECORD_OVERHEAD + streamId.length + event.type.length + event.data.length + event.metadata.length;
    this.records.push(record);
    stream.records.push(record);
    this.eventIds.set(record.id, { streamId, revision: record.revision, position: record.position });
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** Visible records of a stream (after a soft delete's truncation), or undefined when missing. */
  visibleRecords(streamId) {
    const stream = this.streams.get(streamId);
    if (!stream) return undefined;
    const visible = stream.records.filter((record) => stream.truncateBefore === undefined || record.revision >= stream.truncateBefore);
    return visible.length > 0 ? visible : undefined;
  }

  /** Index of the first record whose position is >= `position` (the log is sorted by position). */
  indexAtOrAfter(position) {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.records[mid].position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

module.exports = { EventLog, ANY, NO_STREAM, STREAM_EXISTS, TOMBSTONE_REVISION };
