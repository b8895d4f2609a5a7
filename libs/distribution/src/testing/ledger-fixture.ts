import { randomUUID } from 'node:crypto';
import type { JsonObject } from '@nws/event-store';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { masterDataStream } from '@nws/workflows/connection-application/master-data/master-data.content';
import { defaultOrganFor } from '@nws/workflows/shared/organizations';
import { parseConsumers } from '../distribution.config';
import { DistributionLedger } from '../distribution-ledger';
import { SqliteDistributionStore } from '../distribution-store.sqlite';

/** An in-memory event store and ledger with a hand-driven clock, for the ledger's unit tests. */
export class LedgerFixture {
  readonly events = new SqliteEventStore({ filename: ':memory:' });
  readonly store = new SqliteDistributionStore(':memory:');
  now = Date.parse('2025-04-01T00:00:00Z');
  owed = 0;
  readonly ledger: DistributionLedger;
  private versions = new Map<string, number>();

  constructor(consumers: unknown = [{ name: 'a', eventTypes: ['MasterDataVersionRegistered'] }], defaults = { ackTimeoutMs: 1000, maxDeliveries: 3 }) {
    this.ledger = new DistributionLedger(this.events, this.store, parseConsumers(consumers, defaults), {
      clock: () => this.now,
      onConfirmationOwed: () => (this.owed += 1),
    });
  }

  /** Appends a master-data version of a body, an organ of `code` (and, before it, an unrelated event, so positions have holes per consumer). */
  async version(code = '132012', extra: JsonObject = {}, kind: string = defaultOrganFor(code)): Promise<{ id: string; position: number; applicationId: string }> {
    const applicationId = randomUUID();
    await this.events.append(`application-${applicationId}`, [{ id: randomUUID(), type: 'FormSaved', data: { formCode: '02-02' }, metadata: {} }], 'any');
    const stream = masterDataStream(code, kind);
    const version = (this.versions.get(stream) ?? 0) + 1;
    this.versions.set(stream, version);
    const id = randomUUID();
    const result = await this.events.append(
      stream,
      [
        {
          id,
          type: 'MasterDataVersionRegistered',
          data: {
            organizationCode: code,
            organizationKind: kind,
            version,
            applicationId,
            applicationNumber: `N-${version}`,
            category: '登録',
            sourceEventId: randomUUID(),
            contentHash: `sha256:${version}`,
            content: { organization: { code, kind }, ...extra },
          },
          metadata: { occurredAt: new Date(this.now).toISOString(), correlationId: 'c' },
        },
      ],
      'any',
    );
    return { id, position: result.position, applicationId };
  }

  async approval(applicationId = randomUUID()): Promise<{ id: string; position: number }> {
    const id = randomUUID();
    const result = await this.events.append(
      `application-${applicationId}`,
      [
        {
          id,
          type: 'SecondReviewApproved',
          data: { round: 1, comment: '連絡先 090-1111-2222 に確認済み', reviewer: { sub: 'mic-1', org: 'MIC', orgName: '総務省', department: '住民制度課', name: '総務 花子' } },
          metadata: { occurredAt: new Date(this.now).toISOString(), actor: { sub: 'mic-1', name: '総務 花子' } },
        },
      ],
      'any',
    );
    return { id, position: result.position };
  }

  advance(ms: number): void {
    this.now += ms;
  }

  async close(): Promise<void> {
    this.store.close();
    await this.events.close();
  }
}
