import { setTimeout as delay } from 'node:timers/promises';
import { EventStoreUnavailableError, WrongExpectedRevisionError, type AppendResult, type EventStore, type EventToAppend, type JsonObject, type RecordedEvent } from '@nws/event-store';
import { ActionNotAllowedInStateError, ApplicationNotFoundError, ChangedMeanwhileError, ConcurrencyConflictError, ForbiddenError, RevisionMismatchError, UnknownActionError } from './engine.errors';
import { APPLICATION_STREAM_PREFIX, applicationIdFor, applicationStream } from './command-ids';
import { UNKEYED_REQUEST_FINGERPRINTS, assertSameRequest, fingerprintWhenWriting, type CommandRequest, type RequestFingerprints } from './request-fingerprints';
import { assertStreamRequirements, refusedByStore, type RequirementMoment } from './stream-requirements';
import type { Actor, CommandMetadata, EventMetadata } from './engine.types';
import { lastCausedRevision, stampDecided } from './event-stamping';
import { evolve, foldApplication, historyPrefix, toMachineEvent } from './fold';
import { FoldCache, type CachedFold } from './fold-cache';
import { LruMap } from './lru-map';
import { InlineReactions, type ReactionFailure } from './inline-reactions';
import { gatedReactionContext, provisionalEvents, sameEvents } from './early-reactions';
import { TriggerGate, TriggerNotStoredError, nextTurn } from './trigger-gate';
import type { FoldedApplication, ReactionContext, WorkflowDefinition } from './workflow-definition';
import type { WorkflowRegistry } from './workflow-registry';
import type { ApplicationView, ExecuteOptions, LoadedApplication, LoadOptions, ReactionRetry } from './workflow-engine.types';

/**
 * Handles commands: read the stream, fold it, check the action is offered now and allowed for
 * this caller, decide the events, append them at the expected revision. No state is kept between
 * calls; concurrent writers are resolved by the store's revision check.
 */
export class WorkflowEngine {
  constructor(
    private readonly store: EventStore,
    private readonly registry: WorkflowRegistry,
    private readonly options: {
      readonly maxConflictRetries?: number;
      readonly onReactionError?: (error: unknown, event: RecordedEvent) => void;
      /** Time for commands the engine sends itself (reactions). */
      readonly clock?: () => string;
      /** Folded applications kept in memory between commands (0 disables the cache). */
      readonly foldCacheSize?: number;
      /** How a request whose command id may come again is fingerprinted (default: unkeyed SHA-256). */
      readonly fingerprints?: RequestFingerprints;
    } = {},
  ) {
    this.cache = new FoldCache(options.foldCacheSize ?? 2000);
  }

  private cache: FoldCache;
  private get fingerprints(): RequestFingerprints {
    return this.options.fingerprints ?? UNKEYED_REQUEST_FINGERPRINTS;
  }
  /** Application id → appends this engine made to it (recent ones: a race lasts as long as a command): tells a race in flight from a stale cache. */
  private readonly localAppends = new LruMap<string, number>(10_000);
  private readonly inline = new InlineReactions();

  /**
   * Drops every cached fold. Events never change, but what they read as does: once a person's key
   * is destroyed (personal-data erasure), folds made before hold their data in clear.
   */
  forgetCachedFolds(): void {
    this.cache = new FoldCache(this.options.foldCacheSize ?? 2000);
  }

  get workflows(): WorkflowRegistry {
    return this.registry;
  }

