import { createWriteStream, existsSync, realpathSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { WITNESS_FILE, WitnessFile, exportEvents } from '@nws/audit';
import { applicationStream } from '@nws/engine';
import { existingApplicationId } from '../application-ref';
import type { RecordedEvent } from '@nws/event-store';
import { basename, dirname, join } from 'node:path';
import { storedEventStoreOf } from '@nws/personal-data';
import { openCliContext } from '../cli-context';
import { logDisclosure, requirePurpose, withPurpose, type PurposeFlags } from '../cli-disclosure';
import { ProgressBar, showProgress } from './progress-bar';

interface ExportFlags extends PurposeFlags {
  application?: string;
  format: 'jsonl' | 'csv';
  bom?: boolean;
  out?: string;
  force?: boolean;
  progress?: boolean;
}

/**
 * `export`: the store or one application, streamed (constant memory). JSON Lines keep every event
 * as stored between a header and a trailer, so `verify --file` can check the file offline; CSV is
 * for reading in Excel. A file is written under `.partial` and renamed when complete.
 */
export function registerExportCommand(program: Command): void {
  withPurpose(program.command('export'))
    .description('Export every stored event (or one application) as JSON Lines, verifiable offline, or as CSV for Excel')
    .option('--application <id>', 'only this application (its id or 申請番号)')
    .addOption(new Option('--format <format>', 'jsonl (verifiable offline) or csv (for Excel)').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--bom', 'CSV only: start with a UTF-8 byte order mark so Excel reads Japanese text correctly')
    .option('--out <file>', 'write to this file instead of stdout (a new file: see --force)')
    .option('--force', "replace --out when it exists (never one of DATA_DIR's own files)")
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .addHelpText('after', '\n--purpose is needed for CSV only: JSON Lines keep personal data encrypted.\n\nExamples:\n  nws export --out store.jsonl\n  nws export --application <id> --format csv --bom --purpose audit --reference AUD-2026-07 --out application.csv\n  nws verify --file store.jsonl')
    .action(async (flags: ExportFlags) => {
      if (flags.bom && flags.format !== 'csv') throw new InvalidArgumentError('--bom applies to --format csv only (a BOM would break JSON Lines readers)');
      if (flags.format === 'csv') requirePurpose(flags, 'a CSV export');
      // JSON Lines carry the events as stored (no key store needed, none created); CSV decrypts.
      const ctx = await openCliContext(process.env, flags.format === 'jsonl' ? { storedOnly: true } : { readsOnly: true });
      const partial = flags.out === undefined ? undefined : `${flags.out}.partial`;
      // Opened before anything is read or logged: a wrong --out is said at once, and a `.partial`
      // this run did not create (another export's) is never removed by it.
      let file: WriteStream | undefined;
      try {
        if (partial !== undefined) file = await openOutput(flags.out!, partial, { force: flags.force === true, dataDir: ctx.config.dataDir });
      } catch (error) {
        await ctx.close();
        throw error;
      }
      try {
        const applicationId = flags.application === undefined ? undefined : await existingApplicationId(ctx.store, flags.application);
        const one = applicationId === undefined ? undefined : { streamId: applicationStream(applicationId), applicationId };
        // CSV holds personal data in clear: what it will hold is logged first, and the export stops where the log did.
        let toPosition: number | undefined;
        if (flags.format === 'csv') {
          const stored = storedEventStoreOf(ctx.store);
          toPosition = await stored.headPosition();
          await logDisclosure(ctx, 'nws export --format csv', flags, upTo(one === undefined ? stored.readAll() : stored.readStream(one.streamId), toPosition));
        }
        const out = file ?? process.stdout;
        const bar = new ProgressBar(`export ${flags.format}`, showProgress(flags.progress));
        const started = Date.now();
        const summary = await exportEvents(ctx.store, out, {
          format: flags.format,
          ...one,
          ...(flags.bom ? { bom: true } : {}),
          ...(toPosition !== undefined ? { toPosition } : {}),
          witness: new WitnessFile(join(ctx.config.dataDir, WITNESS_FILE)),
          eventStoreKind: ctx.config.eventStore,
          onProgress: (done, total) => bar.update(done, total),
        });
        bar.finish();
        if (file !== undefined) {
          file.end();
          await finished(file);
          renameSync(partial!, flags.out!);
        }
        const seal = summary.trailer?.seal ? `, newest seal #${summary.trailer.seal.sequence} (through position ${summary.trailer.seal.toPosition})` : '';
        process.stderr.write(`exported ${summary.events} events (${(summary.bytes / 1e6).toFixed(1)} MB) to ${flags.out ?? 'stdout'} in ${((Date.now() - started) / 1000).toFixed(1)} s${seal}\n`);
      } catch (error) {
        if (file !== undefined) {
          file.destroy();
          rmSync(partial!, { force: true });
        }
        throw error;
      } finally {
        await ctx.close();
      }
    });
}

/**
 * The `.partial` file the export is written to, created here (never another run's), once --out is
 * known to be writable. An existing file is replaced only with --force, and never one of DATA_DIR's
 * own (its event store, witness, logs): `--out data/events.sqlite` replaced the store with its
 * export, and the rename at the end would do it after the whole export.
 */
async function openOutput(target: string, partial: string, options: { readonly force: boolean; readonly dataDir: string }): Promise<WriteStream> {
  if (existsSync(target) && statSync(target).isDirectory()) throw new InvalidArgumentError(`--out ${target} はディレクトリです。書き出すファイルを指定してください / --out ${target} is a directory: name the file to write`);
  if (!existsSync(dirname(target))) throw new InvalidArgumentError(`--out ${target}: ディレクトリ ${dirname(target)} がありません / --out ${target}: the directory ${dirname(target)} does not exist`);
  if (existsSync(target)) {
    const inDataDir = realpathSync(dirname(target)) === realpathSync(options.dataDir);
    const name = basename(target);
    if (inDataDir && !(name.endsWith('.csv') || (name.endsWith('.jsonl') && name !== WITNESS_FILE))) {
      throw new InvalidArgumentError(`--out ${target} は DATA_DIR のファイル（ストアのもの）です。別の場所に書き出してください / --out ${target} is one of DATA_DIR's own files (the store's): write the export elsewhere`);
    }
    if (!options.force) throw new InvalidArgumentError(`--out ${target} は既に存在します。新しいファイル名を指定するか、置き換えるなら --force を付けてください / --out ${target} exists: name a new file, or add --force to replace it`);
  }
  const stream = createWriteStream(partial, { flags: 'wx' });
  try {
    await once(stream, 'open');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidArgumentError(`${partial} は既に存在します。別のエクスポートが書き込み中か、中断されたものです（削除してから再実行してください） / ${partial} already exists: another export is writing it, or one was interrupted (remove it and run again)`);
    throw error;
  }
  return stream;
}

async function* upTo(events: AsyncIterable<RecordedEvent>, position: number): AsyncIterable<RecordedEvent> {
  for await (const event of events) {
    if (event.position > position) return;
    yield event;
  }
}
