import fc from 'fast-check';
import { narrowScope, type ListFilter, type ListScope } from './list-scope.policy';

interface Row {
  readonly organizationCode: string;
  readonly firstReviewer: string;
  readonly secondReviewer: string;
  readonly workflow: string;
  readonly category: string;
  readonly state: string;
  readonly applicationNumber: string;
}

/** What the read model's WHERE clause does with a scope: every field narrows (AND). */
function shows(scope: ListScope, row: Row): boolean {
  return (
    (scope.organizationCode === undefined || scope.organizationCode === row.organizationCode) &&
    (scope.firstReviewer === undefined || scope.firstReviewer === row.firstReviewer) &&
    (scope.secondReviewer === undefined || scope.secondReviewer === row.secondReviewer) &&
    (scope.workflow === undefined || scope.workflow === row.workflow) &&
    (scope.category === undefined || scope.category === row.category) &&
    (scope.states === undefined || scope.states.includes(row.state)) &&
    (scope.applicationNumber === undefined || scope.applicationNumber === row.applicationNumber)
  );
}

const code = fc.constantFrom('132012', '132021', '130001', 'MIC');
const workflow = fc.constantFrom('connection-application', 'account-request');
const category = fc.constantFrom('登録', '接続', 'アカウント発行');
const state = fc.constantFrom('draft', 'firstReview', 'masterDataRegistered', 'distributed');
const states = fc.uniqueArray(state, { minLength: 1, maxLength: 3 });
const applicationNumber = fc.constantFrom('20261208-132012-AFEA8A', '20261208-132021-0B1C2D', 'AR-20261208-132012-AFEA8A');
const row: fc.Arbitrary<Row> = fc.record({ organizationCode: code, firstReviewer: code, secondReviewer: code, workflow, category, state, applicationNumber });
const scope: fc.Arbitrary<ListScope> = fc.record(
  { organizationCode: code, firstReviewer: code, secondReviewer: code, workflow, category, states, applicationNumber },
  { requiredKeys: [] },
);
const filter: fc.Arbitrary<ListFilter> = fc.record({ organizationCode: code, workflow, category, states, applicationNumber }, { requiredKeys: [] });

describe('narrowScope: a filter of GET /applications', () => {
  it('shows exactly the rows both the scope and the filter show: never one the scope hides', () => {
    fc.assert(
      fc.property(scope, filter, row, (given, asked, candidate) => {
        const narrowed = narrowScope(given, asked);
        const expected = shows(given, candidate) && shows(asked, candidate);
        expect(narrowed === null ? false : shows(narrowed, candidate)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('given an applicant asking for another body, then nothing can match', () => {
    expect(narrowScope({ organizationCode: '132012' }, { organizationCode: '132021' })).toBeNull();
  });

  it("given MIC's distributor asking for a state without master data, then nothing can match", () => {
    expect(narrowScope({ workflow: 'connection-application', states: ['masterDataRegistered', 'distributed'] }, { states: ['draft'] })).toBeNull();
  });
});
