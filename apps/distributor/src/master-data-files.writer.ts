import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canonicalJson } from '@nws/event-store';
import type { PublishedEvent } from '@nws/distribution';
import { defaultOrganFor, isOrganizationKind, organKey } from '@nws/workflows/shared/organizations';
import { masterDataCsv, type VersionData } from './master-data.csv';

/** Points where a process can die inside a write; the unit tests "crash" the writer at them. */
export type DistributorStep = 'temp-written' | 'renamed' | 'published';
export type StepHook = (step: DistributorStep, detail: { organizationCode?: string; organizationKind?: string; version?: number; position?: number; file?: string }) => void;

export type PublishOutcome =
  | { readonly kind: 'written'; readonly path: string }
  /** The same version with the same content hash is already there: a redelivery, no second effect. */
  | { readonly kind: 'unchanged'; readonly path: string }
  /** Cannot be written as delivered: the consumer nacks it (it gets parked for an operator). */
  | { readonly kind: 'rejected'; readonly reason: string };

const TEMP = /^\..+\.tmp$/;
/** `.{name}.{pid}.{random}.tmp`: the writer's pid, so instances sharing a directory leave each other's writes alone. */
const TEMP_PID = /\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Writes each master-data version as `{code}/v{version}.json` and `.csv` under the output
 * directory — `{code}/` for the code's default organ (its 首長部局), `{code}.{slug}/` for another
 * organ of the same code (e.g. `130001.prefectural-board-of-education/`; organKey), since each
 * organ has versions of its own. Each file is written to a temp file, fsynced, renamed into place and the directory
 * fsynced (the two temp files at once, the renames one after the other), so a reader never sees a partial file and a power cut never leaves one. The JSON is
 * written last: its presence with the right content hash means the version is complete.
 * Start-up removes the temp files a crash left behind.
 */
export class MasterDataFiles {
  constructor(
    readonly root: string,
    private readonly step: StepHook = () => undefined,
  ) {}

  /**
   * Removes temp files of writes that never reached their rename: those of this process (it has
   * just started) and of processes no longer running on this host. Competing instances of one
   * group may share a directory on one host; across hosts, give each its own directory.
   */
  async recover(): Promise<number> {
    await mkdir(this.root, { recursive: true });
    let removed = 0;
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      for (const name of await readdir(join(this.root, entry.name))) {
        if (!TEMP.test(name) || writerAlive(name)) continue;
        await rm(join(this.root, entry.name, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async publish(event: PublishedEvent): Promise<PublishOutcome> {
    const data = event.data as Partial<VersionData>;
    const { organizationCode: code, version, contentHash, content } = data;
    if (typeof code !== 'string' || !/^[0-9A-Za-z-]{1,20}$/.test(code) || !Number.isInteger(version) || (version as number) < 1) {
      return { kind: 'rejected', reason: `not a master-data version: organizationCode ${JSON.stringify(code)}, version ${JSON.stringify(version)}` };
    }
    // Versions published before the organ was: the code's default organ, whose directory they always had.
    const organ = event.data['organizationKind'] ?? defaultOrganFor(code);
    if (!isOrganizationKind(organ)) return { kind: 'rejected', reason: `not a master-data version: organizationKind ${JSON.stringify(organ)} is not an organ` };
    if (typeof contentHash !== 'string' || content === null || typeof content !== 'object' || hashOf(content) !== contentHash) {
      return { kind: 'rejected', reason: `content of ${code} (${organ}) v${version} does not match its content hash ${String(contentHash)}` };
    }
    const dir = join(this.root, organKey(code, organ));
    const jsonPath = join(dir, `v${version}.json`);
    const csvPath = join(dir, `v${version}.csv`);
    const existing = readExistingHash(jsonPath);
    if (existing !== undefined) {
      if (existing !== contentHash) return { kind: 'rejected', reason: `${code} (${organ}) v${version} already exists with content hash ${existing}, delivered ${contentHash}` };
      if (exists(csvPath)) return { kind: 'unchanged', path: jsonPath };
    }
    const detail = { organizationCode: code, organizationKind: organ, version: version!, position: event.position };
    const versionData = { organizationCode: code, version: version!, contentHash, content } as VersionData;
    const document = {
      ...event.data,
      eventId: event.eventId,
      position: event.position,
      registeredAt: event.occurredAt,
    };
    this.ensureDir(dir);
    // Why synchronous calls: the distributor writes one version at a time, in order, so nothing
    // waits on its event loop meanwhile, and each asynchronous call is a round trip through
    // libuv's thread pool (measured: 1.7 ms against 1.0 ms for the whole write on an idle
    // machine, more under load). The two fsyncs of the temp files, the slow calls, still run at
    // once on the pool (one wait instead of two); the renames stay in order, each made durable
    // before the next, so the JSON never exists on disk without its CSV.
    const files = [
      { name: `v${version}.csv`, text: masterDataCsv(versionData) },
      { name: `v${version}.json`, text: `${JSON.stringify(document, null, 2)}\n` },
    ];
    const temps = writeTemps(dir, files);
    try {
      const synced = await Promise.allSettled(temps.map((temp) => fsyncAsync(temp.fd)));
      for (const outcome of synced) if (outcome.status === 'rejected') throw outcome.reason;
    } finally {
      for (const temp of temps) closeSync(temp.fd);
    }
    for (const file of files) this.step('temp-written', { ...detail, file: file.name });
    for (const [index, file] of files.entries()) {
      renameSync(temps[index]!.path, join(dir, file.name));
      this.step('renamed', { ...detail, file: file.name });
      // The rename is durable only once the directory entry is.
      syncDirectory(dir);
    }
    this.step('published', detail);
    return { kind: 'written', path: jsonPath };
  }

  private ensureDir(dir: string): void {
    if (exists(dir)) return;
    mkdirSync(dir, { recursive: true });
    syncDirectory(this.root);
  }
}

const fsyncAsync = promisify(fsync);

/**
 * Writes each file's text to a fresh temp file beside it, open for the caller to fsync and close.
 * A failure closes what was opened; the temp files stay for `recover` to remove.
 */
function writeTemps(dir: string, files: ReadonlyArray<{ readonly name: string; readonly text: string }>): Array<{ readonly path: string; readonly fd: number }> {
  const temps: Array<{ path: string; fd: number }> = [];
  try {
    for (const file of files) {
      const path = join(dir, `.${file.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      temps.push({ path, fd: openSync(path, 'wx', 0o644) });
      writeFileSync(temps.at(-1)!.fd, file.text, 'utf8');
    }
    return temps;
  } catch (error) {
    for (const temp of temps) closeSync(temp.fd);
    throw error;
  }
}

/** Same recipe as the workflow's contentHash: SHA-256 of the RFC 8785 canonical JSON. */
export function hashOf(content: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

function writerAlive(tempName: string): boolean {
  const pid = Number(TEMP_PID.exec(tempName)?.[1] ?? Number.NaN);
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readExistingHash(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const hash = (JSON.parse(text) as { contentHash?: unknown }).contentHash;
    return typeof hash === 'string' ? hash : '';
  } catch {
    // Written atomically, so this is a file someone else put there: treat as a conflict, never overwrite.
    return '';
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
