import type { EventStore } from '@nws/event-store';
import { ValidationFailedError } from './engine.errors';
import type { StreamRequirement } from './workflow-definition';

/** Refuses a command when the store does not meet what the workflow requires of it (WorkflowDefinition.createRequires, commandRequires). */
export async function assertStreamRequirements(store: EventStore, requirements: readonly StreamRequirement[]): Promise<void> {
  for (const requirement of requirements) {
    const exists = (await store.streamRevision(requirement.streamId)) !== undefined;
    if (exists !== requirement.exists) throw new ValidationFailedError([requirement.refusal]);
  }
}
