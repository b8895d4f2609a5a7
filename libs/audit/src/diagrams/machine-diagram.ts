import type { AnyStateMachine } from 'xstate';
import { mermaidId, mermaidLabel, mermaidText } from './mermaid-text';

interface StateNodeLike {
  readonly key: string;
  readonly path: readonly string[];
  readonly type: string;
  readonly description?: string;
  readonly states: Record<string, StateNodeLike>;
  readonly on: Record<string, ReadonlyArray<{ readonly target?: readonly StateNodeLike[]; readonly guard?: unknown }>>;
  readonly initial?: { readonly target: readonly StateNodeLike[] };
}

/**
 * The machine as a Mermaid `stateDiagram-v2`, read from the XState definition itself (states,
 * initial state, every event transition, guards, final states, nested states), so the picture
 * cannot drift from what the engine runs.
 */
export function machineToMermaid(machine: AnyStateMachine, options: { title?: string } = {}): string {
  const lines: string[] = [];
  if (options.title) lines.push('---', `title: ${mermaidLabel(options.title)}`, '---');
  lines.push('stateDiagram-v2');
  renderChildren(machine.root as unknown as StateNodeLike, lines, '  ');
  return `${lines.join('\n')}\n`;
}

function renderChildren(parent: StateNodeLike, lines: string[], indent: string): void {
  const children = Object.values(parent.states);
  const initial = parent.initial?.target[0];
  for (const node of children) {
    const id = idOf(node);
    if (Object.keys(node.states).length > 0) {
      lines.push(`${indent}state "${mermaidText(node.description ?? node.key)}" as ${id} {`);
      renderChildren(node, lines, `${indent}  `);
      lines.push(`${indent}}`);
    } else if (node.description || id !== node.key) {
      lines.push(`${indent}state "${mermaidText(node.description ?? node.key)}" as ${id}`);
    }
  }
  if (initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
  for (const node of children) {
    for (const [event, transitions] of Object.entries(node.on)) {
      transitions.forEach((transition, index) => {
        const target = transition.target?.[0] ?? node;
        // Candidates are tried in order: an unguarded one after guarded ones is the "else" branch.
        const condition = transition.guard ? guardLabel(transition.guard) : index > 0 ? ' [else]' : '';
        lines.push(`${indent}${idOf(node)} --> ${idOf(target)} : ${mermaidLabel(event)}${condition}`);
      });
    }
    if (node.type === 'final') lines.push(`${indent}${idOf(node)} --> [*]`);
  }
}

/** Ids from the path below the root, so top-level states keep their own names in the source. */
function idOf(node: StateNodeLike): string {
  return mermaidId(node.path.join('_'));
}

/** A named guard shows its name; an inline one (a function) shows that a condition decides. */
function guardLabel(guard: unknown): string {
  const name =
    typeof guard === 'string' ? guard : typeof guard === 'object' && guard && 'type' in guard ? String((guard as { type: unknown }).type) : typeof guard === 'function' && guard.name && guard.name !== 'guard' ? guard.name : 'condition';
  return ` [${mermaidLabel(name)}]`;
}

/** Flattened names of the machine's final states (the path diagram closes there). */
export function finalStatesOf(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: StateNodeLike) => {
    for (const child of Object.values(node.states)) {
      if (child.type === 'final') out.push(child.path.join('.'));
      walk(child);
    }
  };
  walk(machine.root as unknown as StateNodeLike);
  return out;
}
