'use strict';
/**
 * EventStoreDB stand-in: a child process serving the real client's gRPC services on two nodes
 * ("A" and "B", random ports on 127.0.0.1) that share one in-memory log, so leader changes and
 * NotLeader redirects can be exercised without a cluster.
 *
 * It runs in its own process because the client's generated protobuf code registers itself in a
 * process-wide namespace: a second copy (the test's module registry) would collide with it.
 *
 * Control channel: Node IPC (the parent forks this file). Requests are `{ id, command, args }`,
 * answers `{ id, ok, result | error }`; `{ type: 'ready', ports }` is sent once both nodes listen.
 * Options come as JSON in ESDB_STAND_IN_OPTIONS: `{ batchAppend, leader, systemEventsEveryMs }`.
 */
const grpc = require('@grpc/grpc-js');
const { StreamsService } = require('@eventstore/db-client/generated/streams_grpc_pb');
const { PersistentSubscriptionsService } = require('@eventstore/db-client/generated/persistent_grpc_pb');
const { ServerFeaturesService } = require('@eventstore/db-client/generated/serverfeatures_grpc_pb');
const { GossipService } = require('@eventstore/db-client/generated/gossip_grpc_pb');
const { EventLog } = require('./event-log.store');
const { ClusterState } = require('./cluster-state');
const { streamsService } = require('./streams.service');
const { persistentSubscriptionsService } = require('./persistent-subscriptions.service');
const { serverFeaturesService, gossipService } = require('./cluster.service');
const { serviceError } = require('./proto-codec');
const { SubscriptionRequests } = require('./subscription-requests');

const NODES = ['A', 'B'];
const options = { batchAppend: true, leader: 'A', systemEventsEveryMs: 1000, ...JSON.parse(process.env.ESDB_STAND_IN_OPTIONS || '{}') };

const log = new EventLog();
const cluster = new ClusterState(NODES, options.leader);
const groups = new Map();
const subscriptions = new Set();
const subscriptionRequests = new SubscriptionRequests();
const servers = [];

// A fresh ESDB already holds system events; readers that forget to skip them fail here too.
log.writeSystem('$settings', '$settings', { $userStreamAcl: { $r: '$all' } });
log.writeSystem('$$$scavenges', '$metadata', { $maxAge: 2592000 });

function startNode(node) {
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1 });
  const context = { log, cluster, node, subscriptions, subscriptionRequests, groups };
  server.addService(StreamsService, streamsService(context));
  server.addService(PersistentSubscriptionsService, persistentSubscriptionsService(context));
  server.addService(ServerFeaturesService, serverFeaturesService(options, cluster, node));
  server.addService(GossipService, gossipService(cluster, node));
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) return reject(error);
      cluster.ports[node] = port;
      return resolve(port);
    });
  });
}

const commands = {
  inject: (fault) => cluster.arm(fault),
  clearFaults: () => cluster.clearFaults(),
  elect: (node) => cluster.elect(node),
  stats: () => ({ calls: cluster.stats, armedFaults: cluster.faults.length, leader: cluster.leader, records: log.records.length }),
  dropSubscriptions: () => {
    const error = serviceError(grpc.status.UNAVAILABLE, 'Server Is Restarting');
    for (const pump of [...subscriptions]) pump.drop(error);
    return subscriptions.size;
  },
  stallSubscriptions: () => [...subscriptions].filter((pump) => pump.stall()).length,
  subscriptionRequests: () => subscriptionRequests.list(),
};

process.on('message', (message) => {
  if (!message || typeof message.id !== 'number') return;
  const command = commands[message.command];
  try {
    if (!command) throw new Error(`unknown command ${message.command}`);
    process.send({ id: message.id, ok: true, result: command(...(message.args ?? [])) ?? null });
  } catch (error) {
    process.send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
// The parent (jest) went away: never outlive it.
process.on('disconnect', () => process.exit(0));

Promise.all(NODES.map(startNode))
  .then(() => {
    const timer = setInterval(() => {
      log.writeSystem(`$stats-127.0.0.1:${cluster.ports.A}`, '$statsCollected', { 'proc-mem': process.memoryUsage().rss });
    }, options.systemEventsEveryMs);
    timer.unref();
    process.send({ type: 'ready', ports: cluster.ports });
  })
  .catch((error) => {
    process.stderr.write(`stand-in failed to start: ${error.stack}\n`);
    process.exit(1);
  });
