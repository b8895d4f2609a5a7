import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@nws/event-store';
import { seedStore, tempStore } from '../testing/seed-store';
import { describeProblem } from './integrity-report';
import { SEAL_STREAM, computeSealHash } from './seal';
import { Sealer, SealerHaltedError, WitnessRestartedError } from './sealer';
import { verifyStore, verifyStream } from './store-verifier';
import { WITNESS_FILE, WitnessFile } from './witness-file';

const ev = (data: Record<string, string> = {}) => ({ id: randomUUID(), type: 'FormSaved', data, metadata: { occurredAt: new Date().toISOString() } });
const kinds = (report: { problems: ReadonlyArray<{ kind: string }> }) => [...new Set(report.problems.map((p) => p.kind))].sort();

describe('store-wide tamper evidence: seals, witness, gaps, high-water mark (real SQLite files)', () => {
  let temp: ReturnType<typeof tempStore>;
  let store: EventStore;
  let witness: WitnessFile;
  beforeEach(() => {
    temp = tempStore();
    store = temp.open();
    witness = new WitnessFile(join(temp.dir, WITNESS_FILE));
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    temp.remove();
  });

  async function sealed(events: number, options: { maxEvents?: number } = {}) {
    const sealer = new Sealer(store, { witness, debounceMs: 5, ...options });
    await sealer.start();
    await seedStore(store, { events, streams: 5, perAppend: 5 });
    await sealer.stop({ flush: true });
    return sealer;
  }

  it('seals the global order into the store and the witness; a clean store verifies', async () => {
    const sealer = await sealed(200, { maxEvents: 50 });
    const seals: unknown[] = [];
    for await (const e of store.readStream(SEAL_STREAM)) seals.push(e.data);
    const witnessed: unknown[] = [];
    for await (const s of witness.read()) witnessed.push(s);
    expect(seals.length).toBeGreaterThanOrEqual(2);
    expect(witnessed).toEqual(seals);
    const last = sealer.status.lastSeal!;
    // The last seal covers the newest event that is not itself a seal (one or more seals may follow it).
    let newestEvent = 0;
    for await (const e of store.readAll()) if (e.streamId !== SEAL_STREAM) newestEvent = e.position;
    expect(last).toMatchObject({ sequence: seals.length, toPosition: newestEvent });
    expect(computeSealHash(last)).toBe(last.sealHash);

    const report = await verifyStore(store, { witness });
    expect(report).toMatchObject({ valid: true, complete: true, checkedEvents: 200 + seals.length, unsealedEvents: 0, sealsChecked: seals.length, witnessSealsChecked: seals.length });
    expect(report.problems).toEqual([]);
  });

  it('a restarted sealer continues the chain, sealing what was written while it was down', async () => {
    await sealed(20);
    await store.append('application-late', [ev(), ev()], 'no_stream');
    const second = new Sealer(store, { witness, debounceMs: 5 });
    await second.start();
    await second.stop({ flush: true });
    const seals: Array<{ sequence: number; previousSealHash: string; sealHash: string; count: number }> = [];
    for await (const e of store.readStream(SEAL_STREAM)) seals.push(e.data as never);
    expect(seals.at(-1)!.count).toBe(2);
    expect(seals.at(-1)!.previousSealHash).toBe(seals.at(-2)!.sealHash);
    expect(await verifyStore(store, { witness })).toMatchObject({ valid: true, unsealedEvents: 0 });
  });

  it('a flush with a time limit seals the prefix it read, and the next sealer seals on from it to a store that verifies', async () => {
    // given 3,000 events written while no sealer ran
    await seedStore(store, { events: 3000, streams: 10, perAppend: 10 });
    const first = new Sealer(store, { witness, debounceMs: 60_000, maxEvents: 1_000_000 });
    await first.start();
    // when it stops at once with no time to read on
    await first.stop({ flush: true, flushWithinMs: 0 });
    // then its last seal covers a prefix only (it read 256 events or a page it had, not the store)
    const partial = first.status.lastSeal!;
    expect(partial.toPosition).toBeGreaterThan(0);
    expect(partial.toPosition).toBeLessThan(3000);
    // and a sealer started later seals on from there, to a store that verifies with nothing unsealed
    const second = new Sealer(store, { witness, debounceMs: 5 });
    await second.start();
    await second.stop({ flush: true });
    expect(second.status.lastSeal!.toPosition).toBeGreaterThanOrEqual(3000);
    expect(await verifyStore(store, { witness })).toMatchObject({ valid: true, unsealedEvents: 0 });
  });

  it('a byte changed directly in the database file is reported at the exact event, expected and found hash', async () => {
    await sealed(30);
    await store.append('application-target', [ev({ phone: '0426207200' }), ev({ phone: 'MARKER-0426207201' }), ev()], 'no_stream');
    const target = { position: await store.headPosition() - 1 };
    await store.close();
    // The WAL is checkpointed on close: the row is in the main file, once.
    const bytes = readFileSync(temp.file);
    const at = bytes.indexOf('MARKER-0426207201');
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf('MARKER-0426207201', at + 1)).toBe(-1);
    bytes[at + 'MARKER-'.length + 3] = '9'.charCodeAt(0);
    writeFileSync(temp.file, bytes);

    store = temp.open();
    const report = await verifyStore(store, { witness });
    expect(report.valid).toBe(false);
    expect(report.problems).toHaveLength(1);
    const [problem] = report.problems;
    expect(problem).toMatchObject({ kind: 'hash-mismatch', streamId: 'application-target', revision: 1, position: target.position });
    expect(problem!.expected).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(problem!.found).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(problem!.expected).not.toBe(problem!.found);
    expect(describeProblem(problem!)).toContain(`stream application-target, revision 1, position ${target.position}`);
    // Said in Japanese first, for the auditors who read it.
    expect(describeProblem(problem!)).toMatch(/^イベントの内容が記録されたハッシュと一致しません（内容が変更されています） \/ hash-mismatch at /);
    const stream = await verifyStream(store, 'application-target');
    expect(stream).toMatchObject({ valid: false, checkedEvents: 3, problems: [{ kind: 'hash-mismatch', revision: 1, position: target.position }] });
  });

  it('deleting the newest events and their seals is reported: witness, high-water mark, seal log', async () => {
    await sealed(60, { maxEvents: 20 });
    const head = await store.headPosition();
    await store.close();
    const db = new Database(temp.file);
    db.exec('DROP TRIGGER events_are_immutable_delete');
    db.prepare('DELETE FROM events WHERE position > ?').run(head - 8);
    db.close();

    store = temp.open();
    const report = await verifyStore(store, { witness });
    expect(report.valid).toBe(false);
    expect(kinds(report)).toEqual(['head-below-high-water-mark', 'seal-beyond-head', 'seal-missing-from-store']);
    expect(report.problems.find((p) => p.kind === 'head-below-high-water-mark')).toMatchObject({ expected: `position ${head}`, found: `position ${head - 8}` });

    // Even with AUTOINCREMENT's counter put back, the witness outside the database remembers.
    await store.close();
    const db2 = new Database(temp.file);
    db2.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(head - 8);
    db2.close();
    store = temp.open();
    const again = await verifyStore(store, { witness });
    expect(kinds(again)).toEqual(['seal-beyond-head', 'seal-missing-from-store']);
    // And the sealer refuses to seal on top of a store that lost sealed events.
    const errors: unknown[] = [];
    const sealer = new Sealer(store, { witness, onError: (e) => errors.push(e) });
    await sealer.start();
    expect(sealer.status.state).toBe('halted');
    expect(errors[0]).toBeInstanceOf(SealerHaltedError);
  });

  it('newest events and their seals removed, the witness deleted and the sealer started again: the new witness is said to begin late (NOT FULLY VERIFIED), and the sealer says it started one', async () => {
    await sealed(20);
    // Two more seals, each of an event of its own: at least three, however the first ones were batched.
    for (const round of [1, 2]) {
      await store.append(`application-later-${round}`, [ev()], 'no_stream');
      const later = new Sealer(store, { witness });
      await later.start();
      await later.stop({ flush: true });
    }
    const seals = (await verifyStore(store, { witness })).sealsChecked;
    expect(seals).toBeGreaterThanOrEqual(3);
    // given the last seal and the events after the one before it removed, with SQLite's counter put back, and the witness deleted
    const before: number[] = [];
    for await (const e of store.readStream(SEAL_STREAM)) before.push(e.position);
    const cut = before.at(-2)!;
    await store.close();
    const db = new Database(temp.file);
    db.exec('DROP TRIGGER events_are_immutable_delete');
    db.prepare('DELETE FROM events WHERE position > ?').run(cut);
    db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(cut);
    db.close();
    rmSync(witness.path);
    store = temp.open();
    // when the sealer starts on it
    const errors: unknown[] = [];
    const sealer = new Sealer(store, { witness, onError: (e) => errors.push(e) });
    await sealer.start();
    await sealer.stop();
    // then it sealed on, saying loudly that it started the witness again
    expect(errors).toEqual([expect.any(WitnessRestartedError)]);
    expect(String(errors[0])).toContain(`was missing or empty while the store holds ${seals - 1} seal(s)`);
    // and verify finds nothing wrong, but does not call it VALID: the witness begins after seal 1
    const report = await verifyStore(store, { witness });
    expect(report).toMatchObject({ valid: true, complete: false });
    expect(report.warnings.join('\n')).toContain(`begins at seal ${seals - 1}`);
  });

  it('under steady load a seal is written at least every maxWaitMs, not only after the load stops or every maxEvents', async () => {
    const sealer = new Sealer(store, { witness, debounceMs: 50, maxWaitMs: 150, maxEvents: 1000 });
    await sealer.start();
    const stream = 'application-steady';
    let revision: number | 'no_stream' = 'no_stream';
    const until = Date.now() + 1200;
    // One event every 10 ms: the debounce alone would never run out while this goes on.
    while (Date.now() < until) {
      revision = (await store.append(stream, [ev()], revision)).nextExpectedRevision;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const duringLoad = sealer.status.lastSeal?.sequence ?? 0;
    await sealer.stop({ flush: true });
    expect(duringLoad).toBeGreaterThanOrEqual(2);
  });

  it('stop() returns only once no seal is being written: no seal written after it, the witness left closed', async () => {
    // The descriptors this process holds on the witness (Linux's /proc; elsewhere nothing to check).
    const openOnWitness = () => {
      try {
        return readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === witness.path;
          } catch {
            return false;
          }
        }).length;
      } catch {
        return 0;
      }
    };
    for (let round = 0; round < 10; round++) {
      const sealer = new Sealer(store, { witness, debounceMs: 1, maxEvents: 3 });
      await sealer.start();
      const stream = `application-burst-${round}`;
      let revision: number | 'no_stream' = 'no_stream';
      for (let i = 0; i < 12; i++) revision = (await store.append(stream, [ev(), ev()], revision)).nextExpectedRevision;
      await sealer.stop();
      const sealsAtStop = sealer.status.lastSeal?.sequence;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([round, openOnWitness(), sealer.status.lastSeal?.sequence]).toEqual([round, 0, sealsAtStop]);
    }
    expect((await verifyStore(store, { witness })).valid).toBe(true);
  });

  it('deleting an event in the middle: missing position, revision gap, seal mismatch', async () => {
    await sealed(40);
    await store.close();
    const db = new Database(temp.file);
    db.exec('DROP TRIGGER events_are_immutable_delete');
    db.prepare('DELETE FROM events WHERE position = 7').run();
    db.close();
    store = temp.open();
    const report = await verifyStore(store, { witness });
    expect(kinds(report)).toEqual(['missing-positions', 'revision-gap', 'seal-mismatch']);
    expect(report.problems.find((p) => p.kind === 'missing-positions')).toMatchObject({ position: 7, expected: 'position 7', found: 'position 8' });
  });

  it('without the witness file the verification says it is incomplete', async () => {
    await sealed(10);
    const report = await verifyStore(store, { witness: new WitnessFile(join(temp.dir, 'elsewhere.jsonl')) });
    expect(report).toMatchObject({ valid: true, complete: false });
    expect(report.warnings.join(' ')).toMatch(/no witness file/);
  });
});
