import { createHmac } from 'node:crypto';
import { hashRequest, type RequestFingerprint, type RequestFingerprints } from '@nws/engine';
import { canonicalJson, type JsonObject } from '@nws/event-store';
import type { KeyStore } from './key-store.port';

/**
 * Request fingerprints keyed with the key store's fingerprint keys (HMAC-SHA-256 of the canonical
 * request), which every erasure destroys. The fingerprint is stamped on immutable events beside
 * the ciphertext of the request's personal data: an unkeyed hash of the request outlived the
 * person's key, and hashing a guessed phone number with the rest of the stored request confirmed
 * it. Once its key is gone a fingerprint says nothing, and a retry under the same command id is
 * answered as the command it repeats (`matches` is undefined). Fingerprints stored before this
 * (no `requestHashKey`) are unkeyed SHA-256, checked as they were.
 */
export class KeyedRequestFingerprints implements RequestFingerprints {
  constructor(private readonly keys: Pick<KeyStore, 'fingerprintKey' | 'fingerprintKeyOf'>) {}

  async of(action: string, payload: JsonObject): Promise<RequestFingerprint> {
    const { id, key } = await this.keys.fingerprintKey();
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
