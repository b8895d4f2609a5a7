'use strict';
/**
 * What catch-up subscriptions were asked for (node, stream, start position, filter) and the
 * checkpoints each was sent, so tests can check where a client resumes after a drop.
 * Bounded: long reliability runs open many subscriptions and must not grow the stand-in.
 */
const MAX_REQUESTS = 1000;

class SubscriptionRequests {
  constructor() {
    this.requests = [];
  }

  /**
   * @param {{ node: string, stream: string, from: 'start' | 'end' | number | { commit: number, prepare: number }, filter?: object }} request
   * @returns {{ checkpointed(position: number): void }}
   */
  record(request) {
    const entry = { ...request, checkpoints: 0, lastCheckpoint: null };
    this.requests.push(entry);
    if (this.requests.length > MAX_REQUESTS) this.requests.shift();
    return {
      checkpointed: (position) => {
        entry.checkpoints += 1;
        entry.lastCheckpoint = { commit: position, prepare: position };
      },
    };
  }

  /** The `from` of a $all subscription, as the client sent it. */
  allFrom(allOptions) {
    if (allOptions.hasStart()) return 'start';
    if (allOptions.hasEnd()) return 'end';
    const position = allOptions.getPosition();
    return { commit: Number(position.getCommitPosition()), prepare: Number(position.getPreparePosition()) };
  }

  list() {
    return this.requests.map((entry) => ({ ...entry }));
  }
}

module.exports = { SubscriptionRequests };
