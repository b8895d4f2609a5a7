import type { RecordedEvent } from '@nws/event-store';
import type { EncryptingEventStore } from './encrypting-event-store';
import { isCiphertext, parseCiphertext } from './field-cipher';
import { formatPath, getAt } from './json-path';
import { PLACEHOLDERS } from './personal-data.declaration';

/** What a set of events shows of one body's people (one access-log entry's worth). */
export interface Disclosure {
  readonly organizationCode: string;
  readonly applicationId: string | null;
  readonly subjectIds: readonly string[];
  readonly fields: readonly string[];
}

/**
 * Adds up the personal values that printing events in clear shows, per body and application,
 * from the events as stored: a ciphertext names its subject (its key id), a value stored in clear
 * (written before encryption was configured) counts without one. Values only pass through here;
 * nothing of them is kept.
 */
export class DisclosureTally {
  private readonly groups = new Map<string, { organizationCode: string; applicationId: string | null; subjectIds: Set<string>; fields: Set<string> }>();

  constructor(private readonly encrypting: EncryptingEventStore) {}

  add(stored: RecordedEvent): void {
    const doc = { data: stored.data, metadata: stored.metadata };
    const applicationId = stored.streamId.startsWith('application-') ? stored.streamId.slice('application-'.length) : null;
    for (const ref of this.encrypting.personalValuesOf(stored)) {
      const value = getAt(doc, ref.path);
      if (value === undefined || value === null || (typeof value === 'string' && PLACEHOLDERS.has(value))) continue;
      const key = `${ref.org}\u0000${applicationId ?? ''}`;
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { organizationCode: ref.org, applicationId, subjectIds: new Set(), fields: new Set() }));
      const keyId = isCiphertext(value) ? parseCiphertext(value)?.keyId : undefined;
      if (keyId) group.subjectIds.add(keyId);
      group.fields.add(formatPath(ref.path));
    }
  }

  get disclosures(): Disclosure[] {
    return [...this.groups.values()].map((g) => ({ organizationCode: g.organizationCode, applicationId: g.applicationId, subjectIds: [...g.subjectIds].sort(), fields: [...g.fields].sort() }));
  }
}
