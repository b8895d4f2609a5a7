import { InvalidArgumentError, type Command } from 'commander';
import { eraseExpired, findEncryptingStore, recordConnectionEnd } from '@nws/personal-data';
import { hasValidCheckDigit, japanWallClock } from '@nws/reference-catalog';
import { organOrDefault, organsOf } from '@nws/workflows/shared/organizations';
import { openCliContext } from '../cli-context';
import { calendarDate, instantWithOffset } from '../time-arguments';

const OPERATOR = { sub: 'cli', org: 'MIC', role: 'system' };

const isoTime = (value: string): string => new Date(instantWithOffset(value)).toISOString();
/**
 * A body that connects: a code with a right check digit that stands for organs. MIC and J-LIS run
 * the network, and a designated city's ward applies as its city: none of them has a connection to end.
 */
function connectingBody(code: string): string {
  if (!hasValidCheckDigit(code)) {
    throw new InvalidArgumentError(`${code}: 検査数字の正しい6桁の全国地方公共団体コードを指定してください / must be a 6-digit local government code with a correct check digit`);
  }
  if (organsOf(code).length === 0) throw new InvalidArgumentError(`${code}: 接続機関ではありません（指定都市の区は市として接続します） / is not a connecting body (a designated city's ward connects as its city)`);
  return code;
}


/** `--organ`: one of the code's organs (機関種類); without it, the code's default organ. */
function organFor(code: string, organ: string | undefined): string {
  const organs = organsOf(connectingBody(code));
  if (organ !== undefined && !organs.includes(organ as (typeof organs)[number])) {
    const allowed = organs.length > 0 ? organs.join(', ') : 'none (leave --organ out)';
    throw new InvalidArgumentError(`--organ: ${organ} は ${code} の機関種類ではありません / is not an organ of ${code}; organs of ${code}: ${allowed}`);
  }
  return organOrDefault(code, organ);
}

/**
 * Retention of personal data (保有期間), per organ (機関): `record-connection-end` starts an
 * organ's retention period, `erase-expired` erases (消去) every person whose data belongs only to
 * organs whose period has passed (PERSONAL_DATA_RETENTION_DAYS after their connection ended) and
 * prints what it erased as JSON Lines.
 */
export function registerPersonalDataCommands(program: Command): void {
  program
    .command('record-connection-end <organizationCode>')
    .description("Record the end of an organ's connection: the retention period of its staff's personal data starts")
    .requiredOption('--ended-at <date>', 'the day the connection ended (YYYY-MM-DD)', calendarDate)
    .option('--organ <kind>', "the organ (機関種類) whose connection ended, e.g. 市町村教育委員会 (default: the code's 首長部局 / 知事部局)")
    .action(async (organizationCode: string, options: { endedAt: string; organ?: string }) => {
      const organizationKind = organFor(organizationCode, options.organ);
      // The event records a fact: an end that has not happened yet would start the retention period early.
      // A connection ends on a calendar day in Japan.
      const today = japanWallClock(Date.now())!.slice(0, 10);
      if (options.endedAt > today) throw new InvalidArgumentError(`--ended-at ${options.endedAt}: 接続終了日が未来です（本日 ${today}） / is after today in Japan (${today}): record the end once it has happened`);
      const ctx = await openCliContext();
      try {
        await recordConnectionEnd(ctx.store, { organizationCode, organizationKind, endedAt: options.endedAt }, OPERATOR, new Date().toISOString());
        process.stdout.write(`${JSON.stringify({ organizationCode, organizationKind, connectionEndedAt: options.endedAt, retentionDays: ctx.config.personalData.retentionDays })}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('erase-expired')
    .description('Erase the personal data whose retention period has passed, and report each person erased (JSON Lines)')
    .option('--now <time>', 'judge expiry at this time instead of now (ISO 8601 with an offset)', isoTime)
    .option('--dry-run', 'report what would be erased, erase nothing')
    .option('--early', 'with a --now to come: erase now what will have expired then (the erasures record the real time)')
    .option('--rebuild-read-models', 'also rebuild this DATA_DIR’s read models (only with the API stopped: refused, exit 75, erasing nothing, while it runs; a running API does it by itself)')
    .action(async (options: { now?: string; dryRun?: boolean; early?: boolean; rebuildReadModels?: boolean }) => {
      // A time to come judges what will have expired then: erasing it now ends retention early,
      // which an operator does only on purpose (--early). The erasures record when they happen.
      const future = options.now !== undefined && Date.parse(options.now) > Date.now();
      if (future && !options.dryRun && !options.early) {
        throw new InvalidArgumentError(`--now ${options.now}: 未来の時刻です。--dry-run で確認するか、保存期間の満了前に消去する場合は --early を付けてください / is in the future: check with --dry-run, or add --early to erase before the retention period ends`);
      }
      // Refused before anything is erased when the read models cannot be rebuilt here.
      const ctx = await openCliContext(process.env, options.rebuildReadModels ? { exclusive: 'erase-expired --rebuild-read-models' } : {});
      try {
        const store = findEncryptingStore(ctx.store);
        if (!store) throw new Error('the event store has no personal-data encryption');
        const report = await eraseExpired(store, {
          retentionDays: ctx.config.personalData.retentionDays,
          now: options.now ?? new Date().toISOString(),
          erasedAt: new Date().toISOString(),
          dryRun: options.dryRun ?? false,
          organOf: organOrDefault,
        });
        // A dry run erased nobody: no erasure time, no position of an event that was not recorded.
        for (const erased of report.erased) {
          const { erasedAt, position, ...subject } = erased;
          process.stdout.write(`${JSON.stringify(report.dryRun ? { ...subject, dryRun: true } : { ...subject, erasedAt, position, dryRun: false })}\n`);
        }
        const erasedAny = !report.dryRun && report.erased.some((e) => !e.alreadyErased);
        if (erasedAny && options.rebuildReadModels) {
          const runner = ctx.projections();
          // Deleted rows zeroed, old pages out of the WAL: the read models keep no copy of what was erased.
          runner.db.pragma('secure_delete = ON');
          await runner.rebuild();
          runner.db.pragma('wal_checkpoint(TRUNCATE)');
        }
        process.stderr.write(
          `${report.dryRun ? 'would erase' : 'erased'} ${report.erased.length} person(s) of ${report.bodies.length} organ(s) whose retention period passed (retention ${report.retentionDays} days)` +
            (erasedAny && !options.rebuildReadModels ? '; a running API rebuilds its read models when it sees the erasures (stopped: rerun with --rebuild-read-models)' : '') +
            '\n',
        );
      } finally {
        await ctx.close();
      }
    });
}
