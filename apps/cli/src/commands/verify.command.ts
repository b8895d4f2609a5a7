import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { WITNESS_FILE, WitnessFile, describeProblem, verifyExportFile, verifyStore, verifyStream, type IntegrityProblem } from '@nws/audit';
import { applicationStream } from '@nws/engine';
import { EVENTS_FILE } from '@nws/event-store/create-event-store';
import { missingImmutabilityTriggers, openStoredDatabase } from '@nws/event-store/sqlite';
import { existingApplicationId } from '../application-ref';
import { openCliContext, type CliContext } from '../cli-context';
import { EXIT } from './exit-codes';
import { ProgressBar, showProgress } from './progress-bar';

/** What an application's export cannot show, and where it is found (see the --file branch). */
const APPLICATION_ONLY =
  "(the application's chain only: events removed from its end, or reordered, before the export keep its chain and trailer whole, and a copy with an event changed and every hash recomputed holds together too; the seals, which cover the whole store, find them: `nws verify` of the whole store, or `nws verify --file` of a store-wide export with the witness)";

/** The verdict for the auditors who read it in Japanese, on the line after the verdict. */
const VERDICT_IN_JAPANESE: Record<number, string> = {
  [EXIT.ok]: '判定: 正常（改ざんは見つかりませんでした）',
  [EXIT.tampered]: '判定: 改ざんあり（以下の所見を参照してください）',
  [EXIT.unverified]: '判定: 問題は見つかりませんでしたが、検査できなかった項目があります（警告を参照してください）',
};

interface VerifyFlags {
  application?: string;
  file?: string;
  witness?: string;
  json?: boolean;
  progress?: boolean;
}

interface Outcome {
  readonly valid: boolean;
  readonly complete?: boolean;
  readonly problems: readonly IntegrityProblem[];
  readonly moreProblems?: number;
  readonly warnings?: readonly string[];
}

