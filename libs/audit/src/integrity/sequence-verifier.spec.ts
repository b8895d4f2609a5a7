import type { RecordedEvent } from '@nws/event-store';
import { ProblemLog } from './integrity-report';
import { GENESIS_HASH } from '@nws/event-store';
import { ROLLING_GENESIS, SEAL_STREAM, makeSeal, rollEvent, type SealRecord } from './seal';
import { SealCursor, SequenceVerifier } from './sequence-verifier';

const event = (position: number, streamId = `application-${position}`): RecordedEvent =>
  ({ id: `e${position}`, streamId, revision: 0, position, type: streamId === SEAL_STREAM ? 'StoreSealed' : 'FormSaved', data: {}, metadata: {}, recordedAt: `2026-12-07T00:00:0${position % 10}.000Z` }) as unknown as RecordedEvent;

async function* of<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/**
 * Events 1..3, each sealed on its own, the seals written after all three (a sealer that lags):
 * positions 4, 5, 6 are seals 1, 2, 3. The store's seal log and the witness hold the same seals.
 */
function sealedStore(): { events: RecordedEvent[]; seals: SealRecord[] } {
  const events = [1, 2, 3].map((p) => event(p));
  const seals: SealRecord[] = [];
  let rolling = ROLLING_GENESIS;
  let previous = GENESIS_HASH;
  for (const e of events) {
    rolling = rollEvent(rolling, e);
    const seal = makeSeal({ sequence: seals.length + 1, fromPosition: e.position, toPosition: e.position, count: 1, rollingHash: rolling, previousSealHash: previous, sealedAt: '2026-12-07T00:00:10.000Z' });
    seals.push(seal);
    previous = seal.sealHash;
  }
  return { events: [...events, ...seals.map((_, i) => event(4 + i, SEAL_STREAM))], seals };
}

async function verify(events: readonly RecordedEvent[], seals: readonly SealRecord[]): Promise<{ log: ProblemLog; verifier: SequenceVerifier }> {
  const log = new ProblemLog();
  const verifier = new SequenceVerifier(log, { contiguousPositions: true, fromBeginning: true, rolling: true }, [new SealCursor('store', of(seals)), new SealCursor('witness', of(seals))]);
  for (const e of events) await verifier.accept(e);
  await verifier.finish('the store');
  return { log, verifier };
}

/** The seals blamed, as `log:sequence` (events here carry no hash chain: only the seals are looked at). */
const blamed = (log: ProblemLog) => log.problems.filter((p) => p.kind.startsWith('seal')).map((p) => `${/(store|witness) seal/.exec(p.message)?.[1] ?? p.kind}:${String(p.sealSequence)}`);

describe('SequenceVerifier: seals of several logs due at once', () => {
  it('given an intact store, then every seal of both logs verifies', async () => {
    const { events, seals } = sealedStore();
    const { log } = await verify(events, seals);
    expect(blamed(log)).toEqual([]);
  });

  it('given the event of seal 2 deleted, then seal 2 is blamed in both logs, and seal 1 in neither (a reset shared by the logs blamed the witness\u2019s seal 1)', async () => {
    const { events, seals } = sealedStore();
    const { log } = await verify(
      events.filter((e) => e.position !== 2),
      seals,
    );
    expect(blamed(log)).toEqual(['store:2', 'witness:2']);
  });

  it('a seal that did not match does not change the rolling hash of the events read (an export\u2019s trailer is compared with it)', async () => {
    const { events, seals } = sealedStore();
    const kept = events.filter((e) => e.position !== 2);
    const { verifier } = await verify(kept, seals);
    const rolled = kept.filter((e) => e.streamId !== SEAL_STREAM).reduce(rollEvent, ROLLING_GENESIS);
    expect(verifier.rollingHash).toBe(rolled);
  });
});