  async create(workflowName: string, input: JsonObject, meta: CommandMetadata): Promise<ApplicationView> {
    const definition = this.registry.latest(workflowName);
    const applicationId = applicationIdFor(meta.commandId);
    const request = { action: 'create', payload: input };
    const existing = await this.readEvents(applicationId);
    if (existing.length > 0) return await this.replayCommand(existing, meta, request);
    const fingerprint = await fingerprintWhenWriting(this.fingerprints, meta, request)();
    const decided = definition.create(applicationId, input, meta);
    await assertStreamRequirements(this.store, definition.createRequires?.(decided) ?? []);
    const start = foldApplication(definition, applicationId, []);
    const { events, after } = stampDecided(start, decided, meta, fingerprint);
    const result: AppendResult | undefined = await this.store.append(applicationStream(applicationId), events, 'no_stream').catch((error: unknown) => {
      if (error instanceof WrongExpectedRevisionError) return undefined; // the command raced itself (a client retry)
      throw error;
    });
    if (!result) return await this.replayCommand(await this.readEvents(applicationId), meta, request);
    // Stored before by the same command id (a retry, one Idempotency-Key sent twice at once), as SQLite
    // says or reading back shows (EventStoreDB takes known event ids as done, whatever their data): a
    // replay, which refuses another request under the key instead of answering the other's application.
    const written = result.replayed === true ? undefined : this.cacheWritten(applicationId, start, after, meta, result);
    if (written) return await this.view(written.folded, meta.actor);
    const stored = await this.readEvents(applicationId);
    if (result.replayed === true || !sameEvents(stored.slice(0, events.length), events)) return await this.replayCommand(stored, meta, request);
    return await this.view((await this.current(applicationId)).folded, meta.actor);
  }

  async execute(applicationId: string, action: string, payload: JsonObject, meta: CommandMetadata, options: ExecuteOptions = {}): Promise<ApplicationView> {
    const request = { action, payload };
    const fingerprint = fingerprintWhenWriting(this.fingerprints, meta, request);
    const maxRetries = this.options.maxConflictRetries ?? 5;
    // A cached fold is only a guess at the stream's end (another process may have appended):
    // deciding on it saves the read of the tail, and it is safe because the append at its
    // revision succeeds only if nothing moved, while any refusal is re-checked on what is stored.
    let guess = this.cache.get(applicationId);
    // A refusal after this call lost an append to a command of this process that ran meanwhile is
    // that command's doing (409), not the caller's lack of rights (403). A stale cache (another
    // process wrote some time ago) is not such a race: the caller meets the state as it is.
    let raced = false;
    const appendsBefore = this.localAppends.peek(applicationId) ?? 0;
    for (let conflicts = 0; ; ) {
      const current = guess ?? (await this.current(applicationId));
      const guessed = guess !== undefined;
      guess = undefined;
      const { folded } = current;
      let toAppend: EventToAppend[];
      let after: FoldedApplication;
      try {
        if (current.commands.has(meta.commandId)) return await this.replayCommand(await this.readEvents(applicationId), meta, request);
        // First: whoever may not read it learns nothing from a command (state, actions, revision).
        this.assertReadable(folded, meta.actor);
        const { definition } = folded;
        if (!definition.commands.includes(action) || (!options.internal && !definition.actions.includes(action))) {
          throw new UnknownActionError(action, definition.actions);
        }
        if (options.expectedRevision !== undefined && options.expectedRevision !== folded.revision) {
          throw new RevisionMismatchError(options.expectedRevision, folded.revision);
        }
        this.assertOffered(folded, action, meta.actor);
        const authorization = definition.authorize(action, folded, meta.actor);
        if (!authorization.allowed) throw new ForbiddenError(authorization.reason);
        const decided = definition.decide(action, folded, payload, meta);
        const requirements = definition.commandRequires?.(action, folded) ?? [];
        ({ events: toAppend, after } = stampDecided(folded, decided, meta, await fingerprint()));
        if (requirements.length > 0) await assertStreamRequirements(this.store, requirements, { applicationId, streamId: applicationStream(applicationId), revision: folded.revision + 1, events: toAppend });
      } catch (error) {
        if (guessed && this.cache.forget(applicationId, true)) continue;
        if (raced && error instanceof ForbiddenError && (this.localAppends.peek(applicationId) ?? 0) > appendsBefore) {
          throw new ChangedMeanwhileError(applicationId, folded.state, folded.revision);
        }
        throw error;
      }
      const { definition } = folded;
      const triggers = toAppend.filter((e) => definition.reactions?.some((r) => r.on.includes(e.type))).map((e) => e.id);
      // Announced before the append: the reactor may see the stored event before this call resumes.
      const inline = triggers.length > 0 ? this.inline.announce(triggers) : undefined;
      let failures: ReactionFailure[] | undefined;
      const gate = inline ? new TriggerGate() : undefined;
      let early: Promise<ReactionFailure[]> | undefined;
      try {
        const appending = this.store.append(applicationStream(applicationId), toAppend, folded.revision);
        // The reactions start while their trigger is committed (an fsync the main thread would
        // otherwise only wait for): they read and compute now, and what they write or run waits
        // for the gate, which opens once the events are stored exactly as given.
        if (gate) early = this.reactEarly(definition, applicationId, after, toAppend, gate);
        let result: AppendResult;
        try {
          result = await appending;
        } catch (error) {
          gate?.refuse(error);
          await early?.catch(() => undefined);
          if (!(error instanceof WrongExpectedRevisionError)) throw this.cache.forget(applicationId, error);
          raced = true;
          if (guessed) continue;
          if (options.expectedRevision !== undefined) throw new RevisionMismatchError(options.expectedRevision, error.actual ?? -1);
          if (conflicts++ >= maxRetries) throw new ConcurrencyConflictError(applicationId);
          continue;
        }
        const written = this.cacheWritten(applicationId, current, after, meta, result);
        // The store says it wrote these very events (SQLite), or it cannot tell (EventStoreDB) and
        // what it holds is read back and compared. Stored before with other bytes: the same
        // command id ran meanwhile (one Idempotency-Key sent twice at once). Its own run reacts;
        // this one answers as a replay, or refuses another request under the key (it reported the
        // other request's result as its own).
        const storedEvents = written ? undefined : await this.readEvents(applicationId, folded.revision + 1);
        if (storedEvents && !sameEvents(storedEvents, toAppend)) {
          gate?.refuse();
          await early?.catch(() => undefined);
          early = undefined;
          return await this.replayCommand(await this.readEvents(applicationId), meta, request);
        }
        this.localAppends.set(applicationId, (this.localAppends.peek(applicationId) ?? 0) + 1);
        gate?.open();
        // What was read back is the stream's end as the fold needs it: no second read.
        const stored = written ?? this.extend(applicationId, current, storedEvents!);
        if (!inline) return await this.view(stored.folded, meta.actor);
        failures = await (early ?? this.react(definition, storedEvents ?? (await this.readEvents(applicationId, folded.revision + 1))));
      } finally {
        // Whatever happened, the early run writes nothing more, and the reactor must not wait
        // forever; undefined sends it to do the work.
        gate?.refuse();
        if (failures === undefined) await early?.catch(() => undefined);
        inline?.settle(failures);
      }
      return await this.view((await this.current(applicationId)).folded, meta.actor);
    }
  }

