'use strict';
/**
 * One catch-up subscription (to $all or to a stream) as ESDB serves it over Streams.Read:
 * confirmation, catch-up events, a checkpoint and CaughtUp when the log is exhausted, then live
 * events, with checkpoints every `checkpointEvery` events looked at (filtered $all only).
 *
 * Catch-up and live share one cursor over the log, so the switch to live can neither skip nor
 * repeat an event; `drain` is honoured so a slow client does not make the stand-in buffer the log.
 */
const streams = require('@eventstore/db-client/generated/streams_pb');
const { readEventResponse } = require('./proto-codec');

class SubscriptionPump {
  /**
   * @param {object} args
   * @param {import('./event-log.store').EventLog} args.log
   * @param {import('@grpc/grpc-js').ServerWritableStream<unknown, unknown>} args.call
   * @param {number} args.startIndex first log index to look at
   * @param {(record: object) => boolean} args.select
   * @param {number} args.checkpointEvery
   * @param {boolean} args.structuredIds
   * @param {(position: number) => void} [args.onCheckpoint] told of every checkpoint written
   */
  constructor({ log, call, startIndex, select, checkpointEvery, structuredIds, onCheckpoint = () => {} }) {
    this.log = log;
    this.call = call;
    this.index = startIndex;
    this.select = select;
    this.checkpointEvery = checkpointEvery;
    this.structuredIds = structuredIds;
    this.onCheckpoint = onCheckpoint;
    this.scanned = 0;
    this.caughtUp = false;
    this.waitingForDrain = false;
    this.closed = false;
    this.stalled = false;
    this.unsubscribe = () => {};
  }

  start(subscriptionId) {
    const confirmation = new streams.ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(subscriptionId);
    const response = new streams.ReadResp();
    response.setConfirmation(confirmation);
    this.call.write(response);
    this.unsubscribe = this.log.onCommit(() => this.pump());
    this.call.on('cancelled', () => this.close());
    this.call.on('close', () => this.close());
    this.pump();
  }

  /** Ends the subscription with an error status, as a restarting node would. */
  drop(error) {
    if (this.closed) return;
    this.close();
    this.call.emit('error', error);
  }

  close() {
    this.closed = true;
    this.unsubscribe();
  }

  /**
   * Sends nothing more and keeps the call open, as a node that froze behind a live HTTP/2 layer
   * (which still answers pings): no error, no end, only silence. False if already stalled or closed.
   */
  stall() {
    if (this.closed || this.stalled) return false;
    this.stalled = true;
    this.unsubscribe();
    return true;
  }

  pump() {
    if (this.closed || this.stalled || this.waitingForDrain) return;
    const records = this.log.records;
    while (this.index < records.length) {
      const record = records[this.index];
      this.index += 1;
      this.scanned += 1;
      let writable = true;
      if (this.select(record)) writable = this.send(readEventResponse(record, this.structuredIds));
      // After the record's own event: ESDB checkpoints the record it has just examined.
      if (this.scanned % this.checkpointEvery === 0) writable = this.sendCheckpoint(record.position) && writable;
      if (!writable) return;
    }
    if (!this.caughtUp) {
      this.caughtUp = true;
      if (Number.isFinite(this.checkpointEvery) && records.length > 0) this.sendCheckpoint(records.at(-1).position);
      const response = new streams.ReadResp();
      response.setCaughtUp(new streams.ReadResp.CaughtUp());
      this.send(response);
    }
  }

  sendCheckpoint(position) {
    const checkpoint = new streams.ReadResp.Checkpoint();
    checkpoint.setCommitPosition(String(position));
    checkpoint.setPreparePosition(String(position));
    const response = new streams.ReadResp();
    response.setCheckpoint(checkpoint);
    if (this.closed) return false;
    this.onCheckpoint(position);
    return this.send(response);
  }

  /** False when the client is not keeping up: the pump resumes on 'drain'. */
  send(response) {
    if (this.closed || this.stalled) return false;
    if (this.call.write(response)) return true;
    if (this.waitingForDrain) return false;
    this.waitingForDrain = true;
    this.call.once('drain', () => {
      this.waitingForDrain = false;
      this.pump();
    });
    return false;
  }
}

module.exports = { SubscriptionPump };
