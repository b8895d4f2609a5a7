import type { Driver } from '../../../apps/api/src/testing/drive';
import { CommandLedger } from './command-ledger';
import type { FigureSheet } from './figures';
import { eventually } from './live-check';
import { LoadClient, emptyStats, type Examples, type LoadAnswer } from './load-client';
import type { SeededRandom } from './seeded-random';

/** What the disk-trouble load shares with its scenario: the seed, the figures, the count of unexpected 5xx. */
export interface DiskLoadContext {
  readonly seed: number;
  readonly random: SeededRandom;
  readonly sheet: FigureSheet;
  readonly clients: number;
  /** A 5xx nobody designed (anything but the disk's 503): counted at once, even if a check fails first. */
  readonly onServerError: () => void;
}

/** Load clients, a ledger of what they were told, and every answer with its time. */
export class DiskLoad {
  readonly ledger = new CommandLedger();
  readonly stats = emptyStats();
  readonly answers: LoadAnswer[] = [];
  private readonly clients: LoadClient[];
  private runs: Array<Promise<void>> = [];
  private stopping = false;

  constructor(
    name: string,
    driver: Driver,
    examples: Examples,
    private readonly context: DiskLoadContext,
  ) {
    const { seed, random, clients, onServerError } = context;
    this.clients = Array.from(
      { length: clients },
      (_, i) =>
        new LoadClient(`${name}-${seed}-c${i}`, driver, this.ledger, random.fork(), examples, this.stats, {
          storageTrouble: { retryMs: 25 },
          onAnswer: (answer) => {
            this.answers.push(answer);
            // A 5xx nobody designed (anything but the disk's 503) counts at once, even if a check fails first.
            if (answer.status >= 500 && !(answer.status === 503 && answer.code === 'STORAGE_UNAVAILABLE')) onServerError();
          },
        }),
    );
  }

  start(): void {
    this.stopping = false;
    this.runs = this.clients.map((client) => client.run(() => this.stopping));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.runs);
    this.runs = [];
  }

  /** Every client sends what is pending (refused by the disk, or cut off) until it is answered otherwise. */
  async drain(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.run(() => !client.hasPending)));
  }

  applicationIds(): string[] {
    return [...new Set(this.ledger.all().flatMap((e) => (e.applicationId && e.outcome === 'acked' ? [e.applicationId] : [])))];
  }

  /** The answers to writes sent after `from` (the first refusal's answer) and answered before `to`, by kind. */
  judge(from: number, to: number): { refused: number; expectedRefusals: number; accepted: string[]; other: string[] } {
    const within = this.answers.filter((a) => a.sentAt >= from && a.answeredAt <= to);
    const refused = within.filter((a) => a.status === 503 && a.code === 'STORAGE_UNAVAILABLE').length;
    // A stale If-Match is refused before anything is written.
    const expectedRefusals = within.filter((a) => a.status === 412).length;
    const accepted = within.filter((a) => a.status < 300).map((a) => `${a.action} ${a.key}: ${a.status}`);
    const other = within.filter((a) => a.status >= 300 && a.status !== 412 && !(a.status === 503 && a.code === 'STORAGE_UNAVAILABLE')).map((a) => `${a.action} ${a.key}: ${a.status} ${a.code}`);
    return { refused, expectedRefusals, accepted, other };
  }

  /**
   * Waits for a write sent after `since` to be refused by the disk; returns when that refusal was
   * answered (any other 5xx fails at once). Writes accepted between `since` and then went into
   * room SQLite had already allocated (a write-ahead log reused from its start after a
   * checkpoint): stored durably, which the ledger checks like every acknowledged write.
   */
  async firstRefusalAfter(since: number): Promise<number> {
    const found = await eventually(
      async () => this.answers.find((a) => a.sentAt >= since && a.status >= 500),
      (a) => a !== undefined,
      60_000,
      10,
    );
    expect({ firstServerError: found }).toEqual({ firstServerError: expect.objectContaining({ status: 503, code: 'STORAGE_UNAVAILABLE' }) });
    this.context.sheet.count('writes accepted after the disk failed, before its first refusal (into room already allocated; stored once, checked)', this.answers.filter((a) => a.sentAt >= since && a.answeredAt <= found!.answeredAt && a.status < 300).length);
    return found!.answeredAt;
  }

  /** Waits for a write sent after `since` to be accepted; returns when it was answered. */
  async firstAcceptedAfter(since: number): Promise<number> {
    const found = await eventually(
      async () => this.answers.find((a) => a.sentAt >= since && a.status < 300),
      (a) => a !== undefined,
      60_000,
      10,
    );
    return found!.answeredAt;
  }
}
