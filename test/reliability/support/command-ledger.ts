import { APPLICATION_STREAM_PREFIX } from '@nws/engine';
import type { StoredEventRow } from './data-dir';

/**
 * What clients sent and what they were told, one entry per command (per Idempotency-Key):
 * - `acked`: a 2xx reached the client — the command must be in the store exactly once;
 * - `refused`: a 4xx — it must not be in the store at all;
 * - `unknown`: the connection broke before an answer (the process was killed) — it may be in the
 *   store or not, but never twice and never in part.
 * Retrying an unknown command with the same key turns it into acked or refused.
 */
export type Outcome = 'acked' | 'refused' | 'unknown';

export interface LedgerEntry {
  readonly key: string;
  readonly commandId: string;
  readonly action: string;
  /** Known from the start, except for `create` (known once its answer arrives). */
  applicationId: string | null;
  /** Issue order within its application (0 = create). */
  seq: number;
  outcome: Outcome;
  status: number | null;
  /** The revision the answer reported (after the command and what it caused). */
  ackRevision: number | null;
  attempts: number;
  /** Whether the check made while the process was dead found it (unknown commands only). */
  foundWhileUnknown: boolean | null;
}

export interface LedgerReport {
  /** Acknowledged commands verified present exactly once. */
  readonly ackedVerified: number;
  readonly lost: string[];
  readonly duplicated: string[];
  readonly refusedButStored: string[];
  readonly unknownStored: number;
  readonly unknownAbsent: number;
  /** Events caused by a client command (causation = command) that no client sent. */
  readonly phantoms: string[];
  readonly misplaced: string[];
  readonly outOfOrder: string[];
}

export class CommandLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly nextSeq = new Map<string, number>();
  private readonly setUpStreams = new Set<string>();

  /** Applications made before the load through commands the ledger did not issue: check() passes over their streams. */
  setUp(applicationIds: readonly string[]): void {
    for (const id of applicationIds) this.setUpStreams.add(`${APPLICATION_STREAM_PREFIX}${id}`);
  }

  issue(key: string, commandId: string, action: string, applicationId: string | null): LedgerEntry {
    if (this.entries.has(commandId)) throw new Error(`command ${commandId} (${key}) issued twice: keys must be unique`);
    const entry: LedgerEntry = { key, commandId, action, applicationId, seq: applicationId ? this.takeSeq(applicationId) : 0, outcome: 'unknown', status: null, ackRevision: null, attempts: 0, foundWhileUnknown: null };
    this.entries.set(commandId, entry);
    return entry;
  }

  /** A create's application id is known once its answer arrives: it opens that application's sequence. */
  assignApplication(entry: LedgerEntry, applicationId: string): void {
    if (entry.applicationId === applicationId) return;
    entry.applicationId = applicationId;
    entry.seq = this.takeSeq(applicationId);
  }

  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  count(outcome: Outcome): number {
    return this.all().filter((e) => e.outcome === outcome).length;
  }

  private takeSeq(applicationId: string): number {
    const seq = this.nextSeq.get(applicationId) ?? 0;
    this.nextSeq.set(applicationId, seq + 1);
    return seq;
  }

  /**
   * Holds the store's rows against the ledger. Every command a client sends here decides exactly
   * one event, whose metadata carries the command id (derived from the Idempotency-Key) as both
   * commandId and causationId; events caused by reactions carry the causing event's id instead.
   */
  check(rows: readonly StoredEventRow[], options: { markUnknown?: boolean } = {}): LedgerReport {
    const byCommand = new Map<string, StoredEventRow[]>();
    const phantoms: string[] = [];
    for (const row of rows) {
      if (!row.streamId.startsWith(APPLICATION_STREAM_PREFIX) || this.setUpStreams.has(row.streamId) || row.commandId === null || row.commandId !== row.causationId) continue;
      if (!this.entries.has(row.commandId)) {
        phantoms.push(`${row.type} at ${row.streamId}@${row.revision} (command ${row.commandId})`);
        continue;
      }
      const list = byCommand.get(row.commandId) ?? [];
      list.push(row);
      byCommand.set(row.commandId, list);
    }
    const lost: string[] = [];
    const duplicated: string[] = [];
    const refusedButStored: string[] = [];
    const misplaced: string[] = [];
    let ackedVerified = 0;
    let unknownStored = 0;
    let unknownAbsent = 0;
    for (const entry of this.entries.values()) {
      const found = byCommand.get(entry.commandId) ?? [];
      const label = `${entry.action} ${entry.key}${entry.applicationId ? ` on ${entry.applicationId}` : ''}`;
      if (found.length > 1) duplicated.push(`${label}: ${found.length} events (${found.map((r) => `${r.streamId}@${r.revision}`).join(', ')})`);
      const stream = entry.applicationId ? `${APPLICATION_STREAM_PREFIX}${entry.applicationId}` : null;
      if (found[0] && stream && found[0].streamId !== stream) misplaced.push(`${label}: stored in ${found[0].streamId}`);
      if (found[0] && entry.ackRevision !== null && found[0].revision > entry.ackRevision) misplaced.push(`${label}: at revision ${found[0].revision}, answered revision ${entry.ackRevision}`);
      switch (entry.outcome) {
        case 'acked':
          if (found.length === 0) lost.push(label);
          else if (found.length === 1) ackedVerified += 1;
          break;
        case 'refused':
          if (found.length > 0) refusedButStored.push(`${label} (status ${entry.status})`);
          break;
        case 'unknown':
          if (found.length > 0) unknownStored += 1;
          else unknownAbsent += 1;
          if (options.markUnknown) entry.foundWhileUnknown = found.length > 0;
          break;
      }
    }
    // Within an application, stored commands appear in the order the client issued them.
    const outOfOrder: string[] = [];
    const lastSeq = new Map<string, number>();
    for (const row of rows) {
      const entry = row.commandId !== null && row.commandId === row.causationId ? this.entries.get(row.commandId) : undefined;
      if (!entry) continue;
      const previous = lastSeq.get(row.streamId);
      if (previous !== undefined && entry.seq <= previous) outOfOrder.push(`${row.streamId}@${row.revision}: ${entry.action} ${entry.key} (seq ${entry.seq} after ${previous})`);
      lastSeq.set(row.streamId, entry.seq);
    }
    return { ackedVerified, lost, duplicated, refusedButStored, unknownStored, unknownAbsent, phantoms, misplaced, outOfOrder };
  }
}

