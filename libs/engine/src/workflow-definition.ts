import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { EventStore, EventToAppend, JsonObject, RecordedEvent } from '@nws/event-store';
import type { Actor, CommandMetadata, DecidedEvent, FieldViolation, LocalizedMessage } from './engine.types';
import type { FormCatalog } from './forms/form-catalog';

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly reason: LocalizedMessage };

export const ALLOWED: Authorization = { allowed: true };
export const deny = (ja: string, en: string): Authorization => ({ allowed: false, reason: { ja, en } });

/** What a workflow knows about one application at a point of its history. */
export interface FoldedApplication<TSnapshot extends AnyMachineSnapshot = AnyMachineSnapshot> {
  readonly id: string;
  readonly snapshot: TSnapshot;
  /** Flattened state value, e.g. `firstReview`. */
  readonly state: string;
  /** Revision of the last folded event; -1 when nothing was folded. */
  readonly revision: number;
  readonly definition: WorkflowDefinition;
}

/** Work a workflow wants done after some of its events, outside the command that recorded them. */
export interface WorkflowReaction {
  readonly name: string;
  readonly on: readonly string[];
  /**
   * Must be idempotent: it runs at least once per event (with the command, and again on catch-up).
   * The command's own run starts while the event is committed: `event.position` is 0 and
   * `recordedAt` the command's time then, and what it writes or executes through `context` waits
   * until the event is stored (WorkflowEngine.reactEarly). Nothing may be done outside `context`.
   */
  handle(event: RecordedEvent, context: ReactionContext): Promise<void>;
  /**
   * Names a change of what the reaction does with triggers it had already run on (a release that
   * reads an older shape of its trigger): the reactor runs it once more over every trigger stored
   * before it first started with this name, once per name (reaction-catch-up.ts). Reactions run
   * before a release are not run again otherwise, and what the change would have done for them was
   * never done.
   */
  readonly catchUp?: string;
}

export interface ReactionContext {
  readonly store: EventStore;
  /** Runs a command as the system itself (e.g. registering master data). */
  readonly execute: (applicationId: string, action: string, payload: JsonObject, meta: CommandMetadata) => Promise<unknown>;
  /** The application folded up to (and including) a revision. */
  readonly load: (applicationId: string, toRevision?: number) => Promise<FoldedApplication>;
  readonly now: () => string;
}

/** A stream that must exist (or must not) before an application is created, and the refusal when it does not hold. */
export type StreamRequirement = StreamExistence | StreamContent | StreamsContent;

/** The stream must exist (or must not): otherwise `refusal`. */
export interface StreamExistence {
  readonly streamId: string;
  readonly exists: boolean;
  readonly refusal: FieldViolation;
}

/**
 * What the stream's last event says (undefined: no stream yet) must hold: the violations it finds.
 * For rules that span an application and what its body registered before (a 変更 carries the
 * registered forms it does not file), kept out of `decide`, which stays pure.
 */
export interface StreamContent {
  readonly streamId: string;
  readonly latest: (event: RecordedEvent | undefined, claims: ClaimStatuses) => readonly FieldViolation[];
  /**
   * What the command records in this stream as it passes the check (commands only): appended at the
   * revision `latest` was checked at, before the command's own events. A rule over several
   * applications (one account per address, one first registration per organ) holds only if nothing
   * is recorded between its check and the record of what it allowed; another append meanwhile makes
   * the engine check again on what is stored. Undefined: nothing to record (this very command
   * recorded it already, and is retried). One claim per stream.
   */
  readonly claim?: (event: RecordedEvent | undefined, command: ClaimingCommand, claims: ClaimStatuses) => EventToAppend | undefined;
  /**
   * The claims the last event holds, each naming where its command's own event was to be stored.
   * A claim is appended before that event, which may then never be stored (the application was
   * withdrawn meanwhile, the process stopped): the engine reads each and tells `latest` and `claim`
   * whether it was (`stored`), may still be (`pending`: nothing is stored there yet) or was not
   * (`lost`: another event took its place), so a lost claim refuses nobody and no release is needed.
   */
  readonly claimsIn?: (event: RecordedEvent) => readonly ClaimRef[];
}

