import type { RecordedEvent } from '@nws/event-store';
import type { EncryptingEventStore } from './encrypting-event-store';
import { isCiphertext, parseCiphertext } from './field-cipher';
import { formatPath, getAt } from './json-path';
import { PLACEHOLDERS } from './personal-data.declaration';
import { organOrDefault } from '@nws/workflows/shared/organizations';

/** What a set of events shows of one body's people (one access-log entry's worth). */
export interface Disclosure {
  readonly organizationCode: string;
  /** The organ the events name; absent: the code's default organ. */
  readonly organizationKind?: string | undefined;
  readonly applicationId: string | null;
  readonly subjectIds: readonly string[];
  readonly fields: readonly string[];
}

/**
 * Adds up the personal values that printing events in clear shows, per body and application,
 * from the events as stored: a ciphertext names its subject (its key id), a value stored in clear
 * (written before encryption was configured) counts without one. A value whose key is destroyed
 * (erased) or unknown prints as a placeholder and shows nobody, so it is left out. Values only
 * pass through here; nothing of them is kept.
 */
export class DisclosureTally {
  /** Per body and application: the fields each subject's values are in (null: values stored in clear). */
  private readonly groups = new Map<string, { organizationCode: string; organizationKind: string | undefined; applicationId: string | null; fieldsOf: Map<string | null, Set<string>> }>();

  constructor(private readonly encrypting: EncryptingEventStore) {}

  add(stored: RecordedEvent): void {
    const doc = { data: stored.data, metadata: stored.metadata };
    const applicationId = stored.streamId.startsWith('application-') ? stored.streamId.slice('application-'.length) : null;
    for (const ref of this.encrypting.personalValuesOf(stored)) {
      const value = getAt(doc, ref.path);
      if (value === undefined || value === null || (typeof value === 'string' && PLACEHOLDERS.has(value))) continue;
      let subject: string | null = null;
      if (isCiphertext(value)) {
        subject = parseCiphertext(value)?.keyId ?? null;
        // Unreadable whatever the key store holds: printed as a placeholder.
        if (subject === null) continue;
      }
      // The code alone stands for its default organ: one entry, not one without an organ and one naming it.
      const organ = organOrDefault(ref.org, ref.organ);
      const key = `${ref.org}\u0000${organ}\u0000${applicationId ?? ''}`;
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { organizationCode: ref.org, organizationKind: organ, applicationId, fieldsOf: new Map() }));
      let fields = group.fieldsOf.get(subject);
      if (!fields) group.fieldsOf.set(subject, (fields = new Set()));
      fields.add(formatPath(ref.path));
    }
  }

  /** One entry per body and application whose events show someone in clear: the subjects whose keys are active now, and the fields of what shows. */
  async disclosures(): Promise<Disclosure[]> {
    const readable = new Map<string, boolean>();
    for (const group of this.groups.values()) {
      for (const subject of group.fieldsOf.keys()) {
        if (subject !== null && !readable.has(subject)) readable.set(subject, (await this.encrypting.keys.keyOf(subject)).status === 'active');
      }
    }
    const entries: Disclosure[] = [];
    for (const group of this.groups.values()) {
      const subjectIds: string[] = [];
      const fields = new Set<string>();
      for (const [subject, paths] of group.fieldsOf) {
        if (subject !== null && !readable.get(subject)) continue;
        if (subject !== null) subjectIds.push(subject);
        for (const path of paths) fields.add(path);
      }
      if (fields.size > 0) entries.push({ organizationCode: group.organizationCode, organizationKind: group.organizationKind, applicationId: group.applicationId, subjectIds: subjectIds.sort(), fields: [...fields].sort() });
    }
    return entries;
  }
}
