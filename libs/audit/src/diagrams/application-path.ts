import type { Json, RecordedEvent } from '@nws/event-store';
import { mermaidLabel, mermaidText } from './mermaid-text';

export interface PathActor {
  readonly sub: string | null;
  readonly org: string | null;
  /** The organ (機関種類), where the token named one: redaction needs it to tell a board of education from its head department. */
  readonly organ?: string;
  readonly role: string | null;
  readonly name: string | null;
  readonly department: string | null;
}

/** One state the application was in: when it entered, through which event, by whom. */
export interface PathStep {
  readonly state: string;
  readonly from: string | null;
  readonly event: string;
  readonly revision: number;
  readonly position: number;
  readonly enteredAt: string;
  readonly by: PathActor | null;
  /** When it left this state (null: it is still there). */
  readonly leftAt: string | null;
  /** Events recorded while in this state without leaving it (e.g. forms saved in a draft). */
  readonly eventsInState: number;
}

const text = (value: Json | undefined): string | null => (typeof value === 'string' ? value : null);

function actorOf(metadata: RecordedEvent['metadata']): PathActor | null {
  const actor = metadata['actor'];
  if (!actor || typeof actor !== 'object' || Array.isArray(actor)) return null;
  const organ = text(actor['organ']);
  return { sub: text(actor['sub']), org: text(actor['org']), ...(organ ? { organ } : {}), role: text(actor['role']), name: text(actor['name']), department: text(actor['department']) };
}

/**
 * The states an application went through, from the state the engine stamped on each event when
 * it was recorded (`metadata.state`): the trail as it was written, not as today's code would
 * fold it.
 */
export function applicationPath(events: Iterable<RecordedEvent>): PathStep[] {
  const steps: Array<PathStep & { leftAt: string | null; eventsInState: number }> = [];
  for (const event of events) {
    const state = text(event.metadata['state']);
    const at = text(event.metadata['occurredAt']) ?? event.recordedAt;
    const current = steps.at(-1);
    if (state === null || state === current?.state) {
      if (current) current.eventsInState += 1;
      continue;
    }
    if (current) current.leftAt = at;
    steps.push({ state, from: current?.state ?? null, event: event.type, revision: event.revision, position: event.position, enteredAt: at, by: actorOf(event.metadata), leftAt: null, eventsInState: 0 });
  }
  return steps;
}

/**
 * The path as a Mermaid `stateDiagram-v2`: one box per visit (a state entered twice, as in
 * draft → … → rejected → draft, appears twice, in order), with the time and the person in the box.
 */
export function pathToMermaid(steps: readonly PathStep[], options: { title?: string; finalStates?: readonly string[] } = {}): string {
  const lines: string[] = [];
  if (options.title) lines.push('---', `title: ${mermaidLabel(options.title)}`, '---');
  lines.push('stateDiagram-v2');
  steps.forEach((step, index) => {
    const who = step.by ? [step.by.name ?? step.by.sub, [step.by.org, step.by.role].filter(Boolean).join(' ')].filter(Boolean).join(' / ') : '';
    const description = [`${index + 1}. ${step.state}`, step.enteredAt, who].filter(Boolean).map(mermaidText).join('<br/>');
    lines.push(`  state "${description}" as step${index + 1}`);
  });
  steps.forEach((step, index) => {
    lines.push(`  ${index === 0 ? '[*]' : `step${index}`} --> step${index + 1} : ${mermaidLabel(step.event)}`);
  });
  const last = steps.at(-1);
  if (last && options.finalStates?.includes(last.state)) lines.push(`  step${steps.length} --> [*]`);
  return `${lines.join('\n')}\n`;
}
