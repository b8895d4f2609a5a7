import { Observable, concatMap, from } from 'rxjs';
import {
  consumeAll,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '@nws/event-store';
import { decryptValue, encryptValue, isCiphertext, parseCiphertext } from './field-cipher';
import { formatPath, getAt, isRecord, withValueAt } from './json-path';
import type { ActiveSubject, KeyState, KeyStore } from './key-store.port';
import { PLACEHOLDER, PLACEHOLDERS, actorNameRef, type EventShape, type PersonalDataDeclaration, type PersonalValueRef } from './personal-data.declaration';

export type KeyCache = Map<string, KeyState>;

/**
 * Decorates the (hash-chained) event store so that the personal values a workflow declares are
 * stored encrypted under the key of the person they belong to, and read back in clear:
 *
 *     new EncryptingEventStore(new ChainedEventStore(adapter), keyStore, declarations)
 *
 * Encryption happens before the chain decorator, so the chain hashes ciphertext: destroying a
 * key later changes no stored byte and every chain still verifies. Every read path (readStream,
 * readAll, subscribeToAll) decrypts; a destroyed key reads as ［消去済み］. Verifiers of the
 * chain must read `stored`, which returns the events as stored.
 */
export class EncryptingEventStore implements EventStore {
  constructor(
    readonly stored: EventStore,
    readonly keys: KeyStore,
    readonly declarations: readonly PersonalDataDeclaration[],
  ) {}

  /** Decorators expose what they wrap as `inner` (metrics find the adapter through it). */
  get inner(): EventStore {
    return this.stored;
  }

  async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const encrypted: EventToAppend[] = [];
    for (const event of events) encrypted.push(await this.encryptEvent(event));
    return this.stored.append(streamId, encrypted, expectedRevision);
  }

  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    const events = this.stored.readStream(streamId, options);
    return options?.asStored ? events : this.decrypting(events);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.decrypting(this.stored.readAll(options));
  }

  /**
   * Catch-up reads (decrypted, pulled page by page, so a large store is never held in memory),
   * then the live subscription from where the catch-up ended (`consumeAll`). Subscribing to the
   * stored store's catch-up directly would not do: it emits synchronously, faster than decryption
   * (which waits for keys) can follow, and `concatMap` would buffer every stored event — measured:
   * +150 MB per 100,000 events at API start.
   */
  subscribeToAll(options: SubscribeOptions = {}): Observable<RecordedEvent> {
    const decrypted = {
      readAll: (o?: ReadAllOptions) => this.readAll(o),
      // concatMap keeps the global order while each live event waits for its keys.
      subscribeToAll: (o?: SubscribeOptions) => {
        const keys = burstKeyCache();
        return this.stored.subscribeToAll(o).pipe(concatMap((event) => from(this.decryptEvent(event, keys()))));
      },
    };
    return new Observable<RecordedEvent>((subscriber) =>
      consumeAll(decrypted, options, async (event) => subscriber.next(event)).subscribe({ error: (error: unknown) => subscriber.error(error) }),
    );
  }

  streamRevision(streamId: string): Promise<number | undefined> {
    return this.stored.streamRevision(streamId);
  }

  headPosition(): Promise<number> {
    return this.stored.headPosition();
  }

  async close(): Promise<void> {
    await this.stored.close();
    await this.keys.close();
  }

  /** Every declared personal value of an event (the actor's name included), once per path. */
  personalValuesOf(event: EventShape): PersonalValueRef[] {
    const refs = [...actorNameRef(event), ...this.declarations.flatMap((d) => d.inEvent(event))];
    const seen = new Set<string>();
    return refs.filter((ref) => {
      const key = formatPath(ref.path);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  async encryptEvent(event: EventToAppend): Promise<EventToAppend> {
    const refs = this.personalValuesOf(event);
    if (refs.length === 0) return event;
    // Copied along the replaced paths only: a structuredClone of the whole event was ~4 % of an HTTP save's CPU.
    let doc = { data: event.data, metadata: event.metadata };
    // Subjects are resolved from the names before any value (a name is its own anchor) is replaced.
    // One person's values (name, phone, e-mail, …) share a subject and a key: each is looked up once per event.
    const subjects = new Map<string, ActiveSubject>();
    const plan: Array<{ ref: PersonalValueRef; value: unknown; subject: ActiveSubject }> = [];
    for (const ref of refs) {
      const value = getAt(doc, ref.path);
      if (value === undefined || value === null || isCiphertext(value) || (typeof value === 'string' && PLACEHOLDERS.has(value))) continue;
      const name = identifyingName(getAt(doc, ref.anchor), value);
      const person = `${ref.org}\u0000${ref.organ ?? ''}\u0000${name}`;
      let subject = subjects.get(person);
      if (subject === undefined) subjects.set(person, (subject = await this.keys.subjectFor({ code: ref.org, organ: ref.organ }, name, { copy: ref.copied === true })));
      plan.push({ ref, value, subject });
    }
    for (const { ref, value, subject } of plan) {
      doc = withValueAt(doc, ref.path, encryptValue(value, subject.key, subject.subjectId, `${event.id}\u0000${formatPath(ref.path)}`));
    }
    return { ...event, data: doc.data as JsonObject, metadata: doc.metadata as JsonObject };
  }

  async decryptEvent(event: RecordedEvent, cache: KeyCache): Promise<RecordedEvent> {
    const data = await this.decryptDocument(event.data, cache);
    const metadata = await this.decryptDocument(event.metadata, cache);
    return data === event.data && metadata === event.metadata ? event : { ...event, data: data as JsonObject, metadata: metadata as JsonObject };
  }

  /** Any document holding ciphertexts (an event, a copy in a read model) with the values in clear. */
  async decryptDocument<T>(value: T, cache: KeyCache = new Map()): Promise<T> {
    // Most documents hold no ciphertext: find out without a single await, then fetch each key
    // once, then replace synchronously (an await per JSON node was the API's top decryption cost).
    const keyIds = new Set<string>();
    collectKeyIds(value, keyIds);
    if (keyIds.size === 0) return value;
    for (const keyId of keyIds) if (!cache.has(keyId)) cache.set(keyId, await this.keys.keyOf(keyId));
    return replaceCiphertexts(value, cache);
  }

  private async *decrypting(events: AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent> {
    const cache: KeyCache = new Map();
    for await (const event of events) yield await this.decryptEvent(event, cache);
  }
}

/**
 * One key cache for the live events of one burst (those decrypted before the event loop turns):
 * a commit's events share their people's keys, so each key is read once per commit rather than
 * once per event. It lives no longer than a read's cache (readStream, readAll), so an erasure is
 * seen from the next burst on.
 */
function burstKeyCache(): () => KeyCache {
  let cache: KeyCache | undefined;
  return () => {
    if (!cache) {
      cache = new Map();
      setImmediate(() => (cache = undefined));
    }
    return cache;
  };
}

function collectKeyIds(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (isCiphertext(value)) into.add(parseCiphertext(value)?.keyId ?? '');
  } else if (Array.isArray(value)) {
    for (const item of value) collectKeyIds(item, into);
  } else if (isRecord(value)) {
    for (const key in value) collectKeyIds(value[key], into);
  }
}

/** The document with every ciphertext in clear (or its placeholder); untouched branches are shared. */
function replaceCiphertexts<T>(value: T, keys: KeyCache): T {
  if (typeof value === 'string') return (isCiphertext(value) ? clearText(value, keys) : value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => replaceCiphertexts(item, keys));
    return items.some((item, i) => item !== value[i]) ? (items as T) : value;
  }
  if (isRecord(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const key in value) {
      out[key] = replaceCiphertexts(value[key], keys);
      changed ||= out[key] !== value[key];
    }
    return changed ? (out as T) : value;
  }
  return value;
}

function clearText(value: string, keys: KeyCache): unknown {
  const parsed = parseCiphertext(value);
  const state = parsed && keys.get(parsed.keyId);
  if (!parsed || !state || state.status === 'unknown') return PLACEHOLDER.unreadable;
  if (state.status === 'erased') return PLACEHOLDER.erased;
  try {
    return decryptValue(parsed, state.key);
  } catch {
    return PLACEHOLDER.unreadable;
  }
}

/** The person behind a value: the name beside it, or the value itself when there is no usable name. */
function identifyingName(anchor: unknown, value: unknown): string {
  if (typeof anchor === 'string' && anchor.trim() && !isCiphertext(anchor) && !PLACEHOLDERS.has(anchor)) return anchor;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
