'use strict';
/**
 * Conversions between the client's generated protobuf messages and the stand-in's records.
 * The generated code is loaded from the client package itself, so both sides agree on the wire
 * format by construction (uint64 fields travel as strings: the protos use jstype = JS_STRING).
 */
const grpc = require('@grpc/grpc-js');
const { Any } = require('google-protobuf/google/protobuf/any_pb.js');
const { Empty: GoogleEmpty } = require('google-protobuf/google/protobuf/empty_pb.js');
const shared = require('@eventstore/db-client/generated/shared_pb');
const streams = require('@eventstore/db-client/generated/streams_pb');
const status = require('@eventstore/db-client/generated/status_pb');
const { ANY, NO_STREAM, STREAM_EXISTS } = require('./event-log.store');

function streamName(identifier) {
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

function streamIdentifier(name) {
  const identifier = new shared.StreamIdentifier();
  identifier.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return identifier;
}

function parseUuid(uuid) {
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured();
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString();
}

function createUuid(id, structured) {
  const uuid = new shared.UUID();
  if (!structured) {
    uuid.setString(id);
    return uuid;
  }
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  const value = new shared.UUID.Structured();
  value.setMostSignificantBits(bytes.readBigInt64BE(0).toString());
  value.setLeastSignificantBits(bytes.readBigInt64BE(8).toString());
  uuid.setStructured(value);
  return uuid;
}

/** A proposed message (Append or BatchAppend) as the event log wants it. */
function proposedEvent(message) {
  const metadata = message.getMetadataMap();
  return {
    id: parseUuid(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: Buffer.from(message.getData_asU8()),
    metadata: Buffer.from(message.getCustomMetadata_asU8()),
  };
}

/** Fills a RecordedEvent message (streams or persistent flavour: same fields). */
function fillRecordedEvent(message, record, structuredIds) {
  message.setId(createUuid(record.id, structuredIds));
  message.setStreamIdentifier(streamIdentifier(record.streamId));
  message.setStreamRevision(String(record.revision));
  message.setCommitPosition(String(record.position));
  message.setPreparePosition(String(record.position));
  const metadata = message.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('content-type', record.contentType);
  metadata.set('created', record.created);
  message.setData(Uint8Array.from(record.data));
  message.setCustomMetadata(Uint8Array.from(record.metadata));
  return message;
}

function readEventResponse(record, structuredIds) {
  const event = new streams.ReadResp.ReadEvent();
  event.setEvent(fillRecordedEvent(new streams.ReadResp.ReadEvent.RecordedEvent(), record, structuredIds));
  event.setCommitPosition(String(record.position));
  const response = new streams.ReadResp();
  response.setEvent(event);
  return response;
}

/** Expected revision from the oneof of an Append / Delete / Tombstone options message. */
function expectedFromOptions(options, revisionGetter) {
  if (options.hasNoStream()) return NO_STREAM;
  if (options.hasAny()) return ANY;
  if (options.hasStreamExists()) return STREAM_EXISTS;
  return Number(options[revisionGetter]());
}

/** A google.rpc.Status as ESDB puts it in a BatchAppend response, with a packed detail. */
function rpcStatus(code, message, detail, detailTypeName) {
  const result = new status.Status();
  result.setCode(code);
  result.setMessage(message);
  const any = new Any();
  any.pack(detail.serializeBinary(), detailTypeName);
  result.setDetails(any);
  return result;
}

function wrongExpectedVersionDetail(currentRevision, expected) {
  const detail = new shared.WrongExpectedVersion();
  if (currentRevision < 0) detail.setCurrentNoStream(new GoogleEmpty());
  else detail.setCurrentStreamRevision(String(currentRevision));
  if (expected === ANY) detail.setExpectedAny(new GoogleEmpty());
  else if (expected === NO_STREAM) detail.setExpectedNoStream(new GoogleEmpty());
  else if (expected === STREAM_EXISTS) detail.setExpectedStreamExists(new GoogleEmpty());
  else detail.setExpectedStreamPosition(String(expected));
  return detail;
}

/** A call-level error with ESDB's trailers (`exception` plus details), as grpc-js servers emit it. */
function serviceError(code, details, trailers = {}) {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, String(value));
  return { code, details, metadata };
}

function streamDeletedError(name) {
  return serviceError(grpc.status.FAILED_PRECONDITION, `Event stream '${name}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': name,
  });
}

module.exports = {
  streamName,
  streamIdentifier,
  parseUuid,
  createUuid,
  proposedEvent,
  fillRecordedEvent,
  readEventResponse,
  expectedFromOptions,
  rpcStatus,
  wrongExpectedVersionDetail,
  serviceError,
  streamDeletedError,
  GoogleEmpty,
};