/**
 * The reaction to a second approval (master-data registration) in two steps: a version in the
 * body's master-data stream, then MasterDataRegistered on the application. After a crash either
 * may be missing; once the restarted process has caught up, each approval has exactly one of each.
 */
export function reactionProblems(rows: readonly StoredEventRow[], options: { settled: boolean }): { approvals: number; incomplete: number; problems: string[] } {
  const registered = new Map<string, number>();
  const versions = new Map<string, number>();
  for (const row of rows) {
    if (row.type === 'MasterDataRegistered' && row.causationId) registered.set(row.causationId, (registered.get(row.causationId) ?? 0) + 1);
    if (row.type === 'MasterDataVersionRegistered' && row.sourceEventId) versions.set(row.sourceEventId, (versions.get(row.sourceEventId) ?? 0) + 1);
  }
  const problems: string[] = [];
  let approvals = 0;
  let incomplete = 0;
  for (const row of rows) {
    if (row.type !== 'SecondReviewApproved') continue;
    approvals += 1;
    const r = registered.get(row.eventId) ?? 0;
    const v = versions.get(row.eventId) ?? 0;
    const at = `${row.streamId}@${row.revision}`;
    if (r === 0 || v === 0) incomplete += 1;
    if (r > 1 || v > 1) problems.push(`${at}: registered ${r} times, ${v} master-data versions`);
    else if (r === 1 && v === 0) problems.push(`${at}: MasterDataRegistered without its master-data version`);
    else if (options.settled && (r === 0 || v === 0)) problems.push(`${at}: after catching up, registered ${r} time(s) with ${v} version(s)`);
  }
  return { approvals, incomplete, problems };
}

/**
 * A scenario's ledger check: every report it is given must be clean (nothing lost, duplicated,
 * refused-but-stored, phantom, misplaced or out of order); lost and duplicated commands are
 * counted once each, across every check, into the scenario's figures.
 */
export function ledgerChecker(sheet: { setTotal(name: string, value: number): void }): (report: LedgerReport, when: string) => void {
  const lost = new Set<string>();
  const duplicated = new Set<string>();
  return (report, when) => {
    for (const item of report.lost) lost.add(item);
    for (const item of report.duplicated) duplicated.add(item);
    sheet.setTotal('lost', lost.size);
    sheet.setTotal('duplicates', duplicated.size);
    expect({ when, lost: report.lost, duplicated: report.duplicated, refusedButStored: report.refusedButStored, phantoms: report.phantoms, misplaced: report.misplaced, outOfOrder: report.outOfOrder }).toEqual({
      when,
      lost: [],
      duplicated: [],
      refusedButStored: [],
      phantoms: [],
      misplaced: [],
      outOfOrder: [],
    });
  };
}
