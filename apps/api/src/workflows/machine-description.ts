import type { WorkflowDefinition } from '@nws/engine';

interface StateNodeLike {
  key: string;
  type: string;
  states: Record<string, StateNodeLike>;
  on: Record<string, Array<{ target?: Array<{ key: string }> }>>;
}

/** States and transitions read from the XState machine itself, so the description cannot drift. */
export function describeMachine(definition: WorkflowDefinition) {
  const root = definition.machine.root as unknown as StateNodeLike;
  const states = Object.values(root.states).map((node) => ({
    name: node.key,
    final: node.type === 'final',
    transitions: Object.entries(node.on).map(([event, transitions]) => ({
      event,
      target: transitions[0]?.target?.[0]?.key ?? node.key,
    })),
  }));
  return { initialState: 'new', states };
}
