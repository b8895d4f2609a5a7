import { closeSync, createReadStream, existsSync, fstat, fstatSync, fsync, fsyncSync, ftruncate, ftruncateSync, mkdirSync, openSync, readSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseSeal, type SealRecord } from './seal';

export const WITNESS_FILE = 'seals.jsonl';

const fstatAsync = promisify(fstat);
const writeAsync = promisify(write) as (fd: number, buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
const fsyncAsync = promisify(fsync);
const ftruncateAsync = promisify(ftruncate);

/** A line of the witness file that is not a seal: reported, never silently skipped. */
export class MalformedWitnessLineError extends Error {
  constructor(readonly file: string, readonly line: number) {
    super(`${file}:${line < 0 ? 'last line' : line}: not a seal record`);
  }
}

/**
 * The append-only witness: every seal as one JSON line, fsync'd, outside the event database.
 * Someone who deletes the newest events — and their seals — from the database cannot make the
 * witness forget them. Keep it where the database's writers cannot rewrite it (a separate
 * volume with `chattr +a`, or shipped off the machine); here it is only ever appended to.
 */
export class WitnessFile {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  private opened(): number {
    if (this.fd === undefined) {
      const created = !existsSync(this.path);
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
      // A new file is durable only once its directory entry is: fsync the directory as well.
      if (created) fsyncDirectory(dirname(this.path));
    }
    return this.fd;
  }

  /**
   * The same as `append`, with the write and the fsync in libuv's pool: the sealer seals at least
   * once a second under load, and an fsync on the event loop held every request behind it. One at
   * a time (the sealer writes seals in order); a failed one is cut off as `append` does.
   */
  async appendDurably(seal: SealRecord): Promise<void> {
    const fd = this.opened();
    const size = (await fstatAsync(fd)).size;
    try {
      const line = Buffer.from(`${JSON.stringify(seal)}\n`, 'utf8');
      for (let offset = 0; offset < line.length; ) {
        const { bytesWritten } = await writeAsync(fd, line, offset, line.length - offset);
        if (bytesWritten <= 0) throw Object.assign(new Error(`${this.path}: nothing written (disk full?)`), { code: 'ENOSPC' });
        offset += bytesWritten;
      }
      await fsyncAsync(fd);
    } catch (error) {
      await ftruncateAsync(fd, size).catch(() => undefined);
      throw error;
    }
  }

  append(seal: SealRecord): void {
    const fd = this.opened();
    const size = fstatSync(fd).size;
    try {
      writeAll(fd, Buffer.from(`${JSON.stringify(seal)}\n`, 'utf8'), this.path);
      fsyncSync(fd);
    } catch (error) {
      // A full disk can take part of the line: cut it off, or the witness would end in a
      // malformed line and every later check would stop at it. The sealer writes it again later.
      try {
        ftruncateSync(fd, size);
      } catch {
        // the file system refuses even that (read-only): nothing was written then
      }
      throw error;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Every seal in file order, streamed (constant memory). A last line without its newline that is
   * no seal is a write the machine stopped in the middle of (append cuts a failed one off, but not
   * a crash): it holds no seal, so it is passed over, not read as a forged line.
   */
  async *read(): AsyncIterable<SealRecord> {
    if (!this.exists()) return;
    const torn = this.endsTorn();
    const lines = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let number = 0;
    let pending: { line: string; number: number } | undefined;
    const seal = (entry: { line: string; number: number }): SealRecord => {
      const parsed = parseJsonSeal(entry.line);
      if (!parsed) throw new MalformedWitnessLineError(this.path, entry.number);
      return parsed;
    };
    for await (const line of lines) {
      number += 1;
      if (pending) yield seal(pending);
      pending = line.trim() === '' ? undefined : { line, number };
    }
    if (pending && !(torn && parseJsonSeal(pending.line) === undefined)) yield seal(pending);
  }

  /** Whether the file ends without a newline: its last line was cut short by a stop mid-write. */
  private endsTorn(): boolean {
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  }

  /** The newest seal, read from the end of the file so a long witness costs nothing at start-up. */
  last(): SealRecord | undefined {
    if (!this.exists()) return undefined;
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      let tail = '';
      for (let end = size; end > 0; ) {
        const start = Math.max(0, end - 64 * 1024);
        const buffer = Buffer.alloc(end - start);
        readSync(fd, buffer, 0, buffer.length, start);
        tail = buffer.toString('utf8') + tail;
        const lines = tail.split('\n');
        // A torn last line (no newline after it, no seal in it) is passed over, as read() does.
        if (!tail.endsWith('\n') && parseJsonSeal(lines.at(-1) ?? '') === undefined) lines.pop();
        const complete = lines.filter((l) => l.trim() !== '');
        // A line is complete once a newline precedes it, or the file starts there.
        if (complete.length > 1 || start === 0) {
          const last = complete.at(-1);
          if (last === undefined) return undefined;
          const seal = parseJsonSeal(last);
          if (!seal) throw new MalformedWitnessLineError(this.path, -1);
          return seal;
        }
        end = start;
      }
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}

function parseJsonSeal(line: string): SealRecord | undefined {
  try {
    return parseSeal(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Writes all of `bytes`: a nearly full disk takes a short write without an error, and one that takes nothing is full. */
export function writeAll(fd: number, bytes: Buffer, path: string): void {
  for (let offset = 0; offset < bytes.length; ) {
    const written = writeSync(fd, bytes, offset, bytes.length - offset);
    if (written <= 0) throw Object.assign(new Error(`${path}: nothing written (disk full?)`), { code: 'ENOSPC' });
    offset += written;
  }
}

/** A directory's entries made durable (a file created or renamed in it); nothing on platforms that cannot open a directory. */
export function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the file itself is still fsync'd.
  }
}
