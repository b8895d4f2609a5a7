/**
 * The body a person is staff of: an organ (機関種類) of a code, not the code alone. A 市町村教育委員会
 * is not its city's 市町村長部局: each answers for its own staff (開示・消去・利用停止), and two
 * people of one name in two organs of a code are two people. `organ` absent: the code's default
 * organ (documents from before organs were named).
 */
export interface SubjectBody {
  readonly code: string;
  readonly organ?: string | undefined;
}

/** One data subject: a person identified within a body. */
export interface SubjectRecord {
  /** Opaque (`ps-` + random), so that it may appear in events, URLs and logs without revealing anyone. */
  readonly subjectId: string;
  readonly organizationCode: string;
  /** The organ (機関種類) of the code whose staff the person is. */
  readonly organizationKind: string;
  /** The name the subject was first seen under; gone once erased. */
  readonly label: string | null;
  readonly createdAt: string;
  readonly suspendedAt: string | null;
  readonly erasedAt: string | null;
}

export interface ActiveSubject {
  readonly subjectId: string;
  readonly key: Buffer;
}

export type KeyState =
  | { readonly status: 'active'; readonly key: Buffer; readonly suspended: boolean }
  | { readonly status: 'erased'; readonly erasedAt: string }
  | { readonly status: 'unknown' };

/**
 * Keys of data subjects, kept apart from the event store: destroying a key is what erases a
 * person's data from an immutable trail (crypto-shredding). Behind a port so an HSM or a KMS can
 * hold the keys instead of the embedded SQLite file.
 */
export interface KeyStore {
  /**
   * The active subject of a person of a body (by normalised name) and its key, created with a
   * fresh key if none is active. Both in one answer: an erasure cannot fall between them. For a
   * `copy` of stored values, none is created for a person erased moments ago
   * (PersonalDataErasedMeanwhileError).
   */
  subjectFor(body: SubjectBody, name: string, options?: { readonly copy?: boolean }): Promise<ActiveSubject>;
  /** The active subject of a person, without creating one. */
  findSubject(body: SubjectBody, name: string): Promise<string | undefined>;
  /** The same, with whether the use of its data is suspended, in one read (what redaction asks of every person it shows). */
  findPerson(body: SubjectBody, name: string): Promise<{ readonly subjectId: string; readonly suspended: boolean } | undefined>;
  keyOf(subjectId: string): Promise<KeyState>;
  subject(subjectId: string): Promise<SubjectRecord | undefined>;
  /** Subjects of a code, of one organ of it when `organizationKind` is given. */
  subjects(filter?: { readonly organizationCode?: string; readonly organizationKind?: string; readonly includeErased?: boolean }): Promise<SubjectRecord[]>;
  /** Destroys the key, the name and the lookup entry; keeps a tombstone. False when already erased or unknown. */
  destroy(subjectId: string, at: string): Promise<boolean>;
  /**
   * The key an organ's request fingerprints are made with now (a new one each day; kept a week to
   * check a retry against), and one by its id while kept. An erasure of one of the organ's people
   * destroys the organ's: a fingerprint of a request holding the person's values would confirm a
   * guess of them (keyed-request-fingerprints.ts).
   */
  fingerprintKey(body: SubjectBody): Promise<{ readonly id: string; readonly key: Buffer }>;
  fingerprintKeyOf(id: string): Promise<Buffer | undefined>;
  /** Marks (at) or clears (null) the suspension of use of a subject's data. */
  setSuspended(subjectId: string, at: string | null): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a person is recognised across forms, applications and master-data versions of one body (organ):
 * the same name after Unicode NFKC, without any spaces (全角・半角), case-folded. Two people of one
 * body with the same name share a subject — erasing one erases both, which errs on the side of
 * erasure; an explicit staff id in the forms would separate them.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u3000]+/g, '').toLowerCase();
}
