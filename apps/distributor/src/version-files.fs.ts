import { randomBytes } from 'node:crypto';
import { closeSync, fsync, fsyncSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The file system calls the writer makes its versions' files with (master-data-files.writer.ts). */

export const fsyncAsync = promisify(fsync);

/**
 * Writes each file's text to a temp file, open for the caller to fsync and close: a spare made
 * ahead of time (renamed across directories later, within the output root's file system) or else
 * a fresh one beside its file. A failure closes what was opened; the temp files stay for `recover`
 * to remove.
 */
export function writeTemps(dir: string, files: ReadonlyArray<{ readonly name: string; readonly text: string }>, spare: () => string | undefined): Array<{ readonly path: string; readonly fd: number }> {
  const temps: Array<{ path: string; fd: number }> = [];
  try {
    for (const file of files) {
      const ready = spare();
      // 'r+', not 'w': a spare is empty, and truncating it would be one more journalled change.
      const fd = ready === undefined ? undefined : openSpare(ready);
      if (fd !== undefined) temps.push({ path: ready!, fd });
      else {
        const path = join(dir, `.${file.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        temps.push({ path, fd: openSync(path, 'wx', 0o644) });
      }
      writeFileSync(temps.at(-1)!.fd, file.text, 'utf8');
    }
    return temps;
  } catch (error) {
    for (const temp of temps) closeSync(temp.fd);
    throw error;
  }
}

/** A spare someone removed meanwhile is no error: the write makes its own file instead. */
function openSpare(path: string): number | undefined {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** A rename is durable only once the directory entry is. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the file holds exactly this text as UTF-8, byte for byte (a missing file does not):
 * bytes, not decoded text, so a file with invalid UTF-8 never passes for one with U+FFFD.
 */
export function holdsExactly(path: string, text: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return bytes.equals(Buffer.from(text, 'utf8'));
}
