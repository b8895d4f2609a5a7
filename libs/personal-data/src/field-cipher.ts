import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/**
 * One encrypted personal value as stored in an event:
 *
 *     enc:v1:<keyId>:<iv>:<tag>:<ciphertext>        (iv, tag, ciphertext: base64url)
 *
 * AES-256-GCM over the JSON of the value, under the key of one data subject (`keyId` = subject
 * id). The version prefix lets a later format (another algorithm, several keys) sit beside v1.
 */
export const CIPHERTEXT_PREFIX = 'enc:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface ParsedCiphertext {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly data: Buffer;
}

export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(CIPHERTEXT_PREFIX);
}

/**
 * The IV is derived from the key and the value's place (event id and path) rather than drawn at
 * random: a retried append of the same event then stores byte-identical ciphertext, so the hash
 * chain and the store's idempotent append see the same event. A place holds one value for ever
 * (events are immutable), so no IV is ever used for two different plaintexts under one key.
 */
export function encryptValue(value: unknown, key: Buffer, keyId: string, place: string): string {
  if (!KEY_ID.test(keyId)) throw new Error(`invalid key id "${keyId}"`);
  const iv = createHmac('sha256', key).update(`iv\u0000${place}`).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The key id is authenticated: a ciphertext moved under another subject's id does not decrypt.
  cipher.setAAD(Buffer.from(`${CIPHERTEXT_PREFIX}${keyId}`, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${CIPHERTEXT_PREFIX}${keyId}:${b64(iv)}:${b64(cipher.getAuthTag())}:${b64(data)}`;
}

export function parseCiphertext(value: string): ParsedCiphertext | undefined {
  if (!value.startsWith(CIPHERTEXT_PREFIX)) return undefined;
  const parts = value.slice(CIPHERTEXT_PREFIX.length).split(':');
  if (parts.length !== 4) return undefined;
  const [keyId, iv, tag, data] = parts as [string, string, string, string];
  if (!KEY_ID.test(keyId)) return undefined;
  return { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), data: Buffer.from(data, 'base64url') };
}

/** Throws when the key is wrong or the ciphertext was altered (GCM authentication). */
export function decryptValue(parsed: ParsedCiphertext, key: Buffer): unknown {
  const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv);
  decipher.setAAD(Buffer.from(`${CIPHERTEXT_PREFIX}${parsed.keyId}`, 'utf8'));
  decipher.setAuthTag(parsed.tag);
  const plain = Buffer.concat([decipher.update(parsed.data), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as unknown;
}

const b64 = (buffer: Buffer): string => buffer.toString('base64url');
