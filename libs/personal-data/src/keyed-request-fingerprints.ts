import { createHmac } from 'node:crypto';
import { hashRequest, type Actor, type RequestFingerprint, type RequestFingerprints } from '@nws/engine';
import { canonicalJson, type JsonObject } from '@nws/event-store';
import type { KeyStore } from './key-store.port';

/**
 * Request fingerprints keyed with the key store's fingerprint keys of the requester's organ
 * (HMAC-SHA-256 of the canonical request), which an erasure of one of the organ's people destroys.
 * The fingerprint is stamped on immutable events beside the ciphertext of the request's personal
 * data: an unkeyed hash of the request outlived the person's key, and hashing a guessed phone
 * number with the rest of the stored request confirmed it. Once its key is gone a fingerprint says
 * nothing (`matches` is undefined), and the engine refuses the repeated key
 * (IdempotencyKeyUnverifiableError) rather than answer a request it cannot tell from the first with
 * the first one's result. Fingerprints stored before this (no `requestHashKey`) are unkeyed
 * SHA-256, checked as they were.
 */
export class KeyedRequestFingerprints implements RequestFingerprints {
  constructor(private readonly keys: Pick<KeyStore, 'fingerprintKey' | 'fingerprintKeyOf'>) {}

  async of(action: string, payload: JsonObject, actor: Actor): Promise<RequestFingerprint> {
    // The engine's own commands (reactions) carry no one's data, and a reaction retried after a
    // week must still be told as the same: unkeyed.
    if ((actor.role as string) === 'system') return { requestHash: hashRequest(action, payload) };
    const { id, key } = await this.keys.fingerprintKey({ code: actor.org, organ: actor.organ });
    return { requestHash: keyedHash(key, action, payload), requestHashKey: id };
  }

  async matches(stored: Readonly<Record<string, unknown>>, action: string, payload: JsonObject): Promise<boolean | undefined> {
    const keyId = stored['requestHashKey'];
    if (keyId === undefined) return stored['requestHash'] === hashRequest(action, payload);
    const key = typeof keyId === 'string' ? await this.keys.fingerprintKeyOf(keyId) : undefined;
    return key === undefined ? undefined : stored['requestHash'] === keyedHash(key, action, payload);
  }
}

function keyedHash(key: Buffer, action: string, payload: JsonObject): string {
  return createHmac('sha256', key).update(canonicalJson({ action, payload })).digest('hex');
}
