import { connectionApplicationV1 } from '@nws/workflows/connection-application';
import { twoRoundApplication } from '../testing/two-round-application';
import { applicationPath, pathToMermaid } from './application-path';
import { finalStatesOf, machineToMermaid } from './machine-diagram';
import { mermaidLabel, mermaidText } from './mermaid-text';

describe('Mermaid diagrams', () => {
  it('draws the machine from its definition: initial state, every transition, final states', () => {
    const mermaid = machineToMermaid(connectionApplicationV1.machine);
    const lines = mermaid.trim().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> new');
    const root = connectionApplicationV1.machine.root;
    let transitions = 0;
    for (const node of Object.values(root.states)) {
      for (const [event, list] of Object.entries(node.on)) {
        list.forEach((t, index) => {
          transitions += 1;
          const condition = t.guard ? ' [condition]' : index > 0 ? ' [else]' : '';
          expect(lines).toContain(`  ${node.key} --> ${t.target?.[0]?.key ?? node.key} : ${event}${condition}`);
        });
      }
    }
    expect(lines.filter((l) => l.includes(' : '))).toHaveLength(transitions);
    expect(finalStatesOf(connectionApplicationV1.machine)).toEqual(['distributed', 'withdrawn']);
    expect(lines).toEqual(expect.arrayContaining(['  distributed --> [*]', '  withdrawn --> [*]']));
  });

  it('draws the path of one application: each visit in order, with time and person', async () => {
    const app = await twoRoundApplication();
    const steps = applicationPath(app.events);
    // One command a minute: create, the 様02 forms, submit, reject, revise, …
    const forms = app.definition.forms.forms.filter((f) => f.code.startsWith('02-')).length;
    const minute = (m: number) => `2026-11-20T00:${String(m).padStart(2, '0')}:00.000Z`;
    expect(steps.map((s) => s.state)).toEqual(['draft', 'firstReview', 'rejected', 'draft', 'firstReview']);
    expect(steps[0]).toMatchObject({ from: null, event: 'ApplicationCreated', revision: 0, by: { sub: 'yamada', name: '山田 花子', role: 'applicant' } });
    expect(steps[0]!.eventsInState).toBe(forms);
    expect(steps[2]).toMatchObject({ from: 'firstReview', event: 'FirstReviewRejected', by: { org: '130001', role: 'first-reviewer' }, enteredAt: minute(forms + 3), leftAt: minute(forms + 4) });
    expect(steps.at(-1)!.leftAt).toBeNull();
    const mermaid = pathToMermaid(steps, { finalStates: ['distributed'] });
    expect(mermaid).toContain(`state "3. rejected<br/>${minute(forms + 3)}<br/>東京 太郎 / 130001 first-reviewer" as step3`);
    expect(mermaid).toContain('step2 --> step3 : FirstReviewRejected');
    expect(mermaid).not.toContain('--> [*]');
    await app.store.close();
  });

  it('keeps text from breaking the Mermaid syntax', () => {
    expect(mermaidText('a "b"; <c>\nd')).toBe("a 'b', c d");
    expect(mermaidLabel('09:15')).toBe('09 15');
  });
});
