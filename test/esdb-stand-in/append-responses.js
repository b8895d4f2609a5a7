'use strict';
/**
 * Append outcomes as ESDB reports them, which differs by path: the unary Append puts a wrong
 * expected version in the response body; BatchAppend packs it into a google.rpc.Status detail.
 */
const streams = require('@eventstore/db-client/generated/streams_pb');
const shared = require('@eventstore/db-client/generated/shared_pb');
const codec = require('./proto-codec');
const { ANY, NO_STREAM, STREAM_EXISTS } = require('./event-log.store');

const CODE_DEADLINE_EXCEEDED = 4;
const CODE_NOT_FOUND = 5;
const CODE_ALREADY_EXISTS = 6;

function appendResponse(result, expected) {
  const response = new streams.AppendResp();
  if (result.kind === 'success') {
    const success = new streams.AppendResp.Success();
    success.setCurrentRevision(String(result.currentRevision));
    const position = new streams.AppendResp.Position();
    position.setCommitPosition(String(result.position));
    position.setPreparePosition(String(result.position));
    success.setPosition(position);
    response.setSuccess(success);
    return response;
  }
  const wrong = new streams.AppendResp.WrongExpectedVersion();
  if (result.currentRevision < 0) wrong.setCurrentNoStream(new shared.Empty());
  else wrong.setCurrentRevision(String(result.currentRevision));
  if (expected === ANY) wrong.setExpectedAny(new shared.Empty());
  else if (expected === NO_STREAM) wrong.setExpectedNoStream(new shared.Empty());
  else if (expected === STREAM_EXISTS) wrong.setExpectedStreamExists(new shared.Empty());
  else wrong.setExpectedRevision(String(expected));
  response.setWrongExpectedVersion(wrong);
  return response;
}

/**
 * @param {object} correlationId the request's UUID message, echoed back
 * @param {string} name
 * @param {{ timeout?: boolean, result?: object, expected?: number }} outcome
 */
function batchAppendResponse(correlationId, name, { timeout, result, expected }) {
  const response = new streams.BatchAppendResp();
  response.setCorrelationId(correlationId);
  response.setStreamIdentifier(codec.streamIdentifier(name));
  if (timeout) {
    response.setError(codec.rpcStatus(CODE_DEADLINE_EXCEEDED, 'Timeout', new shared.Timeout(), 'event_store.client.Timeout'));
  } else if (result.kind === 'success') {
    const success = new streams.BatchAppendResp.Success();
    success.setCurrentRevision(String(result.currentRevision));
    const position = new shared.AllStreamPosition();
    position.setCommitPosition(String(result.position));
    position.setPreparePosition(String(result.position));
    success.setPosition(position);
    response.setSuccess(success);
  } else if (result.kind === 'stream-deleted') {
    const detail = new shared.StreamDeleted();
    detail.setStreamIdentifier(codec.streamIdentifier(name));
    response.setError(codec.rpcStatus(CODE_NOT_FOUND, 'StreamDeleted', detail, 'event_store.client.StreamDeleted'));
  } else {
    const detail = codec.wrongExpectedVersionDetail(result.currentRevision, expected);
    response.setError(codec.rpcStatus(CODE_ALREADY_EXISTS, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion'));
  }
  return response;
}

module.exports = { appendResponse, batchAppendResponse };
