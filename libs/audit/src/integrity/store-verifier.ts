import type { EventStore, RecordedEvent } from '@nws/event-store';
import { ProblemLog, type VerificationReport } from './integrity-report';
import { SEAL_STREAM, parseSeal, type SealRecord } from './seal';
import { SealCursor, SequenceVerifier } from './sequence-verifier';
import { storedEventsOf } from './stored-events';
import { StreamChainTracker } from './stream-chain-tracker';
import { MalformedWitnessLineError, type WitnessFile } from './witness-file';

export interface StoreVerifyOptions {
  /** The witness file to hold the store against; without one, deleting the newest sealed events is only caught by the high-water mark. */
  readonly witness?: WitnessFile;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Finds the adapter's high-water mark (largest position ever assigned) through decorators such as
 * ChainedEventStore. Only the SQLite adapter has one; its positions are also gap-free.
 */
export async function highWaterMarkOf(store: EventStore): Promise<number | undefined> {
  let current: unknown = store;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { highWaterMark?: () => Promise<number>; inner?: unknown };
    if (typeof candidate.highWaterMark === 'function') return candidate.highWaterMark();
    current = candidate.inner;
  }
  return undefined;
}

/**
 * Verifies the whole store (as stored, see storedEventsOf) in one streamed pass: every stream's chain, missing positions, the
 * rolling hash at every seal of the store and of the witness file, the witness against the seal
 * stream, and the head against the high-water mark. Events appended while it runs are left for
 * the next run (it stops at the head it saw first).
 */
export async function verifyStore(anyStore: EventStore, options: StoreVerifyOptions = {}): Promise<VerificationReport> {
  const store = storedEventsOf(anyStore);
  const log = new ProblemLog();
  // Read the witness and the high-water mark before the head: a seal or event added in between
  // then only makes the head larger, never a false alarm.
  const witnessed = readWitnessEnd(options.witness, log);
  const highWater = await highWaterMarkOf(store);
  const head = await store.headPosition();
  const storeSeals = new SealCursor('store', storedSeals(store, head, log));
  const logs = [storeSeals];
  if (witnessed) logs.push(new SealCursor('witness', witnessSeals(options.witness!, witnessed.sequence, log)));
  const verifier = new SequenceVerifier(log, { contiguousPositions: highWater !== undefined, fromBeginning: true, rolling: true }, logs);
  for await (const event of store.readAll()) {
    if (event.position > head) break;
    await verifier.accept(event);
    if (verifier.events % 1000 === 0) options.onProgress?.(event.position, head);
  }
  await verifier.finish('the store');
  options.onProgress?.(head, head);
  if (highWater !== undefined && highWater > verifier.position) {
    log.add({
      kind: 'head-below-high-water-mark',
      position: verifier.position,
      message: `positions up to ${highWater} were handed out but the store ends at ${verifier.position}: the newest ${highWater - verifier.position} event(s) were removed`,
      expected: `position ${highWater}`,
      found: `position ${verifier.position}`,
    });
  }
  if (witnessed) {
    await compareWitnessWithStore(store, options.witness!, witnessed.sequence, head, log);
    await warnOfLateWitness(options.witness!, log);
  } else if (storeSeals.checked > 0) {
    log.warn(`no witness file${options.witness ? ` at ${options.witness.path}` : ''}: the removal of the newest events together with their seals cannot be ruled out`);
    log.incomplete = true;
  } else if (verifier.events > 0) {
    log.warn('the store has never been sealed (the API runs the sealer): the removal of the newest events is caught only through the high-water mark');
  }
  if (highWater === undefined) log.warn('this event store has no gap-free positions or high-water mark (EventStoreDB): removals are caught through the seals only');
  return {
    valid: log.count === 0,
    complete: !log.incomplete,
    scope: 'store',
    checkedEvents: verifier.events,
    streams: verifier.chains.streamCount,
    lastPosition: verifier.position,
    sealsChecked: storeSeals.checked,
    witnessSealsChecked: logs[1]?.checked ?? 0,
    ...(verifier.lastSeal ? { lastSeal: { sequence: verifier.lastSeal.sequence, toPosition: verifier.lastSeal.toPosition, sealHash: verifier.lastSeal.sealHash } } : {}),
    unsealedEvents: verifier.unsealedEvents,
    problems: log.problems,
    moreProblems: log.more,
    warnings: log.warnings,
  };
}

/**
 * A witness that begins after seal 1 holds nothing of the seals before it: the sealer starts one
 * again when it finds none (a witness removed, or lost with its disk), and a store whose newest
 * events and seals were removed, its witness deleted, then restarted had a fresh witness that
 * agreed with it: VALID. Nothing is wrong as far as can be seen, but the check is not whole.
 */
async function warnOfLateWitness(witness: WitnessFile, log: ProblemLog): Promise<void> {
  let first: SealRecord | undefined;
  try {
    for await (const seal of witness.read()) {
      first = seal;
      break;
    }
  } catch {
    return; // reported as witness-unreadable by the comparison
  }
  if (!first || first.sequence === 1) return;
  log.warn(
    `ウィットネスファイル ${witness.path} はシール ${first.sequence}（${first.sealedAt}）から始まっています。それより前のシールはウィットネスと照合できません（ウィットネスが失われ、シーラーが作り直したときもこうなります） / ` +
      `the witness ${witness.path} begins at seal ${first.sequence} (sealed ${first.sealedAt}): the seals before it, and newest events removed with their seals before it began, are not held to a witness (a witness the sealer started again, having found none, looks like this)`,
  );
  log.incomplete = true;
}

