'use strict';
/**
 * ServerFeatures (what the client asks first to pick its code paths) and Gossip (how a client
 * given several seeds finds the leader).
 */
const { createHash } = require('node:crypto');
const serverFeatures = require('@eventstore/db-client/generated/serverfeatures_pb');
const gossip = require('@eventstore/db-client/generated/gossip_pb');
const { createUuid } = require('./proto-codec');

const SERVER_VERSION = '24.10.0';

/** Only what the stand-in implements: the client must never pick a path that is not served. */
function supportedMethods(options) {
  const methods = [
    ['event_store.client.streams.Streams', 'Read', []],
    ['event_store.client.streams.Streams', 'Append', []],
    ['event_store.client.streams.Streams', 'Delete', []],
    ['event_store.client.streams.Streams', 'Tombstone', []],
    ['event_store.client.persistent_subscriptions.PersistentSubscriptions', 'Create', ['all']],
    ['event_store.client.persistent_subscriptions.PersistentSubscriptions', 'Read', ['all']],
    ['event_store.client.persistent_subscriptions.PersistentSubscriptions', 'Delete', ['all']],
    ['event_store.client.gossip.Gossip', 'Read', []],
  ];
  if (options.batchAppend) methods.push(['event_store.client.streams.Streams', 'BatchAppend', []]);
  const result = new serverFeatures.SupportedMethods();
  result.setEventStoreServerVersion(SERVER_VERSION);
  result.setMethodsList(
    methods.map(([service, method, features]) => {
      const supported = new serverFeatures.SupportedMethod();
      supported.setServiceName(service);
      supported.setMethodName(method);
      supported.setFeaturesList(features);
      return supported;
    }),
  );
  return result;
}

function instanceId(name) {
  const hex = createHash('sha1').update(`stand-in-${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function clusterInfo(cluster) {
  const info = new gossip.ClusterInfo();
  info.setMembersList(
    Object.entries(cluster.ports).map(([name, port]) => {
      const member = new gossip.MemberInfo();
      member.setInstanceId(createUuid(instanceId(name), false));
      member.setTimeStamp(String(Date.now() * 10000));
      member.setState(name === cluster.leader ? gossip.MemberInfo.VNodeState.LEADER : gossip.MemberInfo.VNodeState.FOLLOWER);
      member.setIsAlive(true);
      const endpoint = new gossip.EndPoint();
      endpoint.setAddress('127.0.0.1');
      endpoint.setPort(port);
      member.setHttpEndPoint(endpoint);
      return member;
    }),
  );
  return info;
}

function serverFeaturesService(options, cluster, node) {
  return {
    getSupportedMethods(_call, callback) {
      cluster.count(node, 'features');
      callback(null, supportedMethods(options));
    },
  };
}

function gossipService(cluster, node) {
  return {
    read(_call, callback) {
      cluster.count(node, 'gossip');
      callback(null, clusterInfo(cluster));
    },
  };
}

module.exports = { serverFeaturesService, gossipService };
