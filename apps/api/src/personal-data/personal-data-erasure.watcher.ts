import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { resubscribing } from '@nws/event-store';
import { PERSONAL_DATA_EVENTS, finishErasure, type EncryptingEventStore } from '@nws/personal-data';
import { PersonalDataService } from './personal-data.service';
import { PERSONAL_DATA_STORE } from './personal-data.tokens';

/**
 * Erasures done elsewhere — another API replica, the worker, `nws erase-expired`, or this process
 * before a crash — reach this process as PersonalDataErased events. Each is finished here (the
 * key destroyed, should the erasing process have died before it) and followed by this process's
 * aftercare. Starts after the last erasure its read models already handled.
 */
@Injectable()
export class PersonalDataErasureWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PersonalData');
  private subscription: Subscription | undefined;
  private stopped = false;

  constructor(
    @Inject(PERSONAL_DATA_STORE) private readonly store: EncryptingEventStore,
    private readonly service: PersonalDataService,
  ) {}

  onApplicationBootstrap(): void {
    // Subscribed again after an outage, from the last erasure handled: one missed would leave a
    // person readable through this process's folds and read models.
    const erasures = resubscribing(() => this.store.stored.subscribeToAll({ after: this.service.handledPosition(), filter: { eventTypes: [PERSONAL_DATA_EVENTS.erased] } }), {
      retryMs: 1000,
      onError: (error, attempt) => {
        if (attempt === 1) this.logger.error(`erasure watcher interrupted, subscribing again every second: ${String(error)}`);
      },
    });
    this.subscription = erasures.subscribe({
      next: (event) => {
        const subjectId = event.data['subjectId'];
        const at = typeof event.data['at'] === 'string' ? event.data['at'] : event.recordedAt;
        void this.finish(event.position, () => (typeof subjectId === 'string' ? finishErasure(this.store, this.store.keys, { eventId: event.id, subjectId, at }) : Promise.resolve()));
      },
      error: (error: unknown) => this.logger.error(`erasure watcher stopped: ${String(error)}`),
    });
  }

  /**
   * The key destroyed and the notice published (finishErasure), then this process's aftercare; tried
   * again with backoff when the key store or the event store is busy or away: an erasure finished
   * nowhere would leave the person in what was distributed.
   */
  private async finish(position: number, finishing: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await finishing();
        await this.service.afterErasure(position);
        return;
      } catch (error) {
        if (this.stopped || attempt >= 8) {
          this.logger.error(`aftercare of the erasure at ${position} failed${this.stopped ? '' : ` ${attempt} times`}: ${String(error)}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** attempt)).unref());
      }
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
  }
}
