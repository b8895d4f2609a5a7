import { userInfo } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { RecordedEvent } from '@nws/event-store';
import { ApplicationNotFoundError, applicationStream } from '@nws/engine';
import { ACCESS_PURPOSES, ACCESS_REFERENCE_PATTERN, DisclosureTally, SqliteAccessLog, findEncryptingStore, storedEventStoreOf, type KeyCache } from '@nws/personal-data';
import { ReadOnlyDataDirectoryError, isReadOnlyMedia, type CliContext } from './cli-context';

export interface PurposeFlags {
  readonly purpose?: string;
  readonly reference?: string;
}

/** `--purpose` and `--reference`: what the access log records for a command that prints personal data in clear. */
export function withPurpose(command: Command): Command {
  return command
    .addOption(new Option('--purpose <code>', 'why personal data is read: required, since the output holds it in clear; recorded in the access log').choices(Object.keys(ACCESS_PURPOSES)))
    .option('--reference <text>', 'a case or request number recorded with the purpose (1 to 64 of A-Z a-z 0-9 . _ / -; no names)', caseReference);
}

/** The rule X-Access-Reference has over HTTP (ACCESS_REFERENCE_PATTERN: no names in an append-only log). */
function caseReference(value: string): string {
  if (!ACCESS_REFERENCE_PATTERN.test(value)) {
    throw new InvalidArgumentError(`1〜64文字の英数字と . _ / - で指定してください（氏名等は記入しないこと） / must be 1 to 64 characters of A-Z, a-z, 0-9, . _ / - (no names)`);
  }
  return value;
}

/** Refused before anything is read, whatever the application holds: the rule does not depend on the data. */
export function requirePurpose(flags: PurposeFlags, output: string): void {
  if (flags.purpose) return;
  throw new InvalidArgumentError(
    `--purpose is required: ${output} shows personal data in clear, and reading it is recorded with its purpose (${Object.keys(ACCESS_PURPOSES).join(', ')})\n` +
      `--purpose（利用目的）を指定してください。出力に個人情報が復号されて含まれるため、利用目的とともにアクセス記録に残します。`,
  );
}

/**
 * Records in the personal-data access log, before anything is printed, what the command is about
 * to show in clear: one entry per body and application, with subjects and fields, never values.
 * If the log cannot take the entries, the command fails and prints nothing.
 */
export async function logDisclosure(ctx: CliContext, route: string, flags: PurposeFlags, stored: AsyncIterable<RecordedEvent> | Iterable<RecordedEvent>): Promise<number> {
  const encrypting = findEncryptingStore(ctx.store);
  if (!encrypting) return 0;
  const tally = new DisclosureTally(encrypting);
  for await (const event of stored) tally.add(event);
  const disclosures = await tally.disclosures();
  if (disclosures.length === 0) return 0;
  const at = new Date().toISOString();
  const actor = { sub: `cli:${userInfo().username}`, org: 'cli', role: 'operator' };
  // No backlog: a refused write fails the command before it prints anything.
  const log = openAccessLog(ctx);
  try {
    await log.record(disclosures.map((d) => ({ at, actor, purpose: flags.purpose!, reference: flags.reference ?? null, method: 'CLI', route, requestId: null, ...d })));
  } finally {
    log.close();
  }
  return disclosures.length;
}

/** On a copy without its key store the log is the first file opened beside it: read-only media said as such, as for the key store. */
function openAccessLog(ctx: CliContext): SqliteAccessLog {
  try {
    return new SqliteAccessLog(ctx.config.personalData.accessLogFile, { maxBacklog: 0 });
  } catch (error) {
    if (isReadOnlyMedia(error)) throw new ReadOnlyDataDirectoryError(ctx.config.dataDir, error);
    throw error;
  }
}

/**
 * The events of one application for printing (all of them, or the part `select` keeps), read once
 * as stored: the disclosure is logged from these events, then they are decrypted, so the log
 * covers exactly what prints.
 */
export async function disclosedApplicationEvents(
  ctx: CliContext,
  route: string,
  flags: PurposeFlags,
  applicationId: string,
  select: (stored: readonly RecordedEvent[]) => RecordedEvent[] = (stored) => [...stored],
): Promise<RecordedEvent[]> {
  const read: RecordedEvent[] = [];
  for await (const event of storedEventStoreOf(ctx.store).readStream(applicationStream(applicationId))) read.push(event);
  const stored = select(read);
  if (stored.length === 0) throw new ApplicationNotFoundError(applicationId);
  await logDisclosure(ctx, route, flags, stored);
  const encrypting = findEncryptingStore(ctx.store);
  if (!encrypting) return stored;
  const keys: KeyCache = new Map();
  const clear: RecordedEvent[] = [];
  for (const event of stored) clear.push(await encrypting.decryptEvent(event, keys));
  return clear;
}
