import type { Actor } from '@nws/engine';
import { MIC, ORGANIZATION_KINDS, forwardingOrganFor, organOf, reviewingBodyOf } from './organizations';
import { AWAITING_FORWARD } from './review-decisions';

/** Which rows of the application list a caller sees; every field narrows (AND). */
export interface ListScope {
  readonly organizationCode?: string;
  /** The applicant organs (機関種類) of that code the caller reads (canReadReviewed). */
  readonly organizationKinds?: readonly string[];
  /** Organs of that code the caller forwards (首長部局を経由): their applications once submitted, not their drafts... */
  readonly forwardedKinds?: readonly string[];
  /** ...of the workflows that forward (a connection application; an account request is not forwarded). */
  readonly forwardedWorkflows?: readonly string[];
  readonly firstReviewer?: string;
  readonly secondReviewer?: string;
  readonly workflow?: string;
  readonly states?: readonly string[];
  /** States whose rows the caller does not see (a reviewer: what waits for forwarding). */
  readonly excludedStates?: readonly string[];
  /** Only what reached its reviewers: never what was withdrawn while it waited to be forwarded. */
  readonly reachedReviewers?: boolean;
  readonly category?: string;
  readonly applicationNumber?: string;
  /** The applying organ (機関種類), where a code holds several. */
  readonly organizationKind?: string;
}

/** What a caller asks the list for (`?organizationCode=&workflow=&category=&state=&applicationNumber=`). */
export interface ListFilter {
  readonly organizationCode?: string;
  readonly workflow?: string;
  readonly category?: string;
  readonly states?: readonly string[];
  /** 申請番号, as people quote it on the phone and in mail. */
  readonly applicationNumber?: string;
  /** The applying organ (機関種類): 東京都知事部局's and 東京都教育委員会's applications share a code. */
  readonly organizationKind?: string;
}

/**
 * The caller's scope narrowed by what they asked for: a filter only ever takes rows away, so no
 * query shows a row the scope hides. `null` when the two cannot both hold (an applicant asking for
 * another body, a distributor for a state without master data): the list is empty.
 */
export function narrowScope(scope: ListScope, filter: ListFilter): ListScope | null {
  const same = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;
  if (
    !same(scope.organizationCode, filter.organizationCode) ||
    !same(scope.workflow, filter.workflow) ||
    !same(scope.category, filter.category) ||
    !same(scope.applicationNumber, filter.applicationNumber) ||
    !same(scope.organizationKind, filter.organizationKind)
  ) {
    return null;
  }
  const asked = filter.states;
  const states = asked === undefined ? scope.states : scope.states === undefined ? asked : scope.states.filter((state) => asked.includes(state));
  if (states !== undefined && states.length === 0) return null;
  const organizationCode = scope.organizationCode ?? filter.organizationCode;
  const workflow = scope.workflow ?? filter.workflow;
  const category = scope.category ?? filter.category;
  const applicationNumber = scope.applicationNumber ?? filter.applicationNumber;
  const organizationKind = scope.organizationKind ?? filter.organizationKind;
  return {
    ...scope,
    ...(organizationCode !== undefined ? { organizationCode } : {}),
    ...(workflow !== undefined ? { workflow } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(applicationNumber !== undefined ? { applicationNumber } : {}),
    ...(organizationKind !== undefined ? { organizationKind } : {}),
    ...(states !== undefined ? { states } : {}),
  };
}

/**
 * The list must never show a row that GET /applications/{id} refuses, so each role's scope is the
 * part of every workflow's `canRead` that the list's columns can express: a body its own, a reviewer
 * what waits at or passed its own stage, MIC's distributors what has master data, auditors all.
 * `null`: the role reads no application (other bodies' distributors, operators).
 */
export function listScope(actor: Actor): ListScope | null {
  switch (actor.role) {
    case 'applicant': {
      // Its own organ's, and those it forwards (a head's department its board of education's).
      const organ = organOf(actor);
      if (organ === undefined) return { organizationCode: actor.org };
      const forwarded = ORGANIZATION_KINDS.filter((kind) => forwardingOrganFor({ kind }) === organ);
      return forwarded.length > 0
        ? { organizationCode: actor.org, organizationKinds: [organ], forwardedKinds: forwarded, forwardedWorkflows: ['connection-application'] }
        : { organizationCode: actor.org, organizationKinds: [organ] };
    }
    case 'first-reviewer': {
      const body = reviewingBodyOf(actor);
      return body === undefined ? null : { firstReviewer: body, excludedStates: [AWAITING_FORWARD], reachedReviewers: true };
    }
    case 'second-reviewer': {
      const body = reviewingBodyOf(actor);
      return body === undefined ? null : { secondReviewer: body, excludedStates: [AWAITING_FORWARD], reachedReviewers: true };
    }
    case 'distributor':
      return actor.org === MIC ? { workflow: 'connection-application', states: ['masterDataRegistered', 'distributed'] } : null;
    case 'auditor':
      return {};
    default:
      return null;
  }
}
