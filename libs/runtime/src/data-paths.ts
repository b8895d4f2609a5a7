import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigurationError } from './configuration-error';

/** What a path setting must be: a directory the process keeps its files in, or a file of its own. */
export type PathKind = 'directory' | 'file';

type Said = { readonly ja: string; readonly en: string };

/** The path itself if it exists, else its nearest existing ancestor, with its stat; or why none can be looked at. */
function nearestExisting(path: string): { readonly path: string; readonly directory: boolean } | Said {
  for (let current = path; ; current = dirname(current)) {
    try {
      return { path: current, directory: statSync(current).isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way, which the walk up reaches and names.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ja: `${current} を参照できません（${code}）`, en: `${current} cannot be looked at (${code})` };
      if (dirname(current) === current) return { ja: `${current} がありません`, en: `${current} does not exist` };
    }
  }
}

/**
 * Why `path` cannot serve as a setting's directory or file, or undefined: a file where a directory
 * must be (the path itself or a part of it), a directory where the file must be, and, for a
 * process that writes there, a directory it cannot write (permissions, read-only media). Checked
 * at start, so the process stops naming the setting instead of with the stack of the first mkdir
 * or SQLite open that meets it.
 */
export function pathProblem(path: string, kind: PathKind, writes: boolean): Said | undefined {
  const found = nearestExisting(path);
  if (!('path' in found)) return found;
  if (found.path === path && kind === 'directory' && !found.directory) return { ja: 'ディレクトリではありません（ファイルです）', en: 'it is not a directory' };
  if (found.path === path && kind === 'file' && found.directory) return { ja: 'ディレクトリです（ファイルを指定してください）', en: 'it is a directory, not a file' };
  if (found.path !== path && !found.directory) return { ja: `経路の ${found.path} がファイルです（ディレクトリではありません）`, en: `${found.path} on its path is a file, not a directory` };
  if (!writes) return undefined;
  // Where new files go: the directory itself, the file's directory, or the ancestor mkdir would start from.
  const target = found.path !== path ? found.path : kind === 'directory' ? path : dirname(path);
  const checks: Array<[string, number]> = [[target, constants.W_OK | constants.X_OK]];
  if (found.path === path && kind === 'file') checks.push([path, constants.R_OK | constants.W_OK]);
  for (const [checked, mode] of checks) {
    try {
      accessSync(checked, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EROFS' ? { ja: '読み取り専用のファイルシステム', en: 'read-only file system' } : { ja: `権限がありません、${code}`, en: `permission denied, ${code}` };
      return { ja: `${checked} に書き込めません（${why.ja}）`, en: `${checked} cannot be written (${why.en})` };
    }
  }
  return undefined;
}

/** The same, as the ConfigurationError that names the setting (ja / en). */
export function assertUsablePath(setting: string, path: string, kind: PathKind, writes: boolean): void {
  const problem = pathProblem(path, kind, writes);
  if (problem !== undefined) throw new ConfigurationError(`${setting} ${path} は使えません: ${problem.ja} / ${setting} ${path} cannot be used: ${problem.en}`);
}

/**
 * DATA_DIR and, for a process that opens the key store, PERSONAL_DATA_KEY_FILE: usable as the
 * process uses them (`writes`: the API, the worker and the CLI's writing commands; the readers
 * of a copy on read-only media only read).
 */
export function assertUsableDataPaths(config: { readonly dataDir: string; readonly personalData: { readonly keyStoreFile: string } }, use: { readonly writes: boolean; readonly keyStore: boolean }): void {
  assertUsablePath('DATA_DIR', config.dataDir, 'directory', use.writes);
  if (use.keyStore) assertUsablePath('PERSONAL_DATA_KEY_FILE', config.personalData.keyStoreFile, 'file', use.writes);
}

/** Node's and SQLite's codes for a path a process may not or cannot open as it must (what the start-time check may miss: a race, an ACL). */
const UNUSABLE_PATH_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_PERM']);

export function isUnusablePathError(error: unknown): boolean {
  return UNUSABLE_PATH_CODES.has(String((error as { code?: unknown } | null)?.code));
}
