import { createHash, randomUUID } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { canonicalJson, type JsonObject } from '@nws/event-store';
import type { Actor } from './engine.types';

/** Namespace of the name-based UUIDs that turn an idempotency key into command and event ids. */
const ID_NAMESPACE = '6f1c2a8e-4d0b-5c3e-9a7f-2b8d1e0c4f6a';
/**
 * The same ids from bytes: given strings, the uuid package parses the namespace twice and encodes
 * the name in a JavaScript loop on every call, ~40 % of an id's cost, and every command makes one
 * per event it appends.
 */
const NAMESPACE_BYTES = parseUuid(ID_NAMESPACE);
const nameBasedId = (name: string): string => uuidv5(Buffer.from(name, 'utf8'), NAMESPACE_BYTES);
export const APPLICATION_STREAM_PREFIX = 'application-';
export const applicationStream = (id: string): string => `${APPLICATION_STREAM_PREFIX}${id}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An application's id as people quote it: ids are UUIDs written in lower case, and one copied in
 * upper case (a spreadsheet, a letter) is the same id. Anything else is left as it is, to be
 * answered "not found" by name.
 */
export function applicationIdOf(quoted: string): string {
  return UUID.test(quoted) ? quoted.toLowerCase() : quoted;
}

/**
 * The command id for a client's Idempotency-Key: the same key from the same person on the same
 * target (`scope`: an application's id, or the collection a create posts to) is the same command.
 * Keys are the client's and often built alike (`approve-4`: an action and a revision): one key on
 * two applications is two commands, not a clash of their event ids.
 */
export function commandIdForIdempotencyKey(actor: Actor, key: string, scope: string): string {
  return nameBasedId(`${actor.sub}\u0000${actor.org}\u0000${scope}\u0000${key}`);
}

/** Event ids derive from the command id: a retried command appends the same ids, which every adapter answers as a no-op. */
export function eventIdFor(commandId: string, index: number): string {
  return nameBasedId(`${commandId}\u0000${index}`);
}

/** An application's id derives from the command that creates it, so a retried create finds it. */
export function applicationIdFor(commandId: string): string {
  return nameBasedId(`application\u0000${commandId}`);
}

/** What an Idempotency-Key's first request asked: the same key with another request is refused. */
export function hashRequest(action: string, payload: JsonObject): string {
  return createHash('sha256').update(canonicalJson({ action, payload })).digest('hex');
}

/** A fresh command id for a request without an Idempotency-Key. */
export function newCommandId(): string {
  return randomUUID();
}
