import { createHash } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, computeEventHash, integrityOf, type JsonObject, type RecordedEvent } from '@nws/event-store';

/** The stream that holds the store-wide seals; the rolling hash skips it (a seal cannot cover itself). */
export const SEAL_STREAM = 'store-seals';
export const STORE_SEALED = 'StoreSealed';

/**
 * One store-wide seal: the rolling hash over every event in global order up to `toPosition`,
 * chained to the previous seal. The same record goes into the store (stream `store-seals`) and,
 * as one JSON line, into the witness file outside the database.
 */
export interface SealRecord {
  /** 1, 2, 3, …: the n-th seal; equals the seal stream's revision + 1. */
  readonly sequence: number;
  /** First global position covered by this seal (the previous seal's toPosition + 1). */
  readonly fromPosition: number;
  /** Last global position covered (the last non-seal event hashed). */
  readonly toPosition: number;
  /** Events (outside the seal stream) covered by this seal alone. */
  readonly count: number;
  /** Rolling hash over every non-seal event from position 1 up to toPosition. */
  readonly rollingHash: string;
  readonly previousSealHash: string;
  readonly sealedAt: string;
  /** sha256 over the canonical JSON of every field above. */
  readonly sealHash: string;
}

export type UnsealedRecord = Omit<SealRecord, 'sealHash'>;

export const ROLLING_GENESIS = GENESIS_HASH;

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

export function isSealEvent(event: Pick<RecordedEvent, 'streamId'>): boolean {
  return event.streamId === SEAL_STREAM;
}

/**
 * One step of the store-wide rolling hash. The position and the commit time are hashed with the
 * event's own chain hash because neither is covered by the per-stream chain: renumbering,
 * re-dating or removing an event anywhere in a sealed range changes every later rolling hash.
 * Events written before chaining existed are hashed on the spot so they are covered too.
 */
export function rollEvent(rolling: string, event: RecordedEvent): string {
  const hash = integrityOf(event)?.hash ?? computeEventHash(event, GENESIS_HASH);
  return sha256(`${rolling}\n${event.position}\n${event.recordedAt}\n${hash}`);
}

export function computeSealHash(seal: UnsealedRecord): string {
  const { sequence, fromPosition, toPosition, count, rollingHash, previousSealHash, sealedAt } = seal;
  return sha256(canonicalJson({ sequence, fromPosition, toPosition, count, rollingHash, previousSealHash, sealedAt }));
}

export function makeSeal(seal: UnsealedRecord): SealRecord {
  return { ...seal, sealHash: computeSealHash(seal) };
}

/** Reads a seal from an event's data or a witness line; undefined when it does not have the shape. */
export function parseSeal(value: unknown): SealRecord | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const numbers = ['sequence', 'fromPosition', 'toPosition', 'count'] as const;
  const strings = ['rollingHash', 'previousSealHash', 'sealedAt', 'sealHash'] as const;
  if (!numbers.every((k) => Number.isInteger(v[k])) || !strings.every((k) => typeof v[k] === 'string')) return undefined;
  return {
    sequence: v['sequence'] as number,
    fromPosition: v['fromPosition'] as number,
    toPosition: v['toPosition'] as number,
    count: v['count'] as number,
    rollingHash: v['rollingHash'] as string,
    previousSealHash: v['previousSealHash'] as string,
    sealedAt: v['sealedAt'] as string,
    sealHash: v['sealHash'] as string,
  };
}

export function sealAsJson(seal: SealRecord): JsonObject {
  return { ...seal };
}

/**
 * What is wrong with a seal on its own or as the successor of `previous` (undefined = fine).
 * A seal log may start later than sequence 1 (a witness file started on an existing store).
 */
export function sealLinkProblem(seal: SealRecord, previous: SealRecord | undefined): { expected: string; found: string; what: string } | undefined {
  const recomputed = computeSealHash(seal);
  if (recomputed !== seal.sealHash) return { what: 'seal hash', expected: recomputed, found: seal.sealHash };
  if (!previous) {
    if (seal.sequence === 1 && seal.previousSealHash !== GENESIS_HASH) return { what: 'previous seal hash', expected: GENESIS_HASH, found: seal.previousSealHash };
    return undefined;
  }
  if (seal.sequence !== previous.sequence + 1) return { what: 'sequence', expected: String(previous.sequence + 1), found: String(seal.sequence) };
  if (seal.previousSealHash !== previous.sealHash) return { what: 'previous seal hash', expected: previous.sealHash, found: seal.previousSealHash };
  if (seal.fromPosition !== previous.toPosition + 1) return { what: 'fromPosition', expected: String(previous.toPosition + 1), found: String(seal.fromPosition) };
  return undefined;
}
