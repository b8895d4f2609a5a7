'use strict';
/**
 * Who leads the two stand-in nodes, which faults are armed, and what each node served.
 *
 * Faults are armed from the test through the control channel and consumed by the next matching
 * operations, on any node. A fault `afterCommit` lets the write happen and then fails the call:
 * the response is lost, which is the case where only idempotent retries avoid duplicates.
 */
const grpc = require('@grpc/grpc-js');
const { serviceError } = require('./proto-codec');

const FAULT_KINDS = new Set(['unavailable', 'deadline-exceeded', 'not-leader', 'stall']);
/** What `admit` answers for a `stall` fault: the node takes the call and never answers it (a frozen process, packets dropped). */
const STALL = Symbol('stall');
const DEFAULT_OPERATIONS = ['append'];

class ClusterState {
  constructor(nodeNames, leader) {
    this.ports = Object.fromEntries(nodeNames.map((name) => [name, 0]));
    this.leader = leader;
    this.faults = [];
    this.stats = Object.fromEntries(nodeNames.map((name) => [name, {}]));
  }

  elect(name) {
    if (!(name in this.ports)) throw new Error(`unknown node ${name}`);
    this.leader = name;
  }

  arm(fault) {
    if (!FAULT_KINDS.has(fault.kind)) throw new Error(`unknown fault kind ${fault.kind}`);
    if ((fault.kind === 'not-leader' || fault.kind === 'stall') && fault.afterCommit) throw new Error(`${fault.kind} is refused before any write`);
    this.faults.push({ ...fault, times: fault.times ?? 1, operations: fault.operations ?? DEFAULT_OPERATIONS });
  }

  clearFaults() {
    this.faults = [];
  }

  count(node, operation) {
    const stats = this.stats[node];
    stats[operation] = (stats[operation] ?? 0) + 1;
  }

  /** The next armed fault for this operation and phase, consumed; undefined when none. */
  take(operation, afterCommit) {
    const index = this.faults.findIndex((fault) => fault.operations.includes(operation) && !!fault.afterCommit === afterCommit);
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /**
   * What a node answers before doing the work: NotLeader when the client requires the leader and
   * this node follows (as ESDB does), else the next armed fault. Undefined means "go ahead".
   */
  admit(node, operation, metadata) {
    this.count(node, operation);
    const requiresLeader = metadata?.get('requires-leader')?.[0] === 'true';
    if (requiresLeader && node !== this.leader) return this.notLeaderError();
    const fault = this.take(operation, false);
    if (fault?.kind === 'stall') return STALL;
    return fault ? this.faultError(fault) : undefined;
  }

  faultError(fault) {
    switch (fault.kind) {
      case 'unavailable':
        return serviceError(grpc.status.UNAVAILABLE, 'Server Is Not Ready');
      case 'deadline-exceeded':
        return serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline Exceeded');
      default:
        return this.notLeaderError();
    }
  }

  /** ESDB's RpcExceptions.LeaderInfo: NotFound with the leader's endpoint in the trailers. */
  notLeaderError() {
    return serviceError(grpc.status.NOT_FOUND, 'Leader info available', {
      exception: 'not-leader',
      'leader-endpoint-host': '127.0.0.1',
      'leader-endpoint-port': this.ports[this.leader],
    });
  }
}

module.exports = { ClusterState, STALL };
