import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { join } from 'node:path';
import { Sealer, SealerHaltedError, WitnessRestartedError, WITNESS_FILE, WitnessFile } from '@nws/audit';
import { storageProblemOf, type EventStore } from '@nws/event-store';
import type { RuntimeConfig } from '@nws/runtime';
import { EVENT_STORE, RUNTIME_CONFIG } from '../infrastructure/tokens';

/** How long a stop reads on for its last seal: with the drain's 5 s (DRAIN_LIMIT_MS), within `docker stop`'s 10 s. */
const SHUTDOWN_SEAL_WITHIN_MS = 3_000;

/**
 * Runs the store-wide sealer inside the API process: seals follow commits within ~100 ms, and a
 * last seal is written at shutdown — before ProjectionsHost closes the store, hence
 * `beforeApplicationShutdown`. The witness file lives in DATA_DIR, outside the event database.
 */
@Injectable()
export class SealerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Sealer');
  readonly sealer: Sealer;
  /** A full or read-only disk (or a lock held elsewhere) fails every retry the same way: say it once, and again when sealing resumes. */
  private storageTrouble = false;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    this.sealer = new Sealer(store, {
      witness: new WitnessFile(join(config.dataDir, WITNESS_FILE)),
      onSeal: () => {
        if (this.storageTrouble) this.logger.warn('sealing resumed');
        this.storageTrouble = false;
      },
      onError: (error) => {
        if (error instanceof SealerHaltedError) return this.logger.error(`SEALING STOPPED — run \`npm run -s cli -- verify\`: ${error.message}`);
        if (error instanceof WitnessRestartedError) return this.logger.error(`WITNESS STARTED AGAIN: ${error.message}`);
        const problem = storageProblemOf(error);
        if (problem) {
          const until = problem === 'busy' ? 'the lock another process holds is released' : 'the disk takes writes again';
          if (!this.storageTrouble) this.logger.warn(`sealing paused until ${until}, retrying: ${String(error)}`);
          this.storageTrouble = true;
          return;
        }
        this.logger.warn(`sealing failed, retrying: ${String(error)}`);
      },
    });
  }

  /** What /health and /metrics say of sealing: halted (an operator must act), paused (the disk refuses), or running. */
  report(): { state: 'running' | 'paused' | 'halted' | 'stopped'; reason: string | null; lastSeal: { sequence: number; toPosition: number; sealedAt: string } | null; unsealedEvents: number } {
    const status = this.sealer.status;
    const state = status.state === 'running' && this.storageTrouble ? 'paused' : status.state;
    const last = status.lastSeal;
    return { state, reason: status.reason ?? null, lastSeal: last ? { sequence: last.sequence, toPosition: last.toPosition, sealedAt: last.sealedAt } : null, unsealedEvents: status.unsealedEvents };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sealer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Far behind (a store never sealed), sealing everything would outlast a container's stop
    // grace period; what is left is sealed on from the last seal at the next start.
    await this.sealer.stop({ flush: true, flushWithinMs: SHUTDOWN_SEAL_WITHIN_MS });
  }
}
