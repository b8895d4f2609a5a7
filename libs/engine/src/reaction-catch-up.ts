import type { EventStore } from '@nws/event-store';
import type { WorkflowEngine } from './workflow-engine';
import type { WorkflowReaction } from './workflow-definition';

/** One reaction's catch-up: its key (workflow, reaction, catch-up name) and the trigger types it reads. */
export interface ReactionCatchUp {
  readonly key: string;
  readonly workflow: string;
  readonly reaction: string;
  readonly tag: string;
  readonly eventTypes: readonly string[];
}

/** Every catch-up the registered workflows' reactions name (WorkflowReaction.catchUp), once per workflow, reaction and name. */
export function reactionCatchUps(engine: WorkflowEngine): ReactionCatchUp[] {
  const found = new Map<string, ReactionCatchUp>();
  for (const workflow of engine.workflows.names()) {
    for (const definition of engine.workflows.versions(workflow)) {
      for (const reaction of definition.reactions ?? []) {
        if (reaction.catchUp === undefined) continue;
        const key = `catch-up:${workflow}:${reaction.name}:${reaction.catchUp}`;
        const eventTypes = [...new Set([...(found.get(key)?.eventTypes ?? []), ...reaction.on])];
        found.set(key, { key, workflow, reaction: reaction.name, tag: reaction.catchUp, eventTypes });
      }
    }
  }
  return [...found.values()];
}

/**
 * Runs a catch-up's reaction on every trigger in (after, upTo], in global order, streamed from the
 * store: each trigger with the reaction of the definition its event was stamped with. `progress`
 * is told each position done, for the caller to remember; a reaction that fails stops the run with
 * its error (reactions are idempotent: run again from the last position told).
 */
export async function runReactionCatchUp(
  engine: WorkflowEngine,
  store: EventStore,
  catchUp: ReactionCatchUp,
  range: { readonly after: number; readonly upTo: number },
  progress: (position: number) => void = () => undefined,
): Promise<{ readonly triggers: number }> {
  let triggers = 0;
  for await (const event of store.readAll({ after: range.after, filter: { eventTypes: catchUp.eventTypes, streamPrefixes: ['application-'] } })) {
    if (event.position > range.upTo) break;
    if (event.metadata['workflow'] !== catchUp.workflow) continue;
    const definition = engine.workflows.get(catchUp.workflow, String(event.metadata['machineVersion']));
    const reactions = (definition.reactions ?? []).filter((r: WorkflowReaction) => r.name === catchUp.reaction && r.catchUp === catchUp.tag && r.on.includes(event.type));
    if (reactions.length > 0) {
      const failures = await engine.react({ ...definition, reactions }, [event]);
      if (failures.length > 0) throw failures[0]!.error;
      triggers++;
    }
    progress(event.position);
  }
  return { triggers };
}
