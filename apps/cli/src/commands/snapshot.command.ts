import { renameSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { WITNESS_FILE, WitnessFile, copyWitnessThrough, fsyncDirectory, lastStoredSeal, type SealRecord, type WitnessCopy } from '@nws/audit';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { SqliteEventStore, backupStoredDatabase } from '@nws/event-store/sqlite';
import { dataDirOf, eventStoreKindOf } from '@nws/runtime';
import { NoEventStoreError } from '../cli-context';
import { eventStoreFileProblem } from '../event-store-file.check';
import { EXIT } from './exit-codes';
import { prepareSnapshotDirectory, requiredOut } from './snapshot-directory';

interface SnapshotFlags {
  out?: string;
}

const HELP = `
What it copies, while the API goes on serving DATA_DIR:
  events.sqlite  through SQLite's online backup: the store as it stood at one commit, opened
                 read-only (nothing in DATA_DIR is written; no lock is taken)
  seals.jsonl    the witness, line for line, up to the newest seal the copy holds (the sealer
                 writes a seal to the store first, then to the witness: it may end one seal
                 before, which verify accepts)
Copying the files instead catches each at another moment: verify then says TAMPERED
(seal-beyond-head, seal-missing-from-store: the witness copied after the database holds newer
seals; witness-behind-store: copied before it).

Not copied: the personal-data key store (PERSONAL_DATA_KEY_FILE, by default
DATA_DIR/personal-data-keys.sqlite). Erasing a person destroys their key, which leaves their
data in every event, and in every copy of the events, unreadable; a copy of the keys would
escape every later erasure. The events are copied as stored, personal data encrypted, which is
all verify and a JSON Lines export need. Nor are the access log and the read models.

Exit codes: ${EXIT.ok} copied; ${EXIT.usage} usage (no --out; an --out that exists and is not empty, is a
file, or is inside DATA_DIR; EVENT_STORE=esdb, which has its own backup); ${EXIT.notFound} DATA_DIR holds
no event store; ${EXIT.tampered} copied, but the witness holds seals the store does not (they were
removed from it: the whole witness is copied, so verify of the copy reports it); ${EXIT.failure} failure
(what was written to --out is removed).

Example:
  nws snapshot --out /evidence/2026-07-01
  DATA_DIR=/evidence/2026-07-01 nws verify`;

/**
 * `snapshot`: a copy of the embedded store's evidence (events and witness) that `verify` holds
 * together, taken while the API appends and seals.
 */
export function registerSnapshotCommand(program: Command): void {
  program
    .command('snapshot')
    .description('Copy the embedded store while the API runs, consistently: events.sqlite (online backup) and the witness up to its newest seal, for verify')
    .option('--out <dir>', 'a new or empty directory outside DATA_DIR to write the copy to (required)')
    .addHelpText('after', HELP)
    .action(async (flags: SnapshotFlags) => {
      if (eventStoreKindOf(process.env) === 'esdb') {
        throw new InvalidArgumentError(
          'snapshot は組み込みストア（SQLite、DATA_DIR/events.sqlite）用です。EventStoreDB（EVENT_STORE=esdb）は EventStoreDB 自身のバックアップを使ってください / ' +
            'snapshot is for the embedded store (SQLite, DATA_DIR/events.sqlite): back up EventStoreDB (EVENT_STORE=esdb) with its own backup',
        );
      }
      const out = requiredOut(flags.out);
      const dataDir = dataDirOf(process.env);
      const problem = eventStoreFileProblem(dataDir, EVENTS_FILE);
      if (problem !== undefined) throw new NoEventStoreError(dataDir, problem);
      const target = prepareSnapshotDirectory(out, dataDir);
      const events = join(target.path, EVENTS_FILE);
      const partial = `${events}.partial`;
      // What this run may leave in --out, removed if it fails: a half copy is no evidence.
      const made = [partial, `${partial}-journal`, events, `${events}-wal`, `${events}-shm`, `${events}-journal`, join(target.path, WITNESS_FILE)];
      try {
        const { pages } = await backupStoredDatabase(join(dataDir, EVENTS_FILE), partial);
        renameSync(partial, events);
        const copied = await storeEnd(events);
        // Only now: the witness read after the backup holds every seal the copy holds, but its newest.
        const witness = await copyWitness(dataDir, target.path, copied.seal);
        fsyncDirectory(target.path);
        for (const warning of witness.warnings) process.stderr.write(`警告 / warning: ${warning}\n`);
        const seal = copied.seal ? `newest seal #${copied.seal.sequence} (through position ${copied.seal.toPosition})` : 'never sealed';
        const lines = witness.copy ? `${witness.copy.lines} line(s)${witness.copy.lastSequence !== undefined ? `, through seal #${witness.copy.lastSequence}` : ''}` : 'not copied (none to copy)';
        process.stdout.write(
          `snapshot of DATA_DIR ${dataDir} in ${target.path}:\n` +
            `  ${EVENTS_FILE}  through position ${copied.head} (online backup, ${pages} pages), ${seal}\n` +
            `  ${WITNESS_FILE}    ${lines}\n` +
            `  not copied: the personal-data key store (a copy would escape every later erasure), the access log, the read models\n` +
            `verify it: DATA_DIR=${target.path} npm run -s cli -- verify\n`,
        );
        process.exitCode = witness.storeLacksWitnessedSeals ? EXIT.tampered : EXIT.ok;
      } catch (error) {
        for (const file of made) rmSync(file, { force: true });
        if (target.created) {
          try {
            rmdirSync(target.path);
          } catch {
            // something else was put in it meanwhile: left as it is
          }
        }
        throw error;
      }
    });
}

/** The newest seal and head of a store file, read as stored. */
async function storeEnd(filename: string): Promise<{ seal?: SealRecord; head: number }> {
  const store = new SqliteEventStore({ filename, readOnly: true, writerThread: false, commitDoorbell: false });
  try {
    const seal = (await lastStoredSeal(store))?.seal;
    return { ...(seal ? { seal } : {}), head: await store.headPosition() };
  } finally {
    await store.close();
  }
}

interface WitnessOutcome {
  readonly copy?: WitnessCopy;
  readonly warnings: string[];
  readonly storeLacksWitnessedSeals: boolean;
}

/**
 * The witness up to the copy's newest seal. Cutting it there would also cut off the one thing a
 * witness is for: seals the store no longer holds (its newest events and seals removed). The
 * witness is read before the live store's newest seal, and the sealer writes each seal to the
 * store first, so a witnessed seal beyond the store's newest was removed from it; then the whole
 * witness is copied, and `verify` of the copy says what it says of DATA_DIR.
 */
async function copyWitness(dataDir: string, out: string, copied: SealRecord | undefined): Promise<WitnessOutcome> {
  const source = new WitnessFile(join(dataDir, WITNESS_FILE));
  if (!source.exists()) {
    const warnings = copied
      ? [
          `ウィットネスファイル ${source.path} がありません。写しにも含まれず、verify はシールを照合できません（NOT FULLY VERIFIED、終了コード ${EXIT.unverified}） / ` +
            `no witness file at ${source.path}: the copy has none either, and verify cannot hold the seals to one (NOT FULLY VERIFIED, exit ${EXIT.unverified})`,
        ]
      : [];
    return { warnings, storeLacksWitnessedSeals: false };
  }
  const witnessed = lastWitnessed(source);
  const live = (await storeEnd(join(dataDir, EVENTS_FILE))).seal?.sequence ?? 0;
  const storeLacksWitnessedSeals = witnessed !== undefined && witnessed > live;
  const through = storeLacksWitnessedSeals ? witnessed : (copied?.sequence ?? 0);
  if (through === 0) return { warnings: [], storeLacksWitnessedSeals };
  const copy = await copyWitnessThrough(source.path, join(out, WITNESS_FILE), through);
  const warnings: string[] = [];
  if (storeLacksWitnessedSeals) {
    warnings.push(
      `ウィットネス ${source.path} はシール #${witnessed} までありますが、ストアには #${live} までしかありません。シールとその範囲のイベントがストアから削除されています。ウィットネスは全体を写しました（写しの verify が報告します） / ` +
        `the witness ${source.path} holds seals through #${witnessed} but the store only through #${live}: seals, and the events they cover, were removed from it; the whole witness is copied (verify of the copy reports it)`,
    );
  } else if (copied && (copy.lastSequence ?? 0) < copied.sequence - 1) {
    warnings.push(
      `ウィットネス ${source.path} はシール #${copy.lastSequence ?? 0} で終わり、写したストアのシール #${copied.sequence} より 2 つ以上前です。そのまま写しました（写しの verify が witness-behind-store を報告します） / ` +
        `the witness ${source.path} ends at seal #${copy.lastSequence ?? 0}, more than one before the copy's #${copied.sequence}: copied as it is (verify of the copy reports witness-behind-store)`,
    );
  }
  return { copy, warnings, storeLacksWitnessedSeals };
}

/** The witness's newest seal; a witness that cannot be read is copied as found, for verify to report. */
function lastWitnessed(witness: WitnessFile): number | undefined {
  try {
    return witness.last()?.sequence;
  } catch {
    return undefined;
  }
}

