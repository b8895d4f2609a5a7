import type { Actor, LoadedApplication, WorkflowEngine } from '@nws/engine';

/** `?asOfRevision=` and `?asOf=`, as the view and the path take them. */
export interface TimeTravelQuery {
  readonly asOfRevision?: number | undefined;
  readonly asOf?: string | undefined;
}

/**
 * An application's events up to a revision or a time (all of them without either), folded, for a
 * caller who may read it. The past is answered as it was answered then (a draft not yet routed:
 * 403), and only to who may read the application now: a draft's past is no way round a board's
 * resubmission that waits for its head department's forwarding.
 */
export async function loadReadable(engine: WorkflowEngine, id: string, query: TimeTravelQuery, actor: Actor): Promise<LoadedApplication> {
  const past = query.asOfRevision !== undefined || query.asOf !== undefined;
  if (past) engine.assertReadable((await engine.current(id)).folded, actor);
  const loaded = await engine.load(id, {
    ...(query.asOfRevision !== undefined ? { toRevision: query.asOfRevision } : {}),
    ...(query.asOf !== undefined ? { asOf: query.asOf } : {}),
  });
  engine.assertReadable(loaded.folded, actor);
  return loaded;
}
