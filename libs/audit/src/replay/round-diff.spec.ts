import { revise0202, twoRoundApplication } from '../testing/two-round-application';
import { eventsAsOf } from './application-timeline';
import { RoundDiffError, diffRounds, roundSnapshots } from './round-diff';

describe('diff between rounds (real engine and workflow, in-memory store)', () => {
  let app: Awaited<ReturnType<typeof twoRoundApplication>>;
  beforeAll(async () => {
    app = await twoRoundApplication();
  });
  afterAll(() => app.store.close());

  it('by default compares the last rejected round with the resubmission and shows exactly the changed fields', () => {
    const rounds = roundSnapshots(app.definition, app.id, app.events);
    expect(rounds.map((r) => [r.round, r.state])).toEqual([
      [1, 'rejected'],
      [2, 'firstReview'],
    ]);
    const diff = diffRounds(rounds);
    expect(diff.from).toMatchObject({ round: 1, rejection: { stage: 'first', comment: '様02-02の通常連絡先を直通番号にしてください。' } });
    expect(diff.to).toMatchObject({ round: 2, rejection: null });
    expect(diff.from.submittedAt).toBe('2026-11-20T00:' + String(2 + app.definition.forms.forms.filter((f) => f.code.startsWith('02-')).length).padStart(2, '0') + ':00.000Z');
    expect(diff.to.submittedAt).not.toBe(diff.from.submittedAt);

    const saved = (round: number) => rounds.find((r) => r.round === round)!.forms['02-02']!.data as { normalContacts: Array<Record<string, unknown>> };
    expect(diff.forms).toHaveLength(1);
    expect(diff.forms[0]).toMatchObject({ formCode: '02-02', status: 'changed', before: { savedInRound: 1 }, after: { savedInRound: 2 } });
    expect(diff.forms[0]!.changes).toEqual([
      { path: 'normalContacts[0].phone', kind: 'changed', before: saved(1).normalContacts[0]!['phone'], after: saved(2).normalContacts[0]!['phone'] },
      { path: 'normalContacts[1]', kind: 'removed', before: saved(1).normalContacts[1] },
    ]);
    expect(diff.changedFields).toBe(2);
    // 02-01 was saved again in round 2 with the same content: not a change.
    expect(diff.unchangedForms).toEqual(expect.arrayContaining(['02-01', '02-06']));
    expect(diff.unchangedForms).not.toContain('02-02');
    expect(JSON.stringify(revise0202(app.definition.forms.get('02-02')!.example))).toContain('042-620-7300');
  });

  it('explicit rounds, and clear refusals when a round does not exist or nothing was rejected yet', () => {
    const rounds = roundSnapshots(app.definition, app.id, app.events);
    expect(diffRounds(rounds, { from: 1, to: 2 }).changedFields).toBe(2);
    expect(diffRounds(rounds, { from: 2, to: 2 }).forms).toEqual([]);
    expect(() => diffRounds(rounds, { from: 1, to: 3 })).toThrow(expect.objectContaining({ reason: 'unknown-round', rounds: [1, 2] }));

    const firstRoundOnly = roundSnapshots(app.definition, app.id, eventsAsOf(app.events, { toRevision: 4 }));
    expect(() => diffRounds(firstRoundOnly)).toThrow(RoundDiffError);
    expect(() => diffRounds(firstRoundOnly)).toThrow(/no round was rejected/);
    const rejectedNotRevised = roundSnapshots(app.definition, app.id, app.events.filter((e) => e.type !== 'ApplicationRevised' && e.revision <= app.events.findIndex((x) => x.type === 'FirstReviewRejected')));
    expect(() => diffRounds(rejectedNotRevised)).toThrow(expect.objectContaining({ reason: 'no-resubmission' }));
  });

  it('as-of takes the prefix of the history, never a filtered subset', () => {
    const shuffled = app.events.map((e, i) => (i === 3 ? { ...e, metadata: { ...e.metadata, occurredAt: '2030-01-01T00:00:00.000Z' } } : e));
    const prefix = eventsAsOf(shuffled, { asOf: '2026-12-01T00:00:00Z' });
    expect(prefix.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(eventsAsOf(app.events, { toRevision: 1 }).map((e) => e.revision)).toEqual([0, 1]);
    expect(eventsAsOf(app.events, { asOf: '2026-11-20T00:01:00.000Z' }).map((e) => e.revision)).toEqual([0]);
  });
});
