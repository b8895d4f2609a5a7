import { createHash } from 'node:crypto';
import type { JsonObject, RecordedEvent } from '../event-store.port';
import { canonicalJson } from './canonical-json';

/** Metadata key holding an event's place in its stream's hash chain. */
export const INTEGRITY_KEY = 'integrity';
export const GENESIS_HASH = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';

export interface EventIntegrity {
  /** Hash of this event (over its canonical serialisation without this block). */
  readonly hash: string;
  /** Hash of the previous event of the same stream (GENESIS_HASH for revision 0). */
  readonly prevHash: string;
}

export interface HashableEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/**
 * sha256 over the RFC 8785 (JCS) canonical JSON of what is stored: id, stream, revision, type,
 * data and metadata (without the integrity block itself), chained to the previous hash.
 * Hashing what is stored — ciphertext where personal data is encrypted — keeps the chain valid
 * after a key is destroyed.
 */
export function computeEventHash(event: HashableEvent, prevHash: string): string {
  const { [INTEGRITY_KEY]: _omitted, ...metadata } = event.metadata;
  const canonical = canonicalJson({ prevHash, id: event.id, streamId: event.streamId, revision: event.revision, type: event.type, data: event.data, metadata });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

export function integrityOf(event: Pick<RecordedEvent, 'metadata'>): EventIntegrity | undefined {
  const block = event.metadata[INTEGRITY_KEY];
  if (!block || typeof block !== 'object' || Array.isArray(block)) return undefined;
  const { hash, prevHash } = block as Record<string, unknown>;
  return typeof hash === 'string' && typeof prevHash === 'string' ? { hash, prevHash } : undefined;
}

export interface ChainBreak {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
  readonly problem: 'hash-mismatch' | 'prev-hash-mismatch' | 'missing-integrity' | 'revision-gap';
  readonly expected: string;
  readonly found: string;
}

/** Checks one stream's events in revision order; returns the first broken link, if any. */
export function verifyStreamChain(events: Iterable<RecordedEvent>): { checked: number; lastHash: string; broken?: ChainBreak } {
  let prev = GENESIS_HASH;
  let expectedRevision = 0;
  let checked = 0;
  for (const event of events) {
    const at = { streamId: event.streamId, revision: event.revision, position: event.position, eventId: event.id };
    if (event.revision !== expectedRevision) {
      return { checked, lastHash: prev, broken: { ...at, problem: 'revision-gap', expected: `revision ${expectedRevision}`, found: `revision ${event.revision}` } };
    }
    const integrity = integrityOf(event);
    if (!integrity) return { checked, lastHash: prev, broken: { ...at, problem: 'missing-integrity', expected: 'an integrity block', found: 'none' } };
    if (integrity.prevHash !== prev) return { checked, lastHash: prev, broken: { ...at, problem: 'prev-hash-mismatch', expected: prev, found: integrity.prevHash } };
    const recomputed = computeEventHash(event, prev);
    if (recomputed !== integrity.hash) return { checked, lastHash: prev, broken: { ...at, problem: 'hash-mismatch', expected: recomputed, found: integrity.hash } };
    prev = integrity.hash;
    expectedRevision += 1;
    checked += 1;
  }
  return { checked, lastHash: prev };
}
