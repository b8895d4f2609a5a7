import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { TestServer } from '../../../api/src/testing/test-server';
import { Driver } from '../../../api/src/testing/drive';
import { TANAKA, TANAKA_VALUES, filesHolding, registeredApplication } from '../../../api/src/personal-data/testing/personal-data.fixture';
import { registerPersonalDataCommands } from './personal-data.command';

async function run(argv: string[], dataDir: string): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr), dir: process.env['DATA_DIR'] };
  (process.stdout as { write: unknown }).write = (chunk: string) => out.push(String(chunk)) > 0;
  (process.stderr as { write: unknown }).write = (chunk: string) => err.push(String(chunk)) > 0;
  process.env['DATA_DIR'] = dataDir;
  try {
    const program = new Command('nws').exitOverride();
    registerPersonalDataCommands(program);
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    (process.stdout as { write: unknown }).write = saved.out;
    (process.stderr as { write: unknown }).write = saved.err;
    if (saved.dir === undefined) delete process.env['DATA_DIR'];
    else process.env['DATA_DIR'] = saved.dir;
  }
  return { out: out.join(''), err: err.join('') };
}

interface ErasedLine {
  erasedAt: string;
  organizationCode: string;
  organizationKind: string;
  organizationKinds: string[];
  connectionEndedAt: string;
  subjectId: string;
  dryRun: boolean;
}
/** Days in Japan, YYYY-MM-DD, counted from today: a connection's end is recorded once it has happened. */
const DAY_MS = 86_400_000;
const RETENTION_DAYS = 1826;
const day = (offset: number): string => new Date(Date.now() + 9 * 3_600_000 + offset * DAY_MS).toISOString().slice(0, 10);
/** The instant `days` after a day began (UTC), as `erase-expired --now` takes it. */
const after = (date: string, days: number): string => new Date(Date.parse(date) + days * DAY_MS).toISOString();

const lines = (out: string): ErasedLine[] => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ErasedLine);

describe('nws record-connection-end / erase-expired', () => {
  let dataDir: string;
  let headId: string;
  let boardId: string;
  /** What each organ's applicant reads of its application (a running API on the data directory). */
  const read = async () => {
    const server = await TestServer.start({ dataDir });
    try {
      const driver = new Driver(server);
      const head = (await driver.as('applicant', 'GET', `/applications/${headId}`)).body;
      const board = (await driver.as('boardOfEducation', 'GET', `/applications/${boardId}`)).body;
      return {
        headContact: head.forms['02-02'].data.normalContacts[0].name as string,
        boardContact: board.forms['02-02'].data.normalContacts[0].name as string,
        boardFiler: board.forms['02-02'].savedBy.name as string,
        headFiler: head.forms['02-02'].savedBy.name as string,
      };
    } finally {
      await server.stop(false);
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-retention-'));
    const server = await TestServer.start({ dataDir });
    const driver = new Driver(server);
    // 八王子市 (132012): its head department's registered application, and a draft of its board of
    // education (same code, another organ) with the same example forms, so 田中 三郎 is a contact of both.
    headId = await registeredApplication(driver);
    boardId = await driver.draftWithForms('boardOfEducation');
    await server.stop(false);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses an organ the code does not have, naming the option and the organs it has, and records nothing', async () => {
    await expect(run(['record-connection-end', '132012', '--organ', '都道府県教育委員会', '--ended-at', day(-10)], dataDir)).rejects.toThrow(
      /--organ: 都道府県教育委員会 は 132012 の機関種類ではありません \/ is not an organ of 132012; organs of 132012: 市町村長部局, 市町村教育委員会/,
    );
    expect((await run(['erase-expired', '--now', '2099-01-01T00:00:00+09:00', '--dry-run'], dataDir)).err).toMatch(/^would erase 0 person\(s\) of 0 organ/);
  });

  it('refuses what is not a connecting body, and an end that has not happened yet, and records nothing', async () => {
    const refusals: Array<[string[], RegExp]> = [
      [['999999'], /999999: .*must be a 6-digit local government code with a correct check digit/],
      [['MIC'], /MIC: .*must be a 6-digit local government code/],
      [['J-LIS'], /J-LIS: .*must be a 6-digit local government code/],
      // 横浜市鶴見区: a designated city's ward connects as the city.
      [['141011'], /141011: .*is not a connecting body/],
    ];
    for (const [code, message] of refusals) await expect(run(['record-connection-end', ...code, '--ended-at', day(-1)], dataDir)).rejects.toThrow(message);
    const tomorrow = day(1);
    await expect(run(['record-connection-end', '132012', '--ended-at', tomorrow], dataDir)).rejects.toThrow(new RegExp(`--ended-at ${tomorrow}: .*is after today in Japan`));
    // Events keep what they are given for ever: a day that does not exist is refused.
    for (const date of ['2026-02-31', '2021-02-29', '2026-13-01', '2026-1-01']) await expect(run(['record-connection-end', '132012', '--ended-at', date], dataDir)).rejects.toThrow(/must be a date that exists, YYYY-MM-DD/);
    // Had any been recorded, a far-off erasure would find an organ whose period passed.
    expect((await run(['erase-expired', '--now', '2099-01-01T00:00:00+09:00', '--dry-run'], dataDir)).err).toMatch(/^would erase 0 person\(s\) of 0 organ/);
  });

  it('erases per organ: the board of education’s own people when its period passed (its 田中 三郎, not the head department’s), the head department’s when its own did', async () => {
    // when the board of education's connection ended and its period passed
    // (its draft never registered master data; the head department's, registered today, ends today, after it)
    const boardEnd = day(-10);
    const headEnd = day(0);
    expect(JSON.parse((await run(['record-connection-end', '132012', '--organ', '市町村教育委員会', '--ended-at', boardEnd], dataDir)).out)).toMatchObject({ organizationKind: '市町村教育委員会' });
    expect((await run(['erase-expired', '--now', after(boardEnd, RETENTION_DAYS - 1), '--early'], dataDir)).out).toBe('');
    // A time to come erases nothing unless the operator says it is on purpose.
    await expect(run(['erase-expired', '--now', after(boardEnd, RETENTION_DAYS + 1)], dataDir)).rejects.toThrow(/--now .*: .*is in the future: check with --dry-run, or add --early/);
    expect(await read()).toMatchObject({ boardFiler: '教育 一郎' });
    const board = await run(['erase-expired', '--now', after(boardEnd, RETENTION_DAYS + 1), '--early', '--rebuild-read-models'], dataDir);

    // then its filer (教育 一郎) and its own 田中 三郎 are erased; the head department's 田中 三郎, another person, stays
    const boardErased = lines(board.out);
    expect(boardErased.length).toBeGreaterThanOrEqual(2);
    // Erased now, and recorded so: not at the time to come the expiry was judged at.
    expect(boardErased.every((l) => Math.abs(Date.parse(l.erasedAt) - Date.now()) < 60_000)).toBe(true);
    expect(boardErased.every((l) => l.organizationCode === '132012' && l.organizationKind === '市町村教育委員会' && l.organizationKinds.join() === '市町村教育委員会' && l.connectionEndedAt === boardEnd)).toBe(true);
    expect(board.err).toMatch(new RegExp(`^erased ${boardErased.length} person\\(s\\) of 1 organ`));
    expect(await read()).toEqual({ headContact: TANAKA.name, boardContact: '［消去済み］', boardFiler: '［消去済み］', headFiler: '山田 花子' });
    expect(filesHolding(dataDir, ['教育 一郎'])).toEqual([]);

    // when the head department's (the default organ: no --organ) ended as well
    await run(['record-connection-end', '132012', '--ended-at', headEnd], dataDir);
    const dry = await run(['erase-expired', '--now', after(headEnd, RETENTION_DAYS + 1), '--dry-run'], dataDir);
    expect(dry.err).toMatch(/would erase \d+ person/);
    // A dry run erased nobody: its lines carry no erasure time nor event position.
    expect(lines(dry.out).length).toBeGreaterThan(0);
    for (const line of lines(dry.out)) expect([line.dryRun, 'erasedAt' in line, 'position' in line]).toEqual([true, false, false]);
    const { out, err } = await run(['erase-expired', '--now', after(headEnd, RETENTION_DAYS + 1), '--early', '--rebuild-read-models'], dataDir);

    // then everyone else goes, the head department's people with its end, and none of their values stay on disk
    const erased = lines(out);
    expect(erased.length).toBeGreaterThanOrEqual(4);
    expect(erased.every((l) => l.organizationCode === '132012' && l.subjectId.startsWith('ps-'))).toBe(true);
    expect(erased.every((l) => l.organizationKinds.join() === '市町村長部局' && l.connectionEndedAt === headEnd)).toBe(true);
    expect(err).toMatch(/^erased \d+ person\(s\) of 2 organ/);
    expect(await read()).toEqual({ headContact: '［消去済み］', boardContact: '［消去済み］', boardFiler: '［消去済み］', headFiler: '［消去済み］' });
    expect(filesHolding(dataDir, TANAKA_VALUES)).toEqual([]);
  });
});

