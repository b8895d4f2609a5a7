import { UnknownWorkflowError } from './engine.errors';
import type { WorkflowDefinition } from './workflow-definition';

/**
 * Every deployed version of every workflow. New applications start on the latest version; a
 * stored application is folded with the version stamped on its events, so deploying v2 never
 * changes how a v1 application replays.
 */
export class WorkflowRegistry {
  private readonly byName = new Map<string, Map<string, WorkflowDefinition>>();
  private readonly latestByName = new Map<string, WorkflowDefinition>();

  constructor(definitions: readonly WorkflowDefinition[]) {
    for (const definition of definitions) {
      const versions = this.byName.get(definition.name) ?? new Map<string, WorkflowDefinition>();
      if (versions.has(definition.machineVersion)) throw new Error(`${definition.name} v${definition.machineVersion} registered twice`);
      versions.set(definition.machineVersion, definition);
      this.byName.set(definition.name, versions);
      // Registration order decides "latest": list versions oldest first.
      this.latestByName.set(definition.name, definition);
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  latest(name: string): WorkflowDefinition {
    const definition = this.latestByName.get(name);
    if (!definition) throw new UnknownWorkflowError(name, this.names());
    return definition;
  }

  get(name: string, machineVersion: string): WorkflowDefinition {
    const definition = this.byName.get(name)?.get(machineVersion);
    if (!definition) throw new Error(`stored events name ${name} v${machineVersion}, which this deployment does not have`);
    return definition;
  }

  versions(name: string): WorkflowDefinition[] {
    return [...(this.byName.get(name)?.values() ?? [])];
  }
}
