import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '@nws/event-store';
import type { PublishedEvent } from '@nws/distribution';
import type { JsonObject } from '@nws/event-store';
import { defaultOrganFor, isOrganizationKind, organKey, parseOrganKey } from '@nws/workflows/shared/organizations';
import { masterDataCsv, type VersionData } from './master-data.csv';
import { exists, fsyncAsync, holdsExactly, syncDirectory, writeTemps } from './version-files.fs';

/** Points where a process can die inside a write; the unit tests "crash" the writer at them. */
export type DistributorStep = 'temp-written' | 'renamed' | 'published';
export type StepHook = (step: DistributorStep, detail: { organizationCode?: string; organizationKind?: string; version?: number; position?: number; file?: string }) => void;

export type PublishOutcome =
  | { readonly kind: 'written'; readonly path: string }
  /** Both files are already what this version as shown makes (a redelivery): no second effect. */
  | { readonly kind: 'unchanged'; readonly path: string }
  /** Cannot be written as delivered: the consumer nacks it (it gets parked for an operator). */
  | { readonly kind: 'rejected'; readonly reason: string };

const TEMP = /^\..+\.tmp$/;
/** `.{name}.{pid}.{random}.tmp`: the writer's pid, so instances sharing a directory leave each other's writes alone. */
const TEMP_PID = /\.(\d+)\.[0-9a-f]+\.tmp$/;
/** Where the empty files made ahead of time wait (see `MasterDataFiles.spares`); a dot name, never an organ's directory. */
export const SPARES_DIR = '.spares';
/** One version's two files. */
const SPARES_WANTED = 2;

/**
 * Writes each master-data version as `{code}/v{version}.json` and `.csv` under the output
 * directory — `{code}/` for the code's default organ (its 首長部局), `{code}.{slug}/` for another
 * organ of the same code (e.g. `130001.prefectural-board-of-education/`; organKey), since each
 * organ has versions of its own. Each file is written to a temp file (a spare made ahead of time when
 * one is ready, see `spares`), fsynced, renamed into place and the directory fsynced (the two temp
 * files at once, the renames one after the other), so a reader never sees a partial file and a power
 * cut never leaves one. The JSON is written last, so a JSON on disk always has a CSV beside it.
 * Start-up removes the temp files (and spares) a crash left behind.
 *
 * The invariant: a version's files are left alone ("unchanged") only when both are what the
 * version as shown now makes — the JSON's content hashes to the shown hash, and the CSV's bytes
 * are exactly what `masterDataCsv` makes of that content; whichever differs is rewritten. The JSON
 * alone cannot vouch for the CSV: a crash between the two renames of a rewrite leaves the CSV one
 * view ahead of the JSON, and if the view then goes back (利用停止 lifted, killed, suspended again)
 * the JSON matches the view while the CSV still shows the person. The check needs no marker, so it
 * holds at every crash point: each file on disk is always a whole file (fsynced before its rename)
 * of the old view or the new, whether or not a rename or the directory's fsync made it to disk,
 * and the event whose write was cut short was not acknowledged, so its redelivery (or a later
 * notice, or the refresh on start) compares both again. No order of the renames would close that
 * gap by itself — between them one file shows the old view whichever goes first — so the order
 * stays the one that keeps a JSON from existing without its CSV.
 */
export class MasterDataFiles {
  /**
   * Empty temp files this process made ahead of time, in `{root}/.spares/`, each renamed into a
   * version's directory once written. Why: creating a file waits for the file system's journal,
   * which the API's commits on the same disk keep busy. Traced in the approval → file run: making
   * and writing a version's two files took 0.93 ms at the median and 4.2 ms at p99; writing into
   * spares, 0.40 and 1.3 ms. Made after a version is on disk, never while its fsyncs run (the new
   * files would join the journal commit they wait for: the two fsyncs took 2.2 ms at the median
   * then, 0.8 ms now); when none is ready (the first version, or a burst), the write makes its own.
   */
  private readonly spares: string[] = [];
  private readonly making = new Set<Promise<void>>();
  private closed = false;

