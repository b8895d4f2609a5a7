'use strict';
/**
 * Persistent subscriptions to $all (competing consumers): Create, Read (bidirectional: options,
 * then acks and nacks), Delete. Groups live in memory only: a real server checkpoints a group's
 * position to its `$persistentsubscription-…-checkpoint` stream, the stand-in does not.
 *
 * Delivery follows ESDB: each consumer holds at most `bufferSize` unacknowledged events; a nack
 * with `retry`, a message timeout or a consumer leaving redelivers with retryCount + 1; past
 * maxRetryCount (or on `park`) the event is parked; `skip` drops it.
 */
const grpc = require('@grpc/grpc-js');
const persistent = require('@eventstore/db-client/generated/persistent_pb');
const { compileFilter } = require('./event-filter');
const codec = require('./proto-codec');

const Action = persistent.ReadReq.Nack.Action;
const Strategy = persistent.CreateReq.ConsumerStrategy;

class PersistentGroup {
  constructor(log, name, { filter, after, settings }) {
    this.log = log;
    this.name = name;
    this.filter = filter;
    this.after = after;
    this.settings = settings;
    this.index = after < 0 ? 0 : log.indexAtOrAfter(after);
    this.queue = [];
    this.inFlight = new Map();
    this.parked = [];
    this.consumers = [];
    this.nextConsumer = 0;
    this.unsubscribe = log.onCommit(() => this.dispatch());
  }

  addConsumer(consumer) {
    this.consumers.push(consumer);
    this.dispatch();
  }

  removeConsumer(consumer) {
    this.consumers = this.consumers.filter((candidate) => candidate !== consumer);
    for (const [id, message] of this.inFlight) if (message.consumer === consumer) this.retry(id);
    this.dispatch();
  }

  ack(ids) {
    for (const id of ids) this.settle(id);
    this.dispatch();
  }

  nack(ids, action) {
    for (const id of ids) {
      if (action === Action.RETRY) this.retry(id);
      else if (action === Action.SKIP) this.settle(id);
      else this.park(id);
    }
    this.dispatch();
  }

  settle(id) {
    const message = this.inFlight.get(id);
    if (!message) return undefined;
    clearTimeout(message.timer);
    this.inFlight.delete(id);
    return message;
  }

  retry(id) {
    const message = this.settle(id);
    if (!message) return;
    if (message.retryCount + 1 > this.settings.maxRetryCount) this.parked.push(message.record);
    else this.queue.unshift({ record: message.record, retryCount: message.retryCount + 1 });
  }

  park(id) {
    const message = this.settle(id);
    if (message) this.parked.push(message.record);
  }

  dispatch() {
    const records = this.log.records;
    while (this.index < records.length) {
      const record = records[this.index];
      this.index += 1;
      if (record.position > this.after && this.filter.matches(record)) this.queue.push({ record, retryCount: 0 });
    }
    while (this.queue.length > 0) {
      const consumer = this.pickConsumer(this.queue[0].record);
      if (!consumer) return;
      const { record, retryCount } = this.queue.shift();
      const timer = setTimeout(() => {
        this.retry(record.id);
        this.dispatch();
      }, this.settings.messageTimeoutMs);
      timer.unref();
      this.inFlight.set(record.id, { record, retryCount, consumer, timer });
      consumer.send(record, retryCount);
    }
  }

  pickConsumer(record) {
    const available = this.consumers.filter((consumer) => this.unacknowledged(consumer) < consumer.bufferSize);
    if (available.length === 0) return undefined;
    if (this.settings.strategy === Strategy.DISPATCHTOSINGLE) return available[0];
    if (this.settings.strategy === Strategy.PINNED) {
      const hash = [...record.streamId].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) >>> 0, 7);
      return available[hash % available.length];
    }
    this.nextConsumer = (this.nextConsumer + 1) % available.length;
    return available[this.nextConsumer];
  }

  unacknowledged(consumer) {
    let count = 0;
    for (const message of this.inFlight.values()) if (message.consumer === consumer) count += 1;
    return count;
  }

  close() {
    this.unsubscribe();
    for (const id of [...this.inFlight.keys()]) this.settle(id);
  }
}

function groupError(code, exception, group, text) {
  return codec.serviceError(code, text, { exception, 'stream-name': '$all', 'group-name': group });
}

