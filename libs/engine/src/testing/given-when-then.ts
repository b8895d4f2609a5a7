import { ForbiddenError, ActionNotAllowedInStateError } from '../engine.errors';
import type { Actor, CommandMetadata, DecidedEvent, EventMetadata, JsonObject } from '../engine.types';
import { evolve, foldApplication, toMachineEvent } from '../fold';
import type { FoldedApplication, WorkflowDefinition } from '../workflow-definition';

export interface GivenEvent extends DecidedEvent {
  readonly actor?: Actor;
  readonly at?: string;
}

const DEFAULT_ACTOR: Actor = { sub: 'test', org: 'MIC', role: 'auditor' };

function meta(definition: WorkflowDefinition, actor: Actor, at: string, n: number): EventMetadata {
  return {
    workflow: definition.name,
    machineVersion: definition.machineVersion,
    actor: { ...actor },
    occurredAt: at,
    commandId: `cmd-${n}`,
    correlationId: 'corr',
    causationId: `cmd-${n}`,
    state: '',
    waitingAt: null,
  };
}

/**
 * Emmett-style specification of a workflow's pure decide/evolve, without a store:
 * `given(events).when(action, payload, actor).then(events)`.
 */
export function specify(definition: WorkflowDefinition, applicationId = 'app-1') {
  return {
    given(events: readonly GivenEvent[]) {
      let app: FoldedApplication = foldApplication(definition, applicationId, []);
      events.forEach((event, n) => {
        const machineEvent = toMachineEvent({ type: event.type, data: event.data, metadata: meta(definition, event.actor ?? DEFAULT_ACTOR, event.at ?? '2026-11-20T00:00:00.000Z', n) });
        if (!app.snapshot.can(machineEvent)) throw new Error(`given: ${event.type} is not accepted in state ${app.state}`);
        app = evolve(app, machineEvent);
      });
      const decide = (action: string, payload: JsonObject, actor: Actor, now: string): DecidedEvent[] => {
        const type = definition.eventFor(action, app);
        if (!type || !app.snapshot.can({ type, data: {}, meta: { actor } })) throw new ActionNotAllowedInStateError(action, app.state, []);
        const authorization = definition.authorize(action, app, actor);
        if (!authorization.allowed) throw new ForbiddenError(authorization.reason);
        const commandMeta: CommandMetadata = { actor, now, commandId: 'cmd-when', correlationId: 'corr' };
        return definition.decide(action, app, payload, commandMeta);
      };
      return {
        application: app,
        when(action: string, payload: JsonObject, actor: Actor, now = '2026-11-21T09:00:00.000Z') {
          const run = () => decide(action, payload, actor, now);
          return {
            then(expected: readonly DecidedEvent[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(error: new (...args: never[]) => Error, message?: RegExp) {
              let thrown: unknown;
              try {
                run();
              } catch (e) {
                thrown = e;
              }
              expect(thrown).toBeInstanceOf(error);
              if (message) expect((thrown as Error).message).toMatch(message);
              return thrown;
            },
          };
        },
      };
    },
  };
}