  constructor(
    readonly root: string,
    private readonly step: StepHook = () => undefined,
    private readonly options: {
      readonly spares?: boolean;
      /** The version as published now (the API's GET /master-data/organizations/{code}/versions/{version}?organ=): what `refresh` writes. */
      readonly current?: (code: string, organ: string, version: number) => Promise<Record<string, unknown>>;
    } = {},
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
        const path = join(this.root, entry.name, name);
        // An empty spare held no write: not counted among the interrupted ones.
        const interrupted = entry.name !== SPARES_DIR || statSync(path, { throwIfNoEntry: false })?.size !== 0;
        await rm(path, { force: true });
        if (interrupted) removed += 1;
      }
    }
    this.prepareSpares();
    return removed;
  }

  /** Removes the spares this process made (a stopped writer leaves nothing behind; a killed one's go at the next `recover`). */
  async close(): Promise<void> {
    this.closed = true;
    await this.sparesReady();
    for (const path of this.spares.splice(0)) {
      try {
        unlinkSync(path);
      } catch {
        // already gone: nothing to tidy
      }
    }
    try {
      rmdirSync(join(this.root, SPARES_DIR));
    } catch {
      // another instance's spares are still there, or there is no such directory
    }
  }

  /** Resolves once the spares being made are ready (or could not be made). */
  async sparesReady(): Promise<void> {
    await Promise.all([...this.making]);
  }

  /** Makes empty temp files until SPARES_WANTED are ready, in libuv's pool: nothing waits for them. */
  private prepareSpares(): void {
    if (this.options.spares === false) return;
    while (!this.closed && this.spares.length + this.making.size < SPARES_WANTED) {
      const making: Promise<void> = this.makeSpare()
        .then((path) => {
          if (!this.closed) this.spares.push(path);
          else return rm(path, { force: true });
        })
        // A spare that cannot be made costs nothing but speed: the write makes its own file.
        .catch(() => undefined)
        .finally(() => this.making.delete(making));
      this.making.add(making);
    }
  }

  private async makeSpare(): Promise<string> {
    const dir = join(this.root, SPARES_DIR);
    const path = join(dir, `.spare.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || this.closed) throw error;
      // Not recursive: if the output root itself is gone, there is nothing to make spares for.
      await mkdir(dir).catch((failed: NodeJS.ErrnoException) => {
        if (failed.code !== 'EEXIST') throw failed;
      });
      handle = await open(path, 'wx', 0o644);
    }
    await handle.close();
    return path;
  }

  async publish(event: PublishedEvent): Promise<PublishOutcome> {
    const data = event.data as Partial<VersionData>;
    const { organizationCode: code, version } = data;
    if (typeof code !== 'string' || !/^[0-9A-Za-z-]{1,20}$/.test(code) || !Number.isInteger(version) || (version as number) < 1) {
      return { kind: 'rejected', reason: `not a master-data version: organizationCode ${JSON.stringify(code)}, version ${JSON.stringify(version)}` };
    }
    // Versions published before the organ was: the code's default organ, whose directory they always had.
    const organ = event.data['organizationKind'] ?? defaultOrganFor(code);
    if (!isOrganizationKind(organ)) return { kind: 'rejected', reason: `not a master-data version: organizationKind ${JSON.stringify(organ)} is not an organ` };
    const shown = shownContent(event.data, `${code} (${organ}) v${version}`);
    if (typeof shown === 'string') return { kind: 'rejected', reason: shown };
    const dir = join(this.root, organKey(code, organ));
    const jsonPath = join(dir, `v${version}.json`);
    const existing = readExisting(jsonPath);
    if (existing !== undefined) {
      if (existing.contentHash !== shown.contentHash) {
        return { kind: 'rejected', reason: `${code} (${organ}) v${version} already exists with content hash ${existing.contentHash}, delivered ${shown.contentHash}` };
      }
      // The same version shown otherwise than on disk: a person withheld or shown again since one
      // of the two was fetched. Delivered copies can be older than the file (a redelivery, a
      // competing instance), so the version as published now decides, where it can be fetched.
      if (existing.shownHash !== shown.shownHash && this.options.current) return this.refreshVersion(code, organ, version!);
    }
    const document = { ...event.data, eventId: event.eventId, position: event.position, registeredAt: event.occurredAt };
    return this.write(dir, { organizationCode: code, organizationKind: organ, version: version!, position: event.position }, shown, document, existing);
  }

  /**
   * The versions of one organ on disk, each fetched again as published now and rewritten where it
   * shows otherwise (a 消去, 利用停止 or its lifting: see PUBLISHED_DATA_NOTICES). Needs `current`.
   */
  async refresh(code: string, organ: string): Promise<Array<{ readonly version: number; readonly outcome: PublishOutcome } | { readonly version: number; readonly error: unknown }>> {
    if (!isOrganizationKind(organ)) return [];
    const dir = join(this.root, organKey(code, organ));
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    // Each version once, whether its JSON, its CSV or both are there.
    const versions = [...new Set(names.map((name) => /^v([1-9]\d*)\.(?:json|csv)$/.exec(name)?.[1]).filter((v): v is string => v !== undefined).map(Number))].sort((a, b) => a - b);
    // One version the source cannot give (gone, refused) does not keep the others from being rewritten.
    const outcomes: Array<{ version: number; outcome: PublishOutcome } | { version: number; error: unknown }> = [];
    for (const version of versions) outcomes.push(await this.refreshVersion(code, organ, version).then((outcome) => ({ version, outcome }), (error: unknown) => ({ version, error })));
    return outcomes;
  }

  /** The organs with a directory of versions here (`{code}/`, `{code}.{slug}/`), as organKey names them. */
  async organsOnDisk(): Promise<Array<{ readonly code: string; readonly organ: string }>> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    return entries.flatMap((entry) => {
      const parsed = entry.isDirectory() ? parseOrganKey(entry.name) : undefined;
      return parsed ? [{ code: parsed.code, organ: parsed.kind }] : [];
    });
  }

  private async refreshVersion(code: string, organ: string, version: number): Promise<PublishOutcome> {
    const what = `${code} (${organ}) v${version}`;
    if (!this.options.current) return { kind: 'rejected', reason: `${what}: no source to fetch the version as published now` };
    const dir = join(this.root, organKey(code, organ));
    const jsonPath = join(dir, `v${version}.json`);
    const existing = readExisting(jsonPath);
    // A CSV without its JSON: a first write killed between the renames, whose redelivery writes the
    // JSON. Readers of the directory see that CSV meanwhile, so it follows the view too (the JSON,
    // with what the delivery records, is left to the redelivery).
    const orphan = existing === undefined && exists(join(dir, `v${version}.csv`));
    if (!orphan && (existing === undefined || existing.document === undefined)) return { kind: 'rejected', reason: `${what}: no complete copy on disk to refresh` };
    const shown = shownContent(await this.options.current(code, organ, version), what);
    if (typeof shown === 'string') return { kind: 'rejected', reason: shown };
    // (Only the orphan gets here without a document: anything else was refused above.)
    if (existing?.document === undefined) return this.write(dir, { organizationCode: code, organizationKind: organ, version }, shown, undefined, undefined);
    if (shown.contentHash !== existing.contentHash) return { kind: 'rejected', reason: `${what} on disk has content hash ${existing.contentHash}, the API's ${shown.contentHash}` };
    const { publishedContentHash: _was, ...kept } = existing.document;
    const document = { ...kept, content: shown.content, ...(shown.shownHash !== shown.contentHash ? { publishedContentHash: shown.shownHash } : {}) };
    const position = typeof kept['position'] === 'number' ? kept['position'] : undefined;
    return this.write(dir, { organizationCode: code, organizationKind: organ, version, ...(position !== undefined ? { position } : {}) }, shown, document, existing);
  }

  private async write(
    dir: string,
    detail: { organizationCode: string; organizationKind: string; version: number; position?: number },
    shown: ShownContent,
    /** Undefined: the CSV alone (no delivery to record). */
    document: Record<string, unknown> | undefined,
    existing: ExistingCopy | undefined,
  ): Promise<PublishOutcome> {
    const { version } = detail;
    const jsonPath = join(dir, `v${version}.json`);
    const csv = masterDataCsv({ organizationCode: detail.organizationCode, version, contentHash: shown.contentHash, content: shown.content } as VersionData);
    // Only what differs from the view is written (see the invariant above); the CSV stays first, so
    // a JSON written alone is one whose CSV is already right.
    const files = [
      ...(holdsExactly(join(dir, `v${version}.csv`), csv) ? [] : [{ name: `v${version}.csv`, text: csv }]),
      ...(document === undefined || (existing !== undefined && showsAsNow(existing, shown)) ? [] : [{ name: `v${version}.json`, text: `${JSON.stringify(document, null, 2)}\n` }]),
    ];
    const path = document === undefined ? join(dir, `v${version}.csv`) : jsonPath;
    if (files.length === 0) return { kind: 'unchanged', path };
    this.ensureDir(dir);
    // Why synchronous calls: the distributor writes one version at a time, in order, so nothing
    // waits on its event loop meanwhile, and each asynchronous call is a round trip through
    // libuv's thread pool (measured: 1.7 ms against 1.0 ms for the whole write on an idle
    // machine, more under load). The two fsyncs of the temp files, the slow calls, still run at
    // once on the pool (one wait instead of two); the renames stay in order, each made durable
    // before the next, so the JSON never exists on disk without its CSV.
    const temps = writeTemps(dir, files, () => this.spares.shift());
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
      syncDirectory(dir);
    }
    this.step('published', detail);
    // Only now: files created while this version's fsyncs run would join the journal commit they wait for.
    this.prepareSpares();
    return { kind: 'written', path };
  }

  private ensureDir(dir: string): void {
    if (exists(dir)) return;
    mkdirSync(dir, { recursive: true });
    syncDirectory(this.root);
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

/** A version's content as delivered or fetched, checked against the hash it comes with. */
interface ShownContent {
  /** The version's identity: the hash of its content as registered. */
  readonly contentHash: string;
  /** The hash of the content as shown: publishedContentHash where people are withheld, else contentHash. */
  readonly shownHash: string;
  readonly content: JsonObject;
}

/** The content and its hashes, or why they cannot be written. */
function shownContent(data: Record<string, unknown>, what: string): ShownContent | string {
  const { contentHash, content, publishedContentHash: published } = data;
  // Content sent with personal data withheld (a suspended or erased person) carries the hash of
  // what was sent beside the version's own: it is checked against that one.
  const expected = typeof published === 'string' ? published : contentHash;
  if (typeof contentHash !== 'string' || content === null || typeof content !== 'object' || Array.isArray(content) || hashOf(content) !== expected) {
    const which = typeof published === 'string' ? `its published content hash ${published}` : `its content hash ${String(contentHash)}`;
    return `content of ${what} does not match ${which}`;
  }
  return { contentHash, shownHash: expected, content: content as JsonObject };
}

interface ExistingCopy {
  readonly contentHash: string;
  readonly shownHash: string;
  /** Undefined when the file is not this writer's JSON (someone else put it there). */
  readonly document?: Record<string, unknown>;
}

function readExisting(path: string): ExistingCopy | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const document = JSON.parse(text) as Record<string, unknown>;
    const { contentHash, publishedContentHash } = document;
    if (typeof contentHash !== 'string') return { contentHash: '', shownHash: '' };
    return { contentHash, shownHash: typeof publishedContentHash === 'string' ? publishedContentHash : contentHash, document };
  } catch {
    // Written atomically, so this is a file someone else put there: treat as a conflict, never overwrite.
    return { contentHash: '', shownHash: '' };
  }
}

/** The JSON on disk holds the content as shown now: its shown hash, and content that hashes to it. */
function showsAsNow(existing: ExistingCopy, shown: ShownContent): boolean {
  return existing.shownHash === shown.shownHash && existing.document !== undefined && hashOf(existing.document['content']) === shown.shownHash;
}
