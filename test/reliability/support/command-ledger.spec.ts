import { CommandLedger, reactionProblems } from './command-ledger';
import type { StoredEventRow } from './data-dir';

let position = 0;
const row = (streamId: string, revision: number, type: string, commandId: string | null, causationId: string | null = commandId, extra: Partial<StoredEventRow> = {}): StoredEventRow => ({
  position: ++position,
  eventId: `e-${position}`,
  streamId,
  revision,
  type,
  commandId,
  causationId,
  sourceEventId: null,
  ...extra,
});

describe('the crash check itself finds what it must (so a clean report means something)', () => {
  function ledgerOf() {
    const ledger = new CommandLedger();
    const create = ledger.issue('k-create', 'c-create', 'create', null);
    create.outcome = 'acked';
    ledger.assignApplication(create, 'a');
    const save = ledger.issue('k-save', 'c-save', 'save-form', 'a');
    save.outcome = 'acked';
    const submit = ledger.issue('k-submit', 'c-submit', 'submit', 'a');
    submit.outcome = 'unknown';
    const stale = ledger.issue('k-stale', 'c-stale', 'approve', 'a');
    stale.outcome = 'refused';
    return ledger;
  }

  it('a store holding each acknowledged command once is clean; an unknown one may be there or not', () => {
    const rows = [row('application-a', 0, 'ApplicationCreated', 'c-create'), row('application-a', 1, 'FormSaved', 'c-save')];
    expect(ledgerOf().check(rows)).toMatchObject({ ackedVerified: 2, lost: [], duplicated: [], refusedButStored: [], phantoms: [], outOfOrder: [], unknownAbsent: 1 });
    expect(ledgerOf().check([...rows, row('application-a', 2, 'ApplicationSubmitted', 'c-submit')])).toMatchObject({ ackedVerified: 2, unknownStored: 1, lost: [] });
  });

  it('finds lost, duplicated, refused-but-stored, phantom, misplaced and reordered commands', () => {
    const ledger = ledgerOf();
    expect(ledger.check([row('application-a', 0, 'ApplicationCreated', 'c-create')]).lost).toEqual(['save-form k-save on a']);
    const twice = [row('application-a', 0, 'ApplicationCreated', 'c-create'), row('application-a', 1, 'FormSaved', 'c-save'), row('application-a', 2, 'FormSaved', 'c-save')];
    expect(ledger.check(twice).duplicated).toHaveLength(1);
    expect(ledger.check([...twice.slice(0, 2), row('application-a', 2, 'FirstReviewApproved', 'c-stale')]).refusedButStored).toHaveLength(1);
    expect(ledger.check([...twice.slice(0, 2), row('application-a', 2, 'ApplicationSubmitted', 'c-nobody-sent')]).phantoms).toHaveLength(1);
    expect(ledger.check([row('application-a', 0, 'ApplicationCreated', 'c-create'), row('application-b', 0, 'FormSaved', 'c-save')]).misplaced).toHaveLength(1);
    expect(ledger.check([row('application-a', 0, 'FormSaved', 'c-save'), row('application-a', 1, 'ApplicationCreated', 'c-create')]).outOfOrder).toHaveLength(1);
    // Events a reaction caused (causation ≠ command) are not client commands.
    expect(ledger.check([...twice.slice(0, 2), row('application-a', 2, 'MasterDataRegistered', 'c-reaction', 'e-approval')]).phantoms).toEqual([]);
  });

  it('passes over the applications made before the load (set up), and only those', () => {
    const ledger = ledgerOf();
    const rows = [row('application-a', 0, 'ApplicationCreated', 'c-create'), row('application-a', 1, 'FormSaved', 'c-save'), row('application-setup', 0, 'ApplicationCreated', 'c-setup')];
    expect(ledger.check(rows).phantoms).toEqual(['ApplicationCreated at application-setup@0 (command c-setup)']);
    ledger.setUp(['setup']);
    expect(ledger.check(rows)).toMatchObject({ ackedVerified: 2, phantoms: [], lost: [] });
    expect(ledger.check([...rows, row('application-other', 0, 'ApplicationCreated', 'c-other')]).phantoms).toHaveLength(1);
  });

  it('finds a master-data registration missing after catching up, or done twice', () => {
    const approval = row('application-a', 5, 'SecondReviewApproved', 'c-approve');
    const version = row('master-data-132012', 0, 'MasterDataVersionRegistered', null, approval.eventId, { sourceEventId: approval.eventId });
    const registered = row('application-a', 6, 'MasterDataRegistered', 'c-register', approval.eventId);
    expect(reactionProblems([approval], { settled: false }).problems).toEqual([]);
    expect(reactionProblems([approval], { settled: true }).problems).toHaveLength(1);
    expect(reactionProblems([approval, version, registered], { settled: true })).toMatchObject({ approvals: 1, incomplete: 0, problems: [] });
    expect(reactionProblems([approval, registered], { settled: false }).problems).toHaveLength(1);
    expect(reactionProblems([approval, version, version, registered], { settled: true }).problems).toHaveLength(1);
  });
});
