import { InvalidArgumentError, type Command } from 'commander';
import { eraseExpired, findEncryptingStore, recordConnectionEnd } from '@nws/personal-data';
import { openCliContext } from '../cli-context';

const OPERATOR = { sub: 'cli', org: 'MIC', role: 'system' };

const isoTime = (value: string): string => {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be an ISO-8601 date or time');
  return new Date(value).toISOString();
};
const isoDate = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
};
const body = (value: string): string => {
  if (!/^(\d{6}|J-LIS|MIC)$/.test(value)) throw new InvalidArgumentError('must be a 6-digit local government code, J-LIS or MIC');
  return value;
};

/**
 * Retention of personal data (保有期間): `record-connection-end` starts a body's retention period,
 * `erase-expired` erases (消去) every person of every body whose period has passed
 * (PERSONAL_DATA_RETENTION_DAYS after its connection ended) and prints what it erased as JSON Lines.
 */
export function registerPersonalDataCommands(program: Command): void {
  program
    .command('record-connection-end <organizationCode>')
    .description("Record the end of a body's connection: the retention period of its staff's personal data starts")
    .requiredOption('--ended-at <date>', 'the day the connection ended (YYYY-MM-DD)', isoDate)
    .action(async (organizationCode: string, options: { endedAt: string }) => {
      const ctx = await openCliContext();
      try {
        await recordConnectionEnd(ctx.store, body(organizationCode), options.endedAt, OPERATOR, new Date().toISOString());
        process.stdout.write(`${JSON.stringify({ organizationCode, connectionEndedAt: options.endedAt, retentionDays: ctx.config.personalData.retentionDays })}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('erase-expired')
    .description('Erase the personal data whose retention period has passed, and report each person erased (JSON Lines)')
    .option('--now <time>', 'judge expiry at this time instead of now (ISO-8601)', isoTime)
    .option('--dry-run', 'report what would be erased, erase nothing')
    .option('--rebuild-read-models', 'also rebuild this DATA_DIR’s read models (only with the API stopped; a running API does it by itself)')
    .action(async (options: { now?: string; dryRun?: boolean; rebuildReadModels?: boolean }) => {
      const ctx = await openCliContext();
      try {
        const store = findEncryptingStore(ctx.store);
        if (!store) throw new Error('the event store has no personal-data encryption');
        const report = await eraseExpired(store, { retentionDays: ctx.config.personalData.retentionDays, now: options.now ?? new Date().toISOString(), dryRun: options.dryRun ?? false });
        for (const erased of report.erased) process.stdout.write(`${JSON.stringify({ ...erased, dryRun: report.dryRun })}\n`);
        const erasedAny = !report.dryRun && report.erased.some((e) => !e.alreadyErased);
        if (erasedAny && options.rebuildReadModels) {
          const runner = ctx.projections();
          // Deleted rows zeroed, old pages out of the WAL: the read models keep no copy of what was erased.
          runner.db.pragma('secure_delete = ON');
          await runner.rebuild();
          runner.db.pragma('wal_checkpoint(TRUNCATE)');
        }
        process.stderr.write(
          `${report.dryRun ? 'would erase' : 'erased'} ${report.erased.length} person(s) of ${report.bodies.length} body(ies) (retention ${report.retentionDays} days)` +
            (erasedAny && !options.rebuildReadModels ? '; a running API rebuilds its read models when it sees the erasures (stopped: rerun with --rebuild-read-models)' : '') +
            '\n',
        );
      } finally {
        await ctx.close();
      }
    });
}