/**
 * What several streams say together, each by the last event its `select` picks (undefined: none,
 * or no stream): the violations `check` finds. For a rule whose facts live in streams of their own
 * and are read against each other (an organ is connected when its master data holds a version of an
 * approved 接続 registered after the last end of its connection, which is recorded beside its
 * people's data): the last event of one stream cannot say it, nor can requirements read one by one.
 */
export interface StreamsContent {
  readonly streams: readonly StreamSelection[];
  /** The events picked, in the order of `streams`. */
  readonly check: (events: readonly (RecordedEvent | undefined)[]) => readonly FieldViolation[];
}

/**
 * One stream of a StreamsContent and the events that count in it (default: every one). Read as
 * stored (personal-data fields still encrypted): for facts that are never personal (types, kinds,
 * days, categories), which then need no key.
 */
export interface StreamSelection {
  readonly streamId: string;
  readonly select?: (event: RecordedEvent) => boolean;
}

/** Where a claim's command was to store its event: the event of `type` at `revision` of `streamId`. */
export interface ClaimRef {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

export type ClaimStatus = 'stored' | 'pending' | 'lost';
export type ClaimStatuses = (claim: ClaimRef) => ClaimStatus;

/** The command a claim is made for: its application's stream and the events it appends there from `revision` on. */
export interface ClaimingCommand {
  readonly streamId: string;
  readonly revision: number;
  readonly events: readonly EventToAppend[];
}

/**
 * A workflow = an XState machine + its version + how commands map to machine events + who may send
 * each. Adding a workflow means adding a folder under `workflows/` that exports one of these: the
 * engine does not change.
 */
export interface WorkflowDefinition<TSnapshot extends AnyMachineSnapshot = AnyMachineSnapshot> {
  readonly name: string;
  /** Stamped on every event; an application is pinned to the version it started with. */
  readonly machineVersion: string;
  readonly title: LocalizedMessage;
  readonly machine: AnyStateMachine;
  /** Actions a client may POST to `/applications/{id}/actions/{action}`, in display order. */
  readonly actions: readonly string[];
  /** Every command the workflow handles: the public actions plus internal ones (e.g. `save-form`). */
  readonly commands: readonly string[];
  readonly forms: FormCatalog;
  /** Schema and example of the body of `POST /applications` for this workflow. */
  readonly createInput: { readonly schema: JsonObject; readonly example: JsonObject };

  /** Events that start a new application. Throws ValidationFailedError on bad input. */
  create(applicationId: string, input: JsonObject, meta: CommandMetadata): DecidedEvent[];
  /**
   * Streams that must exist (or must not) for the application `create` decided to make sense, such
   * as the master data a 変更 changes. The engine reads them before it appends, so `create` stays
   * pure; a requirement not met refuses the creation with its violation, and nothing is stored.
   */
  readonly createRequires?: (created: readonly DecidedEvent[]) => readonly StreamRequirement[];
  /**
   * The same for an action on an existing application, checked after `decide` accepted it: what was
   * true when the application was created may have changed since (another application of the same
   * body registered master data meanwhile).
   */
  readonly commandRequires?: (action: string, application: FoldedApplication<TSnapshot>) => readonly StreamRequirement[];
  /** The event type the action would record in this state, or undefined when the state does not offer it. */
  eventFor(action: string, application: FoldedApplication<TSnapshot>): string | undefined;
  /** Whether this actor may take this action on this application now (roles × bodies). */
  authorize(action: string, application: FoldedApplication<TSnapshot>, actor: Actor): Authorization;
  /** Whether this actor may read this application at all. */
  canRead(application: FoldedApplication<TSnapshot>, actor: Actor): boolean;
  /** The events an allowed action records. Throws ValidationFailedError for bad payloads. */
  decide(action: string, application: FoldedApplication<TSnapshot>, payload: JsonObject, meta: CommandMetadata): DecidedEvent[];
  /** The workflow-specific part of the application view (organization, forms, reviews, …). */
  view(application: FoldedApplication<TSnapshot>): JsonObject;
  /** Body a review queue entry waits at, for `GET /review-queue`: undefined when nobody reviews now. */
  waitingAt(application: FoldedApplication<TSnapshot>): { readonly stage: string; readonly org: string } | undefined;
  readonly reactions?: readonly WorkflowReaction[];
  /** Workflow-specific guidance for clients, published with the definition (e.g. forms per category). */
  readonly guide?: JsonObject;
}
