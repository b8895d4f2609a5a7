import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TmpfsDisk, canMountTmpfs, run } from '../../../test/support/real-disk';
import { ConfigurationError, assertUsableDataPaths, loadConfigWithoutTokens } from './runtime-config';

/** A file system of our own made read-only (root and mount): root bypasses permission bits, not a read-only mount. Skipped without it, never passed. */
const withReadOnlyMount = canMountTmpfs() ? it : it.skip;

describe('DATA_DIR and PERSONAL_DATA_KEY_FILE are checked at start, naming the setting (exit 78), not met as a stack from mkdir or SQLite', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nws-paths-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const paths = (dataDir: string, keyStoreFile = join(dataDir, 'personal-data-keys.sqlite')) => ({ dataDir, personalData: { keyStoreFile } });

  it('a DATA_DIR under a file (ENOTDIR at mkdir) is a configuration error of every process, naming the file', () => {
    writeFileSync(join(dir, 'file'), '');
    const dataDir = join(dir, 'file', 'data');
    expect(() => loadConfigWithoutTokens({ DATA_DIR: dataDir })).toThrow(ConfigurationError);
    expect(() => loadConfigWithoutTokens({ DATA_DIR: dataDir })).toThrow(
      `DATA_DIR ${dataDir} は使えません: 経路の ${join(dir, 'file')} がファイルです（ディレクトリではありません） / DATA_DIR ${dataDir} cannot be used: ${join(dir, 'file')} on its path is a file, not a directory`,
    );
  });

  it('a PERSONAL_DATA_KEY_FILE that is a directory, or under a file, is refused where the key store is opened', () => {
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'file'), '');
    expect(() => assertUsableDataPaths(paths(dir, join(dir, 'keys')), { writes: false, keyStore: true })).toThrow(`PERSONAL_DATA_KEY_FILE ${join(dir, 'keys')} cannot be used: it is a directory, not a file`);
    expect(() => assertUsableDataPaths(paths(dir, join(dir, 'file', 'k.sqlite')), { writes: true, keyStore: true })).toThrow(/^PERSONAL_DATA_KEY_FILE .* は使えません: .* \/ PERSONAL_DATA_KEY_FILE .*k\.sqlite cannot be used: .*file on its path is a file, not a directory$/);
    // A reader of the events as stored (verify) opens no key store: the setting is not its.
    expect(() => assertUsableDataPaths(paths(dir, join(dir, 'keys')), { writes: false, keyStore: false })).not.toThrow();
    expect(() => assertUsableDataPaths(paths(join(dir, 'new', 'data')), { writes: true, keyStore: true })).not.toThrow();
  });

  withReadOnlyMount('on read-only media a process that writes is refused naming DATA_DIR (a store there, or one to be made below it); a reader is not', () => {
    const disk = new TmpfsDisk('1m');
    try {
      disk.mount();
      const store = join(disk.mountPoint, 'data');
      mkdirSync(store);
      writeFileSync(join(store, 'personal-data-keys.sqlite'), '');
      expect(run('mount', ['-o', 'remount,ro', disk.mountPoint]).ok).toBe(true);
      for (const dataDir of [store, join(disk.mountPoint, 'new', 'data')]) {
        expect(() => assertUsableDataPaths(paths(dataDir), { writes: true, keyStore: true })).toThrow(new RegExp(`^DATA_DIR ${dataDir} は使えません: .*読み取り専用のファイルシステム.* / DATA_DIR ${dataDir} cannot be used: .* cannot be written \\(read-only file system\\)$`));
      }
      expect(() => assertUsableDataPaths(paths(store), { writes: false, keyStore: true })).not.toThrow();
    } finally {
      disk.dispose();
    }
  });
});