describe('nws erase-expired --rebuild-read-models beside a running API', () => {
  let dataDir: string;
  beforeAll(async () => {
    // given a body whose connection ended long ago, so its people are due for erasure
    dataDir = mkdtempSync(join(tmpdir(), 'nws-retention-busy-'));
    const server = await TestServer.start({ dataDir });
    await registeredApplication(new Driver(server));
    await server.stop(false);
    await run(['record-connection-end', '132012', '--ended-at', day(0)], dataDir);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is refused before anything is erased while the API serves DATA_DIR (it rebuilds its own read models), and erases once the API has stopped', async () => {
    // when the erasure with a rebuild is run while the API serves the directory
    const server = await TestServer.start({ dataDir });
    try {
      await expect(run(['erase-expired', '--now', '2099-01-01T00:00:00+09:00', '--early', '--rebuild-read-models'], dataDir)).rejects.toThrow(
        new RegExp(`DATA_DIR ${dataDir} is in use by API \\(PROCESS_ROLE=all\\) \\(pid ${process.pid}.*so erase-expired --rebuild-read-models cannot start`),
      );
    } finally {
      await server.stop(false);
    }
    // then nobody was erased: the people are still due and their values still on disk
    const due = await run(['erase-expired', '--now', '2099-01-01T00:00:00+09:00', '--dry-run'], dataDir);
    expect(due.err).toMatch(/^would erase [1-9]\d* person\(s\) of 1 organ/);
    expect(filesHolding(dataDir, TANAKA_VALUES).length).toBeGreaterThan(0);
    // when it runs with the API stopped, it erases them and leaves no value in any file
    const erased = await run(['erase-expired', '--now', '2099-01-01T00:00:00+09:00', '--early', '--rebuild-read-models'], dataDir);
    expect(erased.err).toMatch(/^erased [1-9]\d* person\(s\) of 1 organ/);
    expect(filesHolding(dataDir, TANAKA_VALUES)).toEqual([]);
  });
});
