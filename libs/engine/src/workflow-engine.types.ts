import type { JsonObject, RecordedEvent } from '@nws/event-store';
import type { FoldedApplication } from './workflow-definition';

export interface LoadedApplication {
  readonly folded: FoldedApplication;
  readonly events: readonly RecordedEvent[];
}

export interface ApplicationView extends JsonObject {
  id: string;
  workflow: string;
  machineVersion: string;
  state: string;
  revision: number;
  allowedActions: string[];
  /** Offered by the state and the caller's role, but refused by the store today, with why. */
  refusedActions: RefusedAction[];
}

/** An action the command would refuse now for a reason outside the application (see WorkflowEngine.view). */
export interface RefusedAction extends JsonObject {
  action: string;
  violations: Array<{ field: string; rule: string; message: { ja: string; en: string } }>;
}

/** How often the reactor runs a failing reaction, and the first pause between (doubling after each). */
export interface ReactionRetry {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface ExecuteOptions {
  /** From `If-Match`: the revision the client last saw. */
  readonly expectedRevision?: number;
  /** Internal commands (form saving, the engine's own reactions) are not reachable as public actions. */
  readonly internal?: boolean;
}

export interface LoadOptions {
  readonly toRevision?: number;
  /** Fold only events that occurred at or before this ISO time. */
  readonly asOf?: string;
}
