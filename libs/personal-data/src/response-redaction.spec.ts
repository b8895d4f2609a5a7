import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { connectionApplicationPersonalData } from '@nws/workflows/connection-application/connection-application.personal-data';
import { PLACEHOLDER } from './personal-data.declaration';
import { redactResponse, visibility, type Reader } from './response-redaction';
import type { SubjectBody } from './key-store.port';
import { SqliteKeyStore } from './sqlite-key-store';

/** Who sees which class of a person's data, written out: S = shown, W = withheld, P = purpose required, U = suspended. */
const SUBJECT_ORG = '132012';
const readers: Record<string, { reader: Reader; purpose: string | null }> = {
  'own-applicant': { reader: { sub: 'a', org: SUBJECT_ORG, role: 'applicant' }, purpose: 'published-contact' },
  'other-applicant': { reader: { sub: 'b', org: '132021', role: 'applicant' }, purpose: 'published-contact' },
  'first-reviewer': { reader: { sub: 'c', org: '130001', role: 'first-reviewer' }, purpose: 'review' },
  'second-reviewer': { reader: { sub: 'd', org: 'MIC', role: 'second-reviewer' }, purpose: 'review' },
  'auditor-with-purpose': { reader: { sub: 'e', org: 'MIC', role: 'auditor' }, purpose: 'audit' },
  'auditor-without-purpose': { reader: { sub: 'e', org: 'MIC', role: 'auditor' }, purpose: null },
  distributor: { reader: { sub: 'f', org: 'MIC', role: 'distributor' }, purpose: 'distribution' },
};

// Columns: published, internal, restricted — in an application (view) / in a published view / published view, suspended person.
const EXPECTED: Record<string, string> = {
  'own-applicant': 'SSS SSS SSS',
  'other-applicant': 'SWW SWW UWW',
  'first-reviewer': 'SSS SWW UWW',
  'second-reviewer': 'SSS SWW UWW',
  'auditor-with-purpose': 'SSW SSW SSW',
  'auditor-without-purpose': 'PPP PPP PPP',
  distributor: 'SWW SWW UWW',
};

const CODE: Record<string, string> = { show: 'S', [PLACEHOLDER.withheld]: 'W', [PLACEHOLDER.purposeRequired]: 'P', [PLACEHOLDER.suspended]: 'U' };

describe('visibility of personal values by reader, class, view and suspension', () => {
  it('matches the table', () => {
    const actual: Record<string, string> = {};
    for (const [name, { reader, purpose }] of Object.entries(readers)) {
      const cells = ([[false, false], [true, false], [true, true]] as const).map(([publishedView, suspended]) =>
        (['published', 'internal', 'restricted'] as const)
          .map((classification) => CODE[visibility({ reader, purpose, publishedView, applicationId: null }, SUBJECT_ORG, classification, suspended)])
          .join(''),
      );
      actual[name] = cells.join(' ');
    }
    expect(actual).toEqual(EXPECTED);
  });
});

/** An application view holding 様02-02's example (its contacts), and an empty key store closed after the describe. */
function exampleView() {
  const form = connectionApplicationForms.get('02-02')!;
  const validated = form.validate(form.example);
  if (!validated.ok) throw new Error('example invalid');
  const view = { id: 'app-1', workflow: 'connection-application', organization: { code: SUBJECT_ORG, name: '八王子市' }, forms: { '02-02': { data: validated.value, round: 1 } } };
  const keys = new SqliteKeyStore(':memory:');
  afterAll(() => keys.close());
  return { data: validated.value, view, keys };
}

