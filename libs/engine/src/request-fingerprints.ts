import type { JsonObject, RecordedEvent } from '@nws/event-store';
import type { Actor, CommandMetadata } from './engine.types';
import { APPLICATION_STREAM_PREFIX, hashRequest } from './command-ids';
import { IdempotencyKeyReusedError, IdempotencyKeyUnverifiableError } from './engine.errors';

/** What a command's events carry of the request that made them (metadata `requestHash`, `requestHashKey`). */
export interface RequestFingerprint {
  readonly requestHash: string;
  /** The key the hash was made with; absent for an unkeyed hash. */
  readonly requestHashKey?: string;
}

/**
 * The fingerprint of a request whose command id may come again (an Idempotency-Key, a reaction's
 * derived id): the same id with another request is refused (422). It is stamped on immutable
 * events; a fingerprint of a request that holds personal data outlives the person's key, and an
 * unkeyed hash of it confirms a guessed phone number offline after the erasure. Behind a port so
 * the personal-data layer keys it with keys an erasure destroys (keyed-request-fingerprints.ts).
 */
export interface RequestFingerprints {
  /** The fingerprint of `actor`'s request (a body's requests hold that body's people). */
  of(action: string, payload: JsonObject, actor: Actor): Promise<RequestFingerprint>;
  /** Whether a stored fingerprint is this request's; undefined when it can no longer be told (its key destroyed). */
  matches(stored: Readonly<Record<string, unknown>>, action: string, payload: JsonObject): Promise<boolean | undefined>;
}

/** SHA-256 of the canonical request, no key: for stores without personal data (tests, benchmarks). */
export const UNKEYED_REQUEST_FINGERPRINTS: RequestFingerprints = {
  of: async (action, payload) => ({ requestHash: hashRequest(action, payload) }),
  matches: async (stored, action, payload) => stored['requestHashKey'] === undefined && stored['requestHash'] === hashRequest(action, payload),
};

/** A command's request, as it is fingerprinted. */
export interface CommandRequest {
  readonly action: string;
  readonly payload: JsonObject;
}

/**
 * The fingerprint a command's events carry, made when the command first writes and not before: a
 * retry that replays (learning an outcome) needs no new fingerprint key, which a read-only disk
 * could not store.
 */
export function fingerprintWhenWriting(fingerprints: RequestFingerprints, meta: CommandMetadata, request: CommandRequest): () => Promise<RequestFingerprint | undefined> {
  let made: Promise<RequestFingerprint | undefined> | undefined;
  return () => (made ??= meta.freshCommandId ? Promise.resolve(undefined) : fingerprints.of(request.action, request.payload, meta.actor));
}

/**
 * A command seen before (`own`: its events) answers a retry only if the retry is its request:
 * another request under the key is refused; so is one that can no longer be told from it (its
 * fingerprint's key is gone), rather than answered with the first result and dropped, and the
 * refusal says what the key's request recorded, so a client learning an outcome learns it there.
 */
export async function assertSameRequest(fingerprints: RequestFingerprints, own: readonly RecordedEvent[], meta: CommandMetadata, request: CommandRequest): Promise<void> {
  // Events of the command id, none of them the command's own: the key names another command.
  if (own.length === 0) throw new IdempotencyKeyReusedError();
  const stamped = own[0]!.metadata;
  const same = meta.freshCommandId ? stamped['requestHash'] === undefined : await fingerprints.matches(stamped, request.action, request.payload);
  if (same === false) throw new IdempotencyKeyReusedError();
  if (same === undefined) throw new IdempotencyKeyUnverifiableError(own[0]!.streamId.slice(APPLICATION_STREAM_PREFIX.length), own.at(-1)!.revision);
}
