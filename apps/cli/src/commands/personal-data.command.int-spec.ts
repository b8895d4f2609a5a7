import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { TestServer } from '../../../api/src/testing/test-server';
import { Driver } from '../../../api/src/testing/drive';
import { TANAKA_VALUES, filesHolding, registeredApplication } from '../../../api/src/personal-data/testing/personal-data.fixture';
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

describe('nws record-connection-end / erase-expired', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nws-retention-'));
    const server = await TestServer.start({ dataDir });
    await registeredApplication(new Driver(server));
    await server.stop(false);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('erases every person of a body whose retention period passed, reports each, and leaves none of their values on disk', async () => {
    await run(['record-connection-end', '132012', '--ended-at', '2027-03-31'], dataDir);
    expect((await run(['erase-expired', '--now', '2032-03-29'], dataDir)).out).toBe('');
    const dry = await run(['erase-expired', '--now', '2032-04-01', '--dry-run'], dataDir);
    expect(dry.err).toMatch(/would erase \d+ person/);
    const { out, err } = await run(['erase-expired', '--now', '2032-04-01', '--rebuild-read-models'], dataDir);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { organizationCode: string; connectionEndedAt: string; subjectId: string });
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.every((l) => l.organizationCode === '132012' && l.connectionEndedAt === '2027-03-31' && l.subjectId.startsWith('ps-'))).toBe(true);
    expect(err).toMatch(/^erased \d+ person\(s\) of 1 body/);
    expect(filesHolding(dataDir, TANAKA_VALUES)).toEqual([]);
  });
});