describe('redactResponse leaves the answer it is given as it is', () => {
  const { view, keys } = exampleView();
  const redact = (reader: Reader, purpose: string) => redactResponse(view, [connectionApplicationPersonalData], keys, { reader, purpose, publishedView: false, applicationId: 'app-1' });

  it('for the body itself: the same object back, nothing withheld, nothing logged', async () => {
    const result = await redact(readers['own-applicant']!.reader, 'published-contact');
    expect(result).toEqual({ body: view, disclosed: [], withheld: 0 });
    expect(result.body).toBe(view);
  });

  it('for another body: a copy with 緊急連絡先 withheld and 通常連絡先 shown and logged, the given view untouched', async () => {
    const before = structuredClone(view);
    const result = await redact(readers['other-applicant']!.reader, 'published-contact');
    const contacts = (result.body as typeof view).forms['02-02'].data as { normalContacts: Array<{ phone: string }>; emergencyContacts: Array<{ mobile: string; name: string }> };
    expect(contacts.emergencyContacts[0]).toMatchObject({ name: PLACEHOLDER.withheld, mobile: PLACEHOLDER.withheld });
    expect(contacts.normalContacts[0]!.phone).toBe('0426207200');
    expect(result.disclosed.map((d) => d.field)).toContain('forms.02-02.data.normalContacts[0].phone');
    expect(result.withheld).toBeGreaterThan(0);
    expect(view).toEqual(before);
  });
});

describe('redactResponse reads the key store once per person and answer', () => {
  const { data, view, keys } = exampleView();

  it('a contact’s name, phones and mails share one read of the person (its subject and suspension at once); the next answer reads again, and sees a suspension made in between', async () => {
    // given the example's contacts registered as subjects, counting the key store's reads
    const names = new Set<string>();
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node !== null && typeof node === 'object') for (const [key, inner] of Object.entries(node)) key === 'name' && typeof inner === 'string' ? names.add(inner) : collect(inner);
    };
    collect(data);
    const contacts0 = data as { normalContacts: Array<{ name: string }> };
    for (const name of names) await keys.subjectFor({ code: SUBJECT_ORG }, name);
    const reads = { findPerson: 0, findSubject: 0, keyOf: 0 };
    const counting = Object.assign(Object.create(keys) as SqliteKeyStore, {
      findPerson: (body: SubjectBody, name: string) => ((reads.findPerson += 1), keys.findPerson(body, name)),
      findSubject: (body: SubjectBody, name: string) => ((reads.findSubject += 1), keys.findSubject(body, name)),
      keyOf: (id: string) => ((reads.keyOf += 1), keys.keyOf(id)),
    });
    const reviewer = { reader: readers['first-reviewer']!.reader, purpose: 'review', publishedView: false, applicationId: 'app-1' };
    // when a reviewer's answer is redacted
    const first = await redactResponse(view, [connectionApplicationPersonalData], counting, reviewer);
    // then every value is disclosed under its person, with one read of each person
    expect(first.disclosed.length).toBeGreaterThan(names.size);
    expect(first.disclosed.filter((d) => !d.subjectId?.startsWith('ps-'))).toEqual([]);
    expect(reads).toEqual({ findPerson: names.size, findSubject: 0, keyOf: 0 });
    // when a person is suspended and a published view is redacted for a distributor
    const suspendedName = contacts0.normalContacts[0]!.name;
    const suspendedId = (await keys.findSubject({ code: SUBJECT_ORG }, suspendedName))!;
    await keys.setSuspended(suspendedId, '2026-12-06T00:00:00.000Z');
    const published = await redactResponse(view, [connectionApplicationPersonalData], counting, { reader: readers['distributor']!.reader, purpose: 'distribution', publishedView: true, applicationId: 'app-1' });
    // then the key store was read again for it, and the suspension shows
    expect(reads).toEqual({ findPerson: 2 * names.size, findSubject: 0, keyOf: 0 });
    const contacts = (published.body as typeof view).forms['02-02'].data as { normalContacts: Array<{ name: string; phone: string }> };
    expect(contacts.normalContacts[0]).toMatchObject({ name: PLACEHOLDER.suspended, phone: PLACEHOLDER.suspended });
  });
});