/**
 * `verify`: one application's chain, the whole store (chains, gaps, seals, witness, high-water
 * mark) or an export file offline. Prints the first broken link precisely; the exit code says
 * valid (0), tampered (4) or could-not-check-everything (5).
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Prove the trail is untampered: the whole store (default), one application, or an export file offline')
    .option('--application <id>', "only this application's hash chain (its id or 申請番号)")
    .option('--file <export.jsonl>', 'verify an export file offline (no store, no configuration needed)')
    .option('--witness <seals.jsonl>', 'the witness file to hold the store or file against (default for the store: DATA_DIR/seals.jsonl)')
    .option('--json', 'print the full report as JSON')
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText('after', `\nExit codes: ${EXIT.ok} valid, ${EXIT.tampered} tampered, ${EXIT.unverified} nothing wrong found but a check was impossible (e.g. no witness), ${EXIT.notFound} no such application, ${EXIT.usage} usage, ${EXIT.failure} failure.`)
    .action(async (flags: VerifyFlags) => {
      if (flags.file !== undefined && flags.application !== undefined) throw new InvalidArgumentError('--file and --application exclude each other (an application export says which application it holds)');
      if (flags.file?.toLowerCase().endsWith('.csv')) throw new InvalidArgumentError('CSV exports are for reading; verify the JSON Lines export (--format jsonl)');
      for (const [flag, path] of [['--file', flags.file], ['--witness', flags.witness]] as const) {
        if (path !== undefined && existsSync(path) && statSync(path).isDirectory()) throw new InvalidArgumentError(`${flag} ${path} はディレクトリです。ファイルを指定してください / ${flag} ${path} is a directory: name the file`);
        // A witness named and missing is a mistyped path (exit 3), not a file without one to hold it to:
        // `verify --file x --witness missing` answered VALID.
        if (path !== undefined && !existsSync(path)) throw Object.assign(new Error(`${flag} ${path}: no such file`), { code: 'ENOENT', path });
      }
      const bar = new ProgressBar('verify', showProgress(flags.progress));
      const onProgress = (done: number, total: number) => bar.update(done, total);
      let outcome: Outcome;
      let summary: string;
      if (flags.file !== undefined) {
        const report = await verifyExportFile(flags.file, { ...(flags.witness ? { witness: new WitnessFile(flags.witness) } : {}), onProgress });
        outcome = report;
        summary = `${flags.file}: ${report.scope} export, ${report.checkedEvents} events in ${report.streams} stream(s), ${report.sealsChecked} seal(s) checked${report.witnessSealsChecked ? `, ${report.witnessSealsChecked} against the witness` : ''}`;
        // An application's export holds its stream only, not the seals' other events: events removed
        // from its end before the export leave a chain that holds and a trailer that matches it, and
        // the witness names store seals this file cannot recompute. Said, as for --application.
        if (report.scope === 'application') summary += `\n  ${APPLICATION_ONLY}`;
      } else {
        // The events as stored are all it reads: run on an evidence directory, it adds nothing to it.
        const ctx = await openCliContext(process.env, { storedOnly: true });
        try {
          if (flags.application !== undefined) {
            const applicationId = await existingApplicationId(ctx.store, flags.application);
            const report = await verifyStream(ctx.store, applicationStream(applicationId));
            outcome = { ...report, warnings: schemaWarnings(ctx) };
            // What one stream can show: its own chain. Events removed from its end, or moved, leave a
            // chain that holds; the seals cover the whole store, and only `nws verify` checks them.
            const sealed = report.seal ? (report.seal.coversLastEvent ? `, its last event within seal #${report.seal.sequence}` : ', its newest events not sealed yet') : ', never sealed';
            summary =
              `application ${applicationId}: chain of ${report.checkedEvents} events ${report.valid ? 'intact' : 'broken (below)'}, last hash ${report.lastHash}${sealed}\n` +
              `  (the chain only: events removed from its end or reordered are found by \`nws verify\` of the whole store, against the seals and the witness)`;
          } else {
            const report = await verifyStore(ctx.store, { witness: new WitnessFile(flags.witness ?? join(ctx.config.dataDir, WITNESS_FILE)), onProgress });
            outcome = { ...report, warnings: [...(report.warnings ?? []), ...schemaWarnings(ctx)] };
            summary = `store: ${report.checkedEvents} events in ${report.streams} streams through position ${report.lastPosition}, ${report.sealsChecked} seal(s) and ${report.witnessSealsChecked} witness seal(s) checked, ${report.unsealedEvents} event(s) after the last seal`;
          }
        } finally {
          await ctx.close();
        }
      }
      bar.finish();
      for (const warning of outcome.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
      const exit = !outcome.valid ? EXIT.tampered : outcome.complete === false ? EXIT.unverified : EXIT.ok;
      if (flags.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      else {
        const verdict = exit === EXIT.ok ? 'VALID' : exit === EXIT.unverified ? 'NOT FULLY VERIFIED' : 'TAMPERED';
        process.stdout.write(`${verdict}  ${summary}\n`);
        process.stdout.write(`${VERDICT_IN_JAPANESE[exit] ?? ''}\n`);
        const count = outcome.problems.length + (outcome.moreProblems ?? 0);
        if (count > 0) process.stdout.write(`${count} problem(s), in order (the first broken link first):\n  ${outcome.problems.map(describeProblem).join('\n  ')}${outcome.moreProblems ? `\n  … and ${outcome.moreProblems} more` : ''}\n`);
      }
      process.exitCode = exit;
    });
}

/**
 * The embedded store's own guard against changing an event, as the file has it: the file is read
 * as stored, so a copy whose triggers were dropped is reported, not repaired. A warning, not a
 * verdict: whether any event changed is what the chains and seals say.
 */
function schemaWarnings(ctx: CliContext): string[] {
  if (ctx.config.eventStore !== 'sqlite') return [];
  const db = openStoredDatabase(join(ctx.config.dataDir, EVENTS_FILE));
  try {
    const missing = missingImmutabilityTriggers(db);
    if (missing.length === 0) return [];
    return [
      `${EVENTS_FILE} にイベントの変更・削除を拒否するトリガー（${missing.join(', ')}）がありません。スキーマがエンジンの外で変更されています（イベントが変わったかどうかは上記のハッシュチェーンとシールの検証結果のとおりです） / ` +
        `${EVENTS_FILE} has lost the triggers that refuse changing or deleting an event (${missing.join(', ')}): its schema was changed outside the engine (whether any event changed is what the chains and seals say)`,
    ];
  } finally {
    db.close();
  }
}
