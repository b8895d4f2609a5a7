import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedEvent } from '@nws/distribution';
import { masterDataStream } from '@nws/workflows/connection-application/master-data/master-data.content';
import { MasterDataFiles, hashOf } from './master-data-files.writer';

const content = { organization: { code: '132012', name: '八王子市' }, contacts: [{ department: '情報管理課, 情報連携係', phone: '0426207200' }] };
const event = (version: number, overrides: Partial<PublishedEvent['data']> = {}, kind = '市町村長部局'): PublishedEvent => ({
  eventId: `e-${version}`,
  position: 10 + version,
  type: 'MasterDataVersionRegistered',
  streamId: masterDataStream('132012', kind),
  occurredAt: '2025-04-01T09:00:00.000Z',
  recordedAt: '2025-04-01T09:00:00.000Z',
  correlationId: null,
  attempt: 1,
  data: { organizationCode: '132012', organizationKind: kind, version, applicationId: 'app', applicationNumber: 'N', category: '登録', contentHash: hashOf(content), content, ...overrides },
});

describe('MasterDataFiles', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nws-files-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes JSON and CSV (UTF-8, quoted where needed) and leaves no temp file', async () => {
    const files = new MasterDataFiles(root);
    expect(await files.publish(event(1))).toMatchObject({ kind: 'written' });
    expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ version: 1, contentHash: hashOf(content), eventId: 'e-1', position: 11 });
    expect(readFileSync(join(root, '132012', 'v1.csv'), 'utf8')).toContain('132012,1,' + hashOf(content) + ',contacts[0].department,"情報管理課, 情報連携係"\r\n');
  });

  it('another organ of the same code (a board of education) gets a directory of its own: neither organ’s versions overwrite the other’s', async () => {
    const files = new MasterDataFiles(root);
    const board = { ...content, organization: { code: '132012', name: '八王子市', kind: '市町村教育委員会' } };
    expect(await files.publish(event(1))).toMatchObject({ kind: 'written', path: join(root, '132012', 'v1.json') });
    expect(await files.publish(event(1, { content: board, contentHash: hashOf(board) }, '市町村教育委員会'))).toMatchObject({
      kind: 'written',
      path: join(root, '132012.municipal-board-of-education', 'v1.json'),
    });
    expect(readdirSync(root).sort()).toEqual(['132012', '132012.municipal-board-of-education']);
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ organizationKind: '市町村長部局', contentHash: hashOf(content) });
    expect(JSON.parse(readFileSync(join(root, '132012.municipal-board-of-education', 'v1.json'), 'utf8'))).toMatchObject({ organizationKind: '市町村教育委員会', contentHash: hashOf(board) });
    // A version published before the organ was recorded is the default organ's, in its directory as before.
    const { organizationKind: _kind, ...legacy } = event(2).data;
    expect(await files.publish({ ...event(2), data: legacy })).toMatchObject({ kind: 'written', path: join(root, '132012', 'v2.json') });
    expect(await files.publish(event(3, { organizationKind: '教育委員会' }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('not an organ') });
  });

  it('a redelivery of the same version is recognised by its content hash and writes nothing', async () => {
    const steps: string[] = [];
    const files = new MasterDataFiles(root, (step) => steps.push(step));
    await files.publish(event(1));
    steps.length = 0;
    expect(await files.publish(event(1))).toMatchObject({ kind: 'unchanged' });
    expect(steps).toEqual([]);
  });

  it('refuses a version whose content does not match its hash, or that exists with another hash', async () => {
    const files = new MasterDataFiles(root);
    expect(await files.publish(event(1, { contentHash: 'sha256:0' }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('does not match') });
    await files.publish(event(2));
    const other = { ...content, organization: { code: '132012', name: '別内容' } };
    expect(await files.publish(event(2, { content: other, contentHash: hashOf(other) }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('already exists') });
    expect(await files.publish(event(3, { organizationCode: '../etc' }))).toMatchObject({ kind: 'rejected' });
  });

  it('a crash between temp files and renames leaves the temp files (CSV and JSON), which the next start removes', async () => {
    const crashing = new MasterDataFiles(root, (step) => {
      if (step === 'temp-written') throw new Error('killed');
    });
    await expect(crashing.publish(event(1))).rejects.toThrow('killed');
    expect(readdirSync(join(root, '132012')).map((name) => name.replace(/\.\d+\.[0-9a-f]+\.tmp$/, '.tmp')).sort()).toEqual(['.v1.csv.tmp', '.v1.json.tmp']);
    writeFileSync(join(root, 'unrelated.txt'), 'x');
    expect(await new MasterDataFiles(root).recover()).toBe(2);
    expect(readdirSync(join(root, '132012'))).toEqual([]);
  });

  it('a crash between the CSV and the JSON leaves a complete CSV and no JSON; after restart the redelivery writes the JSON', async () => {
    const crashing = new MasterDataFiles(root, (step, detail) => {
      if (step === 'renamed' && detail.file === 'v1.csv') throw new Error('killed');
    });
    await expect(crashing.publish(event(1))).rejects.toThrow('killed');
    expect(readdirSync(join(root, '132012')).filter((name) => !name.endsWith('.tmp'))).toEqual(['v1.csv']);
    const csv = readFileSync(join(root, '132012', 'v1.csv'), 'utf8');
    const restarted = new MasterDataFiles(root);
    expect(await restarted.recover()).toBe(1);
    expect(await restarted.publish(event(1))).toMatchObject({ kind: 'written' });
    expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
    expect(readFileSync(join(root, '132012', 'v1.csv'), 'utf8')).toBe(csv);
  });

  it('start-up leaves the temp files of another running writer alone (instances sharing a directory) and removes those of one that is gone', async () => {
    const dir = join(root, '132012');
    mkdirSync(dir);
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, `.v1.json.${process.ppid}.0a1b2c3d.tmp`), '{');
    writeFileSync(join(dir, `.v2.json.${gone}.0a1b2c3d.tmp`), '{');
    expect(await new MasterDataFiles(root).recover()).toBe(1);
    expect(readdirSync(dir)).toEqual([`.v1.json.${process.ppid}.0a1b2c3d.tmp`]);
  });
});
