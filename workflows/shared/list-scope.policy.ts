import type { Actor } from '@nws/engine';
import { MIC } from './organizations';

/** Which rows of the application list a caller sees; every field narrows (AND). */
export interface ListScope {
  readonly organizationCode?: string;
  readonly firstReviewer?: string;
  readonly secondReviewer?: string;
  readonly workflow?: string;
  readonly states?: readonly string[];
}

/**
 * The list must never show a row that GET /applications/{id} refuses, so each role's scope is the
 * part of every workflow's `canRead` that the list's columns can express: a body its own, a reviewer
 * what waits at or passed its own stage, MIC's distributors what has master data, auditors all.
 * `null`: the role reads no application (other bodies' distributors, operators).
 */
export function listScope(actor: Actor): ListScope | null {
  switch (actor.role) {
    case 'applicant':
      return { organizationCode: actor.org };
    case 'first-reviewer':
      return { firstReviewer: actor.org };
    case 'second-reviewer':
      return { secondReviewer: actor.org };
    case 'distributor':
      return actor.org === MIC ? { workflow: 'connection-application', states: ['masterDataRegistered', 'distributed'] } : null;
    case 'auditor':
      return {};
    default:
      return null;
  }
}
