import type { Logger } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { guardedWrite, type EventStore } from '@nws/event-store';
import { reactionCatchUps, runReactionCatchUp, type WorkflowEngine } from '@nws/engine';

const RETRY_MS = 5000;

/**
 * Reactions that name a catch-up (WorkflowReaction.catchUp) run once more over the triggers the
 * reactor had passed when this process first started with the name (the reactor's checkpoint then,
 * kept as the catch-up's target): the reactor does not run them again, and what the changed
 * reaction does for them was never done. Its progress is kept beside the reactor's checkpoint, so a
 * stop resumes it and it runs once; in the background, beside the reactor (reactions are idempotent).
 */
export async function runReactionCatchUps(deps: {
  readonly engine: WorkflowEngine;
  readonly store: EventStore;
  readonly db: Database.Database;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly reactorPosition: number;
  readonly stopping: () => boolean;
}): Promise<void> {
  const { db } = deps;
  const read = db.prepare('SELECT position FROM reactor_checkpoints WHERE name = ?');
  const save = db.prepare('INSERT INTO reactor_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
  const position = (name: string) => (read.get(name) as { position: number } | undefined)?.position;
  const write = (name: string, at: number) => guardedWrite(db, 'reactor checkpoint', deps.dataDir, () => save.run(name, at));
  for (const catchUp of reactionCatchUps(deps.engine)) {
    const target = position(`${catchUp.key}:target`) ?? (write(`${catchUp.key}:target`, deps.reactorPosition), deps.reactorPosition);
    for (let attempt = 1; !deps.stopping(); attempt++) {
      const after = position(catchUp.key) ?? 0;
      if (after >= target) break;
      try {
        const { triggers } = await runReactionCatchUp(deps.engine, deps.store, catchUp, { after, upTo: target }, (at) => write(catchUp.key, at));
        write(catchUp.key, target);
        if (triggers > 0) deps.logger.warn(`reaction ${catchUp.reaction} (${catchUp.workflow}) ran again over ${triggers} ${catchUp.eventTypes.join('/')} stored before this release (catch-up ${catchUp.tag})`);
        break;
      } catch (error) {
        if (deps.stopping()) return;
        if (attempt === 1) deps.logger.error(`catch-up ${catchUp.tag} of reaction ${catchUp.reaction} interrupted, trying again every ${RETRY_MS} ms from where it got to: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }
}
