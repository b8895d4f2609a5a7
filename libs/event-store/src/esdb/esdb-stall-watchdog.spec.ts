import type { Position } from '@eventstore/db-client';
import { EsdbEventStore } from './esdb-event-store';
import { SubscriptionStalledError } from './esdb-resilient-observable';
import { watchForStall, type StallProbe } from './esdb-stall-watchdog';

const CHECK_MS = 1_000;
const PROBE_TIMEOUT_MS = 3_000;
const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

/** A subscription at `reached`, over a store whose probes answer as `answer` says. */
function harness(answer: (after: Position | 'start') => Promise<Position | undefined>) {
  let reached: Position | 'start' = at(100);
  const probes: Array<Position | 'start'> = [];
  const cancelled: Array<Position | 'start'> = [];
  const stalls: SubscriptionStalledError[] = [];
  const watchdog = watchForStall({
    checkEveryMs: CHECK_MS,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    reached: () => reached,
    probe: (after): StallProbe => {
      probes.push(after);
      return { answer: answer(after), cancel: () => cancelled.push(after) };
    },
    stalled: (error) => stalls.push(error),
  });
  return {
    watchdog,
    probes,
    cancelled,
    stalls,
    receive: (n: number) => {
      reached = at(n);
    },
  };
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the stall watchdog of a live EventStoreDB subscription', () => {
  it('given a quiet store, then it probes once a period and never calls it a stall', async () => {
    const { watchdog, probes, stalls } = harness(async () => undefined);
    await jest.advanceTimersByTimeAsync(CHECK_MS * 10);
    expect(probes).toHaveLength(10);
    expect(stalls).toEqual([]);
    watchdog.stop();
  });

  it('given a record owed and nothing received by the next look, then it is a stall, and the watchdog stops', async () => {
    const { probes, stalls } = harness(async () => at(200));
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(stalls).toEqual([]);
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeInstanceOf(SubscriptionStalledError);
    expect(stalls[0]?.message).toContain('position 200/200');
    expect(jest.getTimerCount()).toBe(0);
    expect(probes).toHaveLength(1);
  });

  it('given a record owed that arrives before the next look, then it is no stall', async () => {
    const { watchdog, receive, stalls } = harness(async () => at(200));
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    receive(200);
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(stalls).toEqual([]);
    watchdog.stop();
  });

  it('given a subscription that receives something every period (a long catch-up), then it sends no probe at all', async () => {
    const { watchdog, receive, probes, stalls } = harness(async () => at(1_000_000));
    for (let n = 101; n <= 110; n += 1) {
      receive(n);
      await jest.advanceTimersByTimeAsync(CHECK_MS);
    }
    expect(probes).toEqual([]);
    expect(stalls).toEqual([]);
    watchdog.stop();
  });

  it('given a probe answered after the subscription moved on, then its answer is not held against it', async () => {
    let answer: (position: Position) => void = () => undefined;
    const { watchdog, receive, stalls } = harness(() => new Promise((resolve) => (answer = resolve)));
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    receive(150);
    answer(at(200));
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(stalls).toEqual([]);
    watchdog.stop();
  });

  it('given probes that fail or never answer, then they give no verdict, one at a time, and one never answered is cancelled', async () => {
    let calls = 0;
    const { watchdog, probes, cancelled, stalls } = harness(() => (++calls === 1 ? new Promise(() => undefined) : Promise.reject(new Error('UNAVAILABLE'))));
    await jest.advanceTimersByTimeAsync(CHECK_MS * 3);
    // Still out: no second probe beside it.
    expect(probes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(cancelled).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(CHECK_MS * 5);
    expect(probes.length).toBeGreaterThanOrEqual(5);
    expect(stalls).toEqual([]);
    watchdog.stop();
  });

  it('when stopped, then no timer is left and a probe in flight is cancelled', async () => {
    const { watchdog, probes, cancelled } = harness(() => new Promise(() => undefined));
    await jest.advanceTimersByTimeAsync(CHECK_MS);
    expect(probes).toHaveLength(1);
    watchdog.stop();
    expect(cancelled).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('the stall watchdog period of the EventStoreDB adapter', () => {
  it.each([Infinity, 2 ** 31, -1, 1.5, Number.NaN])('refuses %p, which a timer cannot hold (Node would run it every millisecond)', (period) => {
    expect(() => new EsdbEventStore({} as never, { subscriptionStallCheckMs: period, guardEventIdReuse: false })).toThrow(/subscriptionStallCheckMs/);
  });

  it('takes 0 as off', () => {
    expect(() => new EsdbEventStore({} as never, { subscriptionStallCheckMs: 0, guardEventIdReuse: false })).not.toThrow();
  });
});