  /**
   * The reactor's entry: runs the reactions of a stored event, unless the command that appended it
   * is running them in this process right now — then it waits for that run and repeats only what
   * failed there (its second chance), instead of racing it with the same work.
   */
  async reactOnce(definition: WorkflowDefinition, event: RecordedEvent, retry: ReactionRetry = { attempts: 1, backoffMs: 0 }): Promise<ReactionFailure[]> {
    const inline = this.inline.of(event.id);
    if (inline) {
      const failures = await inline;
      if (failures && !failures.some((f) => f.event.id === event.id)) return [];
    }
    // Reactions are idempotent, so a failure (e.g. the registrar's "too much contention" when many
    // approvals of one body race) is tried again after a pause. An unavailable store is returned
    // at once: the reactor keeps its checkpoint and reads again once the store is back.
    for (let attempt = 1; ; attempt++) {
      const failures = await this.react(definition, [event]);
      if (failures.length === 0 || attempt >= retry.attempts || failures.some((f) => f.error instanceof EventStoreUnavailableError)) return failures;
      await delay(retry.backoffMs * 2 ** (attempt - 1));
    }
  }

  /** Whether a command of this process is running reactions right now (see inlineReactionsSettled). */
  get reactingInline(): boolean {
    return this.inline.active;
  }

  /**
   * Resolves once the reactions that commands of this process are running inline right now have
   * finished (at once when there are none). A consumer woken by an approval can wait for it, so
   * the version event its reaction appends comes in the same page instead of a second round trip.
   */
  inlineReactionsSettled(): Promise<void> {
    return this.inline.settled();
  }

