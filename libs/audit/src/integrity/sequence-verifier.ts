import type { RecordedEvent } from '@nws/event-store';
import type { ProblemLog } from './integrity-report';
import { ROLLING_GENESIS, isSealEvent, rollEvent, sealLinkProblem, type SealRecord } from './seal';
import { StreamChainTracker } from './stream-chain-tracker';

/** A lazily read, ordered log of seals (the seal stream, the witness file, an export's seal lines). */
export class SealCursor {
  private readonly iterator: AsyncIterator<SealRecord>;
  private peeked: IteratorResult<SealRecord> | undefined;
  previous: SealRecord | undefined;
  checked = 0;
  /** Non-seal events counted when the previous seal of this log was checked. */
  countAtPrevious = 0;

  constructor(
    readonly source: string,
    seals: AsyncIterable<SealRecord>,
  ) {
    this.iterator = seals[Symbol.asyncIterator]();
  }

  async peek(): Promise<SealRecord | undefined> {
    this.peeked ??= await this.iterator.next();
    return this.peeked.done ? undefined : this.peeked.value;
  }

  async take(): Promise<SealRecord | undefined> {
    const seal = await this.peek();
    this.peeked = undefined;
    return seal;
  }
}

export interface SequenceVerifierOptions {
  /** Positions are handed out without gaps (SQLite AUTOINCREMENT): a missing one is a deletion. */
  readonly contiguousPositions: boolean;
  /** The first event must be position 1 (a whole store or a whole-store export). */
  readonly fromBeginning: boolean;
  /** Check the store-wide rolling hash (only meaningful when every event is present). */
  readonly rolling: boolean;
}

/**
 * One pass over events in global order, checking everything that can be checked in constant
 * memory: each stream's chain, gaps and order of positions, and the rolling hash at every seal of
 * every seal log given (checked when the pass moves past the seal's last position).
 */
export class SequenceVerifier {
  readonly chains = new StreamChainTracker();
  /** The rolling hash of every event seen: what an export's trailer is compared with. */
  private rolling = ROLLING_GENESIS;
  /**
   * What seals are compared with: the same until a seal does not match, then rolled on from that
   * seal's hash, so each damaged range is reported once. Kept apart: a reset shared by every seal
   * log blamed the witness's copy of an intact seal, and the trailer of an honest export.
   */
  private sealBase = ROLLING_GENESIS;
  private lastPosition = 0;
  private nonSealCount = 0;
  private checkedEvents = 0;
  private newestSeal: SealRecord | undefined;
  private countAtNewestSeal = 0;

  constructor(
    private readonly log: ProblemLog,
    private readonly options: SequenceVerifierOptions,
    private readonly sealLogs: readonly SealCursor[] = [],
  ) {}

  get events(): number {
    return this.checkedEvents;
  }

  get position(): number {
    return this.lastPosition;
  }

  get rollingHash(): string {
    return this.rolling;
  }

  get sealsChecked(): number {
    return this.sealLogs.reduce((n, c) => n + c.checked, 0);
  }

  get lastSeal(): SealRecord | undefined {
    return this.newestSeal;
  }

  get unsealedEvents(): number {
    return this.nonSealCount - this.countAtNewestSeal;
  }

  async accept(event: RecordedEvent, line?: number): Promise<void> {
    const at = line === undefined ? {} : { line };
    if (this.options.rolling) await this.checkSealsBefore(event.position);
    if (event.position <= this.lastPosition) {
      this.log.add({ ...at, kind: 'out-of-order', position: event.position, message: `position ${event.position} does not come after ${this.lastPosition}`, expected: `> ${this.lastPosition}`, found: String(event.position) });
    } else if (this.options.contiguousPositions && (this.lastPosition > 0 || this.options.fromBeginning) && event.position !== this.lastPosition + 1) {
      const first = this.lastPosition + 1;
      const last = event.position - 1;
      this.log.add({
        ...at,
        kind: 'missing-positions',
        position: first,
        message: `position${first === last ? ` ${first} is` : `s ${first}..${last} are`} missing: positions are never reused, so ${last - first + 1} event(s) were removed`,
        expected: `position ${first}`,
        found: `position ${event.position}`,
      });
    }
    const broken = this.chains.check(event);
    if (broken) this.log.add({ ...at, ...broken });
    if (!isSealEvent(event)) {
      const diverged = this.sealBase !== this.rolling;
      this.rolling = rollEvent(this.rolling, event);
      this.sealBase = diverged ? rollEvent(this.sealBase, event) : this.rolling;
      this.nonSealCount += 1;
    }
    this.lastPosition = Math.max(this.lastPosition, event.position);
    this.checkedEvents += 1;
  }

  /** After the last event: seals not reached yet either verify now or point beyond the end. */
  async finish(endLabel: string): Promise<void> {
    if (!this.options.rolling) return;
    await this.checkSealsBefore(Number.POSITIVE_INFINITY, endLabel);
  }

  /**
   * Every seal the pass has moved past, of every log, is checked against the events as they stand
   * now (one base for all: the seals due at once end at or after the last event seen); then, if one
   * did not match, the newest of them is trusted from here on.
   */
  private async checkSealsBefore(position: number, endLabel?: string): Promise<void> {
    const base = this.sealBase;
    let trusted: SealRecord | undefined;
    for (const cursor of this.sealLogs) {
      for (let seal = await cursor.peek(); seal && seal.toPosition < position; seal = await cursor.peek()) {
        await cursor.take();
        if (seal.toPosition > this.lastPosition && endLabel !== undefined) {
          this.log.add({
            kind: 'seal-beyond-head',
            sealSequence: seal.sequence,
            position: seal.toPosition,
            message: `${cursor.source} seal ${seal.sequence} covers positions up to ${seal.toPosition}, but ${endLabel} ends at ${this.lastPosition}: the newest events were removed`,
            expected: `position ${seal.toPosition}`,
            found: `position ${this.lastPosition}`,
          });
          cursor.previous = seal;
          continue;
        }
        this.checkSeal(cursor, seal, base);
        if (!trusted || seal.toPosition > trusted.toPosition) trusted = seal;
      }
    }
    if (trusted && trusted.rollingHash !== base) this.sealBase = trusted.rollingHash;
  }

  private checkSeal(cursor: SealCursor, seal: SealRecord, base: string): void {
    const link = sealLinkProblem(seal, cursor.previous);
    if (link) {
      this.log.add({ kind: 'seal-broken', sealSequence: seal.sequence, message: `${cursor.source} seal ${seal.sequence}: wrong ${link.what}`, expected: link.expected, found: link.found });
    }
    const counted = this.nonSealCount - cursor.countAtPrevious;
    const consecutive = cursor.previous !== undefined && seal.sequence === cursor.previous.sequence + 1;
    if (seal.rollingHash !== base) {
      const count = consecutive && counted !== seal.count ? ` (${seal.count} events sealed, ${counted} found)` : '';
      this.log.add({
        kind: 'seal-mismatch',
        sealSequence: seal.sequence,
        position: seal.toPosition,
        message: `the events up to position ${seal.toPosition} do not hash to ${cursor.source} seal ${seal.sequence}${count}: an event at positions ${seal.fromPosition}..${seal.toPosition} (or before) was changed, removed, renumbered or re-dated`,
        expected: base,
        found: seal.rollingHash,
      });
    } else if (!this.newestSeal || seal.sequence >= this.newestSeal.sequence) {
      this.newestSeal = seal;
      this.countAtNewestSeal = this.nonSealCount;
    }
    cursor.previous = seal;
    cursor.countAtPrevious = this.nonSealCount;
    cursor.checked += 1;
  }
}
