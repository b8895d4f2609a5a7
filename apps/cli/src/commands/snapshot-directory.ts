import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from 'commander';

export interface SnapshotDirectory {
  readonly path: string;
  /** Made by this run: removed again if the snapshot fails, so a second try finds no leftover. */
  readonly created: boolean;
}

/** --out, which has no default: a copy written where the user did not say would be looked for nowhere. */
export function requiredOut(out: string | undefined): string {
  if (out === undefined || out.trim() === '') {
    throw new InvalidArgumentError(
      '--out <dir> を指定してください。写しを書き出す新しいディレクトリ（または空のディレクトリ、DATA_DIR の外）です / --out <dir> is required: a new (or empty) directory outside DATA_DIR to write the copy to',
    );
  }
  return out;
}

/**
 * The directory a snapshot is written to: a new one (its parent existing), or an empty one, never
 * in DATA_DIR. A copy in DATA_DIR would be taken for the store's own files by whoever copies or
 * cleans the directory next, and an existing file in --out is never overwritten: a snapshot is
 * evidence, and a copy mixed with an older one's files is no copy of anything.
 */
export function prepareSnapshotDirectory(out: string, dataDir: string): SnapshotDirectory {
  const path = resolve(out);
  if (isWithin(realPathOf(path), realpathSync(dataDir))) {
    throw new InvalidArgumentError(
      `--out ${out} は DATA_DIR ${dataDir} の中です。DATA_DIR の外のディレクトリを指定してください（DATA_DIR には何も書きません） / --out ${out} is inside DATA_DIR ${dataDir}: name a directory outside it (nothing is written to DATA_DIR)`,
    );
  }
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new InvalidArgumentError(`--out ${out} はディレクトリではなくファイルです / --out ${out} is a file, not a directory`);
    const entries = readdirSync(path);
    if (entries.length > 0) {
      throw new InvalidArgumentError(
        `--out ${out} は空ではありません（${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ' …' : ''}）。新しいディレクトリか空のディレクトリを指定してください（既存のファイルは上書きしません） / ` +
          `--out ${out} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ' …' : ''}): name a new or empty directory (no file is overwritten)`,
      );
    }
    return { path, created: false };
  }
  if (!existsSync(dirname(path))) {
    throw new InvalidArgumentError(`--out ${out}: ディレクトリ ${dirname(path)} がありません / --out ${out}: the directory ${dirname(path)} does not exist`);
  }
  mkdirSync(path);
  return { path, created: true };
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest: a symbolic link into DATA_DIR is inside it. */
function realPathOf(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOf(parent), basename(path));
}

function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