export interface StreamVerification {
  readonly streamId: string;
  readonly valid: boolean;
  readonly checkedEvents: number;
  readonly lastRevision: number | null;
  readonly lastPosition: number | null;
  readonly lastHash: string | null;
  readonly problems: VerificationReport['problems'];
  /** The newest store seal, and whether it covers this stream's last event. */
  readonly seal: { readonly sequence: number; readonly toPosition: number; readonly sealedAt: string; readonly sealHash: string; readonly coversLastEvent: boolean } | null;
}

/** One stream's chain (an application): every broken link, each with expected and found hash. */
export async function verifyStream(anyStore: EventStore, streamId: string): Promise<StreamVerification> {
  const store = storedEventsOf(anyStore);
  const log = new ProblemLog();
  const chains = new StreamChainTracker();
  let last: RecordedEvent | undefined;
  let count = 0;
  for await (const event of store.readStream(streamId)) {
    const problem = chains.check(event);
    if (problem) log.add(problem);
    last = event;
    count += 1;
  }
  const sealRevision = await store.streamRevision(SEAL_STREAM);
  let seal: SealRecord | undefined;
  if (sealRevision !== undefined) {
    for await (const event of store.readStream(SEAL_STREAM, { fromRevision: sealRevision, toRevision: sealRevision })) seal = parseSeal(event.data);
  }
  return {
    streamId,
    valid: log.count === 0,
    checkedEvents: count,
    lastRevision: last?.revision ?? null,
    lastPosition: last?.position ?? null,
    lastHash: chains.lastHash(streamId) ?? null,
    problems: log.problems,
    seal: seal
      ? { sequence: seal.sequence, toPosition: seal.toPosition, sealedAt: seal.sealedAt, sealHash: seal.sealHash, coversLastEvent: last !== undefined && last.position <= seal.toPosition }
      : null,
  };
}

function readWitnessEnd(witness: WitnessFile | undefined, log: ProblemLog): SealRecord | undefined {
  if (!witness?.exists()) return undefined;
  try {
    return witness.last();
  } catch (error) {
    log.add({ kind: 'witness-unreadable', message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

async function* storedSeals(store: EventStore, head: number, log: ProblemLog): AsyncIterable<SealRecord> {
  for await (const event of store.readStream(SEAL_STREAM)) {
    if (event.position > head) return;
    const seal = parseSeal(event.data);
    if (seal) yield seal;
    else log.add({ kind: 'seal-broken', streamId: SEAL_STREAM, revision: event.revision, position: event.position, message: 'the seal event does not hold a seal record' });
  }
}

/** The witness up to the seal it ended with when verification began (the sealer may append meanwhile). */
async function* witnessSeals(witness: WitnessFile, lastSequence: number, log: ProblemLog): AsyncIterable<SealRecord> {
  try {
    for await (const seal of witness.read()) {
      yield seal;
      if (seal.sequence >= lastSequence) return;
    }
  } catch (error) {
    if (!(error instanceof MalformedWitnessLineError)) throw error;
    log.add({ kind: 'witness-unreadable', message: error.message });
  }
}

/** Every witnessed seal must be in the store, identical; the store may be at most one seal ahead (a seal being written). */
async function compareWitnessWithStore(store: EventStore, witness: WitnessFile, lastSequence: number, head: number, log: ProblemLog): Promise<void> {
  const stored = storedSeals(store, head, new ProblemLog())[Symbol.asyncIterator]();
  let next = await stored.next();
  for await (const seal of witnessSeals(witness, lastSequence, new ProblemLog())) {
    while (!next.done && next.value.sequence < seal.sequence) next = await stored.next();
    if (next.done || next.value.sequence !== seal.sequence) {
      log.add({ kind: 'seal-missing-from-store', sealSequence: seal.sequence, position: seal.toPosition, message: `the witness holds seal ${seal.sequence} (positions up to ${seal.toPosition}, sealed ${seal.sealedAt}) but the store does not: seals, and the events they cover, were removed`, expected: seal.sealHash, found: 'none' });
      continue;
    }
    if (next.value.sealHash !== seal.sealHash) {
      log.add({ kind: 'seal-mismatch', sealSequence: seal.sequence, message: `seal ${seal.sequence} differs between the witness and the store`, expected: seal.sealHash, found: next.value.sealHash });
    }
    next = await stored.next();
  }
  let ahead = 0;
  for (; !next.done; next = await stored.next()) ahead += 1;
  if (ahead > 1) {
    log.add({ kind: 'witness-behind-store', message: `the store holds ${ahead} seals after the witness's last (${lastSequence}): the witness file was truncated or is not the one the sealer writes`, expected: `seal ${lastSequence + ahead}`, found: `seal ${lastSequence}` });
  }
}
