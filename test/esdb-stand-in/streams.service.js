'use strict';
/**
 * The Streams service: Read (stream and $all reads, catch-up subscriptions), Append (client
 * streaming), BatchAppend (bidirectional, multiplexed by correlation id), Delete and Tombstone,
 * answering with the messages, status codes and trailers EventStoreDB uses.
 */
const { randomUUID } = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const streams = require('@eventstore/db-client/generated/streams_pb');
const { compileFilter } = require('./event-filter');
const { SubscriptionPump } = require('./subscription.pump');
const codec = require('./proto-codec');
const { appendResponse, batchAppendResponse } = require('./append-responses');
const { STALL } = require('./cluster-state');

const FORWARDS = streams.ReadReq.Options.ReadDirection.FORWARDS;

/**
 * @param {{ log: import('./event-log.store').EventLog, cluster: import('./cluster-state').ClusterState, node: string,
 *   subscriptions: Set<SubscriptionPump>, subscriptionRequests: import('./subscription-requests').SubscriptionRequests }} context
 */
function streamsService({ log, cluster, node, subscriptions, subscriptionRequests }) {
  function read(call) {
    const options = call.request.getOptions();
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const isSubscription = options.hasSubscription();
    const refusal = cluster.admit(node, isSubscription ? 'subscribe' : 'read', call.metadata);
    if (refusal === STALL) return;
    if (refusal) return call.emit('error', refusal);
    if (isSubscription) return subscribe(call, options, structuredIds);
    const count = Number(options.getCount());
    const forwards = options.getReadDirection() === FORWARDS;
    if (options.hasStream()) return readStream(call, options.getStream(), count, forwards, structuredIds);
    const filter = options.hasFilter() ? compileFilter(options.getFilter()) : compileFilter(undefined);
    const records = readAllRecords(options.getAll(), forwards, filter);
    for (const record of take(records, count)) call.write(codec.readEventResponse(record, structuredIds));
    call.end();
  }

  function readStream(call, streamOptions, count, forwards, structuredIds) {
    const name = codec.streamName(streamOptions.getStreamIdentifier());
    if (log.streamState(name)?.tombstoned) return call.emit('error', codec.streamDeletedError(name));
    const visible = log.visibleRecords(name);
    if (!visible) {
      const notFound = new streams.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(codec.streamIdentifier(name));
      const response = new streams.ReadResp();
      response.setStreamNotFound(notFound);
      call.write(response);
      return call.end();
    }
    const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : undefined;
    const ordered = forwards
      ? visible.filter((record) => from === undefined || record.revision >= from)
      : [...visible].reverse().filter((record) => from === undefined || record.revision <= from);
    for (const record of ordered.slice(0, count)) call.write(codec.readEventResponse(record, structuredIds));
    call.end();
  }

  /** Forwards reads include the event at the given position; backwards reads stop before it. */
  function* readAllRecords(allOptions, forwards, filter) {
    const records = log.records;
    if (forwards) {
      const start = allOptions.hasStart() ? 0 : allOptions.hasEnd() ? records.length : log.indexAtOrAfter(Number(allOptions.getPosition().getCommitPosition()));
      for (let index = start; index < records.length; index += 1) if (filter.matches(records[index])) yield records[index];
      return;
    }
    const end = allOptions.hasEnd() || allOptions.hasStart() ? records.length : log.indexAtOrAfter(Number(allOptions.getPosition().getCommitPosition()));
    const stop = allOptions.hasStart() ? 0 : end;
    for (let index = stop - 1; index >= 0; index -= 1) if (filter.matches(records[index])) yield records[index];
  }

  function subscribe(call, options, structuredIds) {
    let pump;
    let request;
    if (options.hasStream()) {
      const streamOptions = options.getStream();
      const name = codec.streamName(streamOptions.getStreamIdentifier());
      const after = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : streamOptions.hasEnd() ? log.currentRevision(name) : -1;
      request = subscriptionRequests.record({ node, stream: name, from: streamOptions.hasRevision() ? after : streamOptions.hasEnd() ? 'end' : 'start' });
      pump = new SubscriptionPump({
        log,
        call,
        startIndex: 0,
        select: (record) => record.streamId === name && record.revision > after,
        checkpointEvery: Infinity,
        structuredIds,
      });
    } else {
      const allOptions = options.getAll();
      const after = allOptions.hasStart() ? -1 : allOptions.hasEnd() ? log.headPosition() : Number(allOptions.getPosition().getCommitPosition());
      const filter = compileFilter(options.hasFilter() ? options.getFilter() : undefined);
      request = subscriptionRequests.record({ node, stream: '$all', from: subscriptionRequests.allFrom(allOptions), filter: filter.describe });
      pump = new SubscriptionPump({
        log,
        call,
        startIndex: after < 0 ? 0 : log.indexAtOrAfter(after),
        // Subscription positions are exclusive: the event at `after` was already seen.
        select: (record) => record.position > after && filter.matches(record),
        checkpointEvery: filter.checkpointEvery,
        structuredIds,
        onCheckpoint: (position) => request.checkpointed(position),
      });
    }
    subscriptions.add(pump);
    call.on('close', () => subscriptions.delete(pump));
    call.on('cancelled', () => subscriptions.delete(pump));
    pump.start(randomUUID());
  }

  function append(call, callback) {
    let options;
    const events = [];
    call.on('data', (request) => {
      if (request.hasOptions()) options = request.getOptions();
      else events.push(codec.proposedEvent(request.getProposedMessage()));
    });
    call.on('end', () => {
      const refusal = cluster.admit(node, 'append', call.metadata);
      if (refusal === STALL) return;
      if (refusal) return callback(refusal);
      const name = codec.streamName(options.getStreamIdentifier());
      const expected = codec.expectedFromOptions(options, 'getRevision');
      const result = log.append(name, expected, events);
      if (result.kind === 'stream-deleted') return callback(codec.streamDeletedError(name));
      const lost = cluster.take('append', true);
      if (lost) return callback(cluster.faultError(lost));
      callback(null, appendResponse(result, expected));
    });
  }

  function batchAppend(call) {
    const pending = new Map();
    let closed = false;
    const fail = (error) => {
      if (closed) return;
      closed = true;
      call.emit('error', error);
    };
    call.on('data', (request) => {
      if (closed) return;
      const correlationId = codec.parseUuid(request.getCorrelationId());
      if (request.hasOptions()) {
        const options = request.getOptions();
        pending.set(correlationId, {
          name: codec.streamName(options.getStreamIdentifier()),
          expected: codec.expectedFromOptions(options, 'getStreamPosition'),
          events: [],
        });
      }
      const write = pending.get(correlationId);
      if (!write) return;
      write.events.push(...request.getProposedMessagesList().map(codec.proposedEvent));
      if (!request.getIsFinal()) return;
      pending.delete(correlationId);
      const respond = (fields) => call.write(batchAppendResponse(request.getCorrelationId(), write.name, fields));
      const refusal = cluster.admit(node, 'append', call.metadata);
      if (refusal === STALL) return;
      // ESDB fails one write with a Timeout status, but a NotLeader or a dead node ends the whole call.
      if (refusal && refusal.code === grpc.status.DEADLINE_EXCEEDED) return respond({ timeout: true });
      if (refusal) return fail(refusal);
      const result = log.append(write.name, write.expected, write.events);
      const lost = cluster.take('append', true);
      if (lost?.kind === 'deadline-exceeded') return respond({ timeout: true });
      if (lost) return fail(cluster.faultError(lost));
      respond({ result, expected: write.expected });
    });
    call.on('end', () => {
      if (closed) return;
      closed = true;
      call.end();
    });
    call.on('error', () => {
      closed = true;
    });
  }

  function deleteOrTombstone(kind) {
    return (call, callback) => {
      const refusal = cluster.admit(node, 'delete', call.metadata);
      if (refusal) return callback(refusal);
      const options = call.request.getOptions();
      const name = codec.streamName(options.getStreamIdentifier());
      const expected = codec.expectedFromOptions(options, 'getRevision');
      const result = kind === 'delete' ? log.softDelete(name, expected) : log.tombstone(name, expected);
      if (result.kind === 'stream-deleted') return callback(codec.streamDeletedError(name));
      if (result.kind === 'wrong-expected-version') {
        return callback(
          codec.serviceError(grpc.status.FAILED_PRECONDITION, `${kind} failed due to WrongExpectedVersion`, {
            exception: 'wrong-expected-version',
            'stream-name': name,
            'expected-version': expected,
            'actual-version': result.currentRevision < 0 ? '' : result.currentRevision,
          }),
        );
      }
      const Response = kind === 'delete' ? streams.DeleteResp : streams.TombstoneResp;
      const position = new Response.Position();
      position.setCommitPosition(String(result.position));
      position.setPreparePosition(String(result.position));
      const response = new Response();
      response.setPosition(position);
      callback(null, response);
    };
  }

  return { read, append, batchAppend, delete: deleteOrTombstone('delete'), tombstone: deleteOrTombstone('tombstone') };
}

function* take(iterable, count) {
  if (count <= 0) return;
  let taken = 0;
  for (const item of iterable) {
    yield item;
    taken += 1;
    if (taken >= count) return;
  }
}

module.exports = { streamsService };
