import type { Position } from '@eventstore/db-client';
import { isAfter } from './esdb-mapping';
import { SubscriptionStalledError } from './esdb-resilient-observable';

/** One bounded look at the store: the first record after a position that the subscription's filter takes. */
export interface StallProbe {
  /** Undefined when the store holds nothing the subscription has yet to be sent. */
  readonly answer: Promise<Position | undefined>;
  cancel(): void;
}

export interface StallWatch {
  /** How often to look; a probe is sent only when the subscription received nothing since the last look. */
  readonly checkEveryMs: number;
  /** A probe not answered by then is abandoned without a verdict: the next look sends another. */
  readonly probeTimeoutMs: number;
  /** Where the subscription has got to: the last event or server checkpoint it was sent. */
  reached(): Position | 'start';
  probe(after: Position | 'start'): StallProbe;
  stalled(error: SubscriptionStalledError): void;
}

/**
 * Notices a live subscription that stopped receiving while the call stays open. Neither gRPC nor
 * the server tells: a quiet $all sends nothing (no heartbeat; checkpoints only follow records the
 * server looked at), and a node whose HTTP/2 layer still answers keepalive pings (a stuck storage
 * reader, a proxy that terminates HTTP/2) keeps the call alive for ever.
 *
 * So the store itself is asked, with the subscription's own filter, whether it holds a record
 * after what the subscription has been sent. A quiet store answers no, a store busy only with
 * records the filter leaves out answers no, and a subscription that received anything between two
 * looks is not probed at all (a busy one costs nothing). Only a record owed at one look and still
 * not received, with nothing at all received, at the next is a stall: noticed within three
 * periods of the first record owed. A probe that fails or times out gives no verdict: a store that
 * cannot answer reads cannot serve a new subscription either, and is looked at again next time.
 */
export function watchForStall(watch: StallWatch): { stop(): void } {
  let last = watch.reached();
  let owed: Position | undefined;
  let inFlight: StallProbe | undefined;
  let probeTimer: NodeJS.Timeout | undefined;

  const settleProbe = (cancel: boolean) => {
    clearTimeout(probeTimer);
    probeTimer = undefined;
    if (cancel) inFlight?.cancel();
    inFlight = undefined;
  };

  const look = () => {
    const reached = watch.reached();
    const moved = !samePosition(reached, last);
    last = reached;
    if (owed && !moved && isAfter(owed, reached)) {
      const message = `EventStoreDB subscribeToAll: nothing received for ${watch.checkEveryMs} ms while the store holds ${describe(owed)}, after ${describe(reached)}`;
      stop();
      watch.stalled(new SubscriptionStalledError(message));
      return;
    }
    owed = undefined;
    if (moved || inFlight) return;
    const probe = watch.probe(reached);
    inFlight = probe;
    probeTimer = setTimeout(() => settleProbe(true), watch.probeTimeoutMs);
    probeTimer.unref();
    probe.answer.then(
      (first) => {
        if (inFlight !== probe) return;
        settleProbe(false);
        // Received something while the probe was out: it looked at a subscription that has moved on.
        if (first && isAfter(first, reached) && samePosition(watch.reached(), reached)) owed = first;
      },
      () => {
        if (inFlight === probe) settleProbe(false);
      },
    );
  };

  const timer = setInterval(look, watch.checkEveryMs);
  // Never what keeps a process alive: the subscription it watches decides that.
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    settleProbe(true);
    owed = undefined;
  };
  return { stop };
}

function samePosition(a: Position | 'start', b: Position | 'start'): boolean {
  if (a === 'start' || b === 'start') return a === b;
  return a.commit === b.commit && a.prepare === b.prepare;
}

function describe(position: Position | 'start'): string {
  return position === 'start' ? 'the start' : `position ${position.commit}/${position.prepare}`;
}