function persistentSubscriptionsService({ log, cluster, node, groups }) {
  function create(call, callback) {
    const refusal = cluster.admit(node, 'persistent', call.metadata);
    if (refusal) return callback(refusal);
    const options = call.request.getOptions();
    if (!options.hasAll()) return callback(codec.serviceError(grpc.status.UNIMPLEMENTED, 'stand-in: only $all groups'));
    const name = options.getGroupName();
    if (groups.has(name)) {
      return callback(groupError(grpc.status.ALREADY_EXISTS, 'persistent-subscription-exists', name, `Subscription group ${name} on stream $all exists.`));
    }
    const all = options.getAll();
    const settings = options.getSettings();
    const after = all.hasStart() ? -1 : all.hasEnd() ? log.headPosition() : Number(all.getPosition().getCommitPosition()) - 1;
    groups.set(
      name,
      new PersistentGroup(log, name, {
        filter: compileFilter(all.hasFilter() ? all.getFilter() : undefined),
        after,
        settings: {
          messageTimeoutMs: settings.getMessageTimeoutMs() || 30_000,
          maxRetryCount: settings.getMaxRetryCount(),
          maxSubscriberCount: settings.getMaxSubscriberCount(),
          strategy: settings.getNamedConsumerStrategy(),
        },
      }),
    );
    callback(null, new persistent.CreateResp());
  }

  function remove(call, callback) {
    const refusal = cluster.admit(node, 'persistent', call.metadata);
    if (refusal) return callback(refusal);
    const name = call.request.getOptions().getGroupName();
    const group = groups.get(name);
    if (!group) {
      return callback(groupError(grpc.status.NOT_FOUND, 'persistent-subscription-does-not-exist', name, `Subscription group ${name} on stream $all does not exist.`));
    }
    group.close();
    for (const consumer of group.consumers) consumer.drop();
    groups.delete(name);
    callback(null, new persistent.DeleteResp());
  }

  function read(call) {
    let consumer;
    let group;
    call.on('data', (request) => {
      if (request.hasOptions()) {
        const refusal = cluster.admit(node, 'persistent', call.metadata);
        if (refusal) return call.emit('error', refusal);
        const options = request.getOptions();
        const name = options.getGroupName();
        group = groups.get(name);
        if (!group) {
          return call.emit('error', groupError(grpc.status.NOT_FOUND, 'persistent-subscription-does-not-exist', name, `Subscription group ${name} on stream $all does not exist.`));
        }
        const max = group.settings.maxSubscriberCount;
        if (max > 0 && group.consumers.length >= max) {
          return call.emit('error', groupError(grpc.status.FAILED_PRECONDITION, 'maximum-subscribers-reached', name, 'Maximum subscriptions reached.'));
        }
        consumer = createConsumer(call, options);
        const confirmation = new persistent.ReadResp.SubscriptionConfirmation();
        confirmation.setSubscriptionId(`$all::${name}`);
        const response = new persistent.ReadResp();
        response.setSubscriptionConfirmation(confirmation);
        call.write(response);
        group.addConsumer(consumer);
        return undefined;
      }
      if (!group) return undefined;
      if (request.hasAck()) group.ack(request.getAck().getIdsList().map(codec.parseUuid));
      if (request.hasNack()) group.nack(request.getNack().getIdsList().map(codec.parseUuid), request.getNack().getAction());
      return undefined;
    });
    const leave = () => {
      if (group && consumer) group.removeConsumer(consumer);
      group = undefined;
    };
    call.on('end', () => {
      leave();
      call.end();
    });
    call.on('cancelled', leave);
    call.on('error', leave);
  }

  function createConsumer(call, options) {
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    return {
      bufferSize: Math.max(1, options.getBufferSize()),
      send(record, retryCount) {
        const event = new persistent.ReadResp.ReadEvent();
        event.setEvent(codec.fillRecordedEvent(new persistent.ReadResp.ReadEvent.RecordedEvent(), record, structuredIds));
        event.setCommitPosition(String(record.position));
        event.setRetryCount(retryCount);
        const response = new persistent.ReadResp();
        response.setEvent(event);
        call.write(response);
      },
      drop() {
        call.emit('error', codec.serviceError(grpc.status.CANCELLED, 'Subscription group was deleted.', { exception: 'persistent-subscription-dropped' }));
      },
    };
  }

  return { create, read, delete: remove };
}

module.exports = { persistentSubscriptionsService };