  /**
   * Caches the fold the command computed while stamping, when the store says it wrote exactly
   * those events right after the fold's revision. Otherwise (an idempotent repeat whose stored
   * events may differ, or an adapter that cannot tell) answers undefined: read what is stored.
   */
  private cacheWritten(applicationId: string, before: CachedFold | FoldedApplication, after: FoldedApplication, meta: CommandMetadata, result: AppendResult): CachedFold | undefined {
    if (result.replayed !== false || result.nextExpectedRevision !== after.revision) return undefined;
    const commands = 'commands' in before ? before.commands : new Map<string, number>();
    commands.set(meta.commandId, after.revision);
    const entry = { folded: after, commands };
    this.cache.set(applicationId, entry);
    return entry;
  }

  /**
   * Runs the workflow's reactions for these events; a failure is reported (and returned, so the
   * reactor can keep its checkpoint before an event whose reaction must be retried).
   */
  async react(definition: WorkflowDefinition, events: readonly RecordedEvent[], context: ReactionContext = this.reactionContext()): Promise<ReactionFailure[]> {
    const failures: ReactionFailure[] = [];
    for (const event of events) {
      for (const reaction of definition.reactions ?? []) {
        if (!reaction.on.includes(event.type)) continue;
        try {
          await reaction.handle(event, context);
        } catch (error) {
          // An early run whose trigger was not stored as given: nothing happened, nothing to report.
          if (error instanceof TriggerNotStoredError) return [];
          this.options.onReactionError?.(error, event);
          failures.push({ event, error });
        }
      }
    }
    return failures;
  }

  private reactionContext(): ReactionContext {
    return {
      store: this.store,
      execute: (id, action, payload, meta) => this.execute(id, action, payload, meta, { internal: true }),
      load: async (id, toRevision) => {
        const current = await this.current(id);
        if (toRevision === undefined || current.folded.revision === toRevision) return current.folded;
        return (await this.load(id, { toRevision })).folded;
      },
      now: this.options.clock ?? (() => new Date().toISOString()),
    };
  }

  /**
   * A command's own reactions, started while its events are being appended (see early-reactions.ts):
   * not before the append has left this thread, since stores hand appends to their writer in a
   * setImmediate (the SQLite group commit) or a request, and a reaction computing first would hold
   * the commit back by as long as it computes (traced: 0.9 ms).
   */
  private reactEarly(definition: WorkflowDefinition, applicationId: string, after: FoldedApplication, appended: readonly EventToAppend[], gate: TriggerGate): Promise<ReactionFailure[]> {
    const streamId = applicationStream(applicationId);
    const events = provisionalEvents(streamId, after.revision, appended);
    return nextTurn().then(() => this.react(definition, events, gatedReactionContext(this.reactionContext(), gate, streamId, after)));
  }

  /** The application now, folded from its events (reusing a cached fold of a prefix of them). */
  async current(applicationId: string): Promise<CachedFold> {
    const cached = this.cache.get(applicationId);
    const fresh = await this.readEvents(applicationId, cached ? cached.folded.revision + 1 : 0);
    if (!cached && fresh.length === 0) throw new ApplicationNotFoundError(applicationId);
    return this.extend(applicationId, cached, fresh);
  }

  /** `base` (the fold up to the event before `fresh`) with the events read after it, cached. */
  private extend(applicationId: string, base: CachedFold | undefined, fresh: readonly RecordedEvent[]): CachedFold {
    if (fresh.length === 0) return base!;
    let folded = base?.folded ?? foldApplication(this.definitionOf(fresh[0]!), applicationId, []);
    const commands = base?.commands ?? new Map<string, number>();
    for (const event of fresh) {
      folded = evolve(folded, toMachineEvent(event));
      commands.set(String(event.metadata['commandId']), event.revision);
    }
    const entry = { folded, commands };
    this.cache.set(applicationId, entry);
    return entry;
  }

  async load(applicationId: string, options: LoadOptions = {}): Promise<LoadedApplication> {
    const events = historyPrefix(await this.readEvents(applicationId), options);
    // fold() refuses an empty history (not found).
    return { folded: this.fold(applicationId, events), events };
  }

