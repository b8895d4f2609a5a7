import { PLACEHOLDER } from './personal-data.declaration';
import { visibility, type Reader } from './response-redaction';

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
