import type { JsonObject } from '@nws/event-store';
import type { Actor } from './engine.types';
import { hashRequest } from './command-ids';

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