  /** Folds events already read (the first one names the machine version), e.g. as decrypted by a caller that read them as stored. */
  fold(applicationId: string, events: readonly RecordedEvent[]): FoldedApplication {
    if (events.length === 0) throw new ApplicationNotFoundError(applicationId);
    return foldApplication(this.definitionOf(events[0]!), applicationId, events);
  }

  /**
   * The application as this caller sees it, with the actions this caller may take now. An action
   * the state and the caller's role offer, but that the store would refuse today (a 登録 whose
   * body registered master data through another application meanwhile), is not among them: it is
   * listed in `refusedActions` with the refusal the command would get. A view of the past
   * (`moment`) checks the store as it was then, so it gives back what the API answered then.
   */
  async view(folded: FoldedApplication, actor: Actor, moment?: RequirementMoment): Promise<ApplicationView> {
    const offered = this.allowedActions(folded, actor);
    const refusedActions = await refusedByStore(this.store, folded, offered, moment);
    return {
      id: folded.id,
      workflow: folded.definition.name,
      machineVersion: folded.definition.machineVersion,
      state: folded.state,
      revision: folded.revision,
      ...folded.definition.view(folded),
      allowedActions: offered.filter((action) => !refusedActions.some((refused) => refused.action === action)),
      refusedActions,
    };
  }

  /** What the state offers this caller and its role allows, before the store's requirements (see view). */
  allowedActions(folded: FoldedApplication, actor: Actor): string[] {
    return folded.definition.actions.filter((action) => this.isOffered(folded, action, actor) && folded.definition.authorize(action, folded, actor).allowed);
  }

  assertReadable(folded: FoldedApplication, actor: Actor): void {
    if (!folded.definition.canRead(folded, actor)) {
      throw new ForbiddenError({
        ja: `申請 ${folded.id} を閲覧する権限がありません（${actor.org} / ${actor.role}）。`,
        en: `${actor.role} of ${actor.org} may not read application ${folded.id}`,
      });
    }
  }

  private isOffered(folded: FoldedApplication, action: string, actor: Actor): boolean {
    const type = folded.definition.eventFor(action, folded);
    if (!type) return false;
    const probe = { type, data: {}, meta: { actor: { ...actor } } as unknown as EventMetadata };
    return folded.snapshot.can(probe);
  }

  private assertOffered(folded: FoldedApplication, action: string, actor: Actor): void {
    if (this.isOffered(folded, action, actor)) return;
    // What this caller may do now, as its view says: not what the state offers someone else.
    throw new ActionNotAllowedInStateError(action, folded.state, this.allowedActions(folded, actor));
  }

  /** The machine version an application started with, as stamped on its first event. */
  private definitionOf(first: RecordedEvent): WorkflowDefinition {
    return this.registry.get(String(first.metadata['workflow']), String(first.metadata['machineVersion']));
  }

  private async readEvents(applicationId: string, fromRevision = 0): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of this.store.readStream(applicationStream(applicationId), { fromRevision })) events.push(event);
    return events;
  }

  /**
   * A command seen before (same command id): refuse a different request under the same key,
   * otherwise answer with the state right after that command and what it caused.
   */
  private async replayCommand(stored: readonly RecordedEvent[], meta: CommandMetadata, request: CommandRequest): Promise<ApplicationView> {
    let events = stored;
    const own = events.filter((e) => e.metadata['commandId'] === meta.commandId);
    await assertSameRequest(this.fingerprints, own, meta, request);
    // The first answer includes what the command's reactions record (e.g. master-data registration
    // after a second approval). A retry that arrives before they are recorded — the first request
    // still reacting, or a crash cut it off — runs them (they are idempotent) and answers the same.
    const definition = this.definitionOf(events[0]!);
    const triggers = own.filter((e) => definition.reactions?.some((r) => r.on.includes(e.type)));
    if (triggers.length > 0 && !events.some((e) => triggers.some((t) => t.id === e.metadata['causationId']))) {
      await this.react(definition, triggers);
      events = await this.readEvents(events[0]!.streamId.slice(APPLICATION_STREAM_PREFIX.length));
    }
    const last = lastCausedRevision(own, events);
    const applicationId = events[0]!.streamId.slice(APPLICATION_STREAM_PREFIX.length);
    return await this.view(this.fold(applicationId, events.filter((e) => e.revision <= last)), meta.actor);
  }
}
