import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ProblemLog, type VerificationReport } from '../integrity/integrity-report';
import { SEAL_STREAM, parseSeal, type SealRecord } from '../integrity/seal';
import { SealCursor, SequenceVerifier } from '../integrity/sequence-verifier';
import type { WitnessFile } from '../integrity/witness-file';
import { EXPORT_FORMAT, parseEventLine, type ExportHeader, type ExportTrailer } from './export-format';

/** The source of the seal the header names (the witness's newest as the exporter read it): see verifyExportFile. */
const HEADER_WITNESS = 'witness (as exported)';

export interface VerifyExportOptions {
  /** A copy of the witness file: seals sealed before the export began must all be in it. */
  readonly witness?: WitnessFile;
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

function lines(path: string, onBytes?: (bytes: number) => void): AsyncIterable<string> {
  const input = createReadStream(path, { encoding: 'utf8' });
  if (onBytes) input.on('data', () => onBytes(input.bytesRead));
  return createInterface({ input, crlfDelay: Infinity });
}

async function* single(seal: SealRecord): AsyncIterable<SealRecord> {
  yield seal;
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The seal events of a store-wide export, read by a second, lazy pass over the same file. */
async function* sealLines(path: string): AsyncIterable<SealRecord> {
  const marker = `"streamId":${JSON.stringify(SEAL_STREAM)}`;
  for await (const line of lines(path)) {
    if (!line.includes(marker)) continue;
    const event = parseEventLine(parse(line));
    const seal = event?.streamId === SEAL_STREAM ? parseSeal(event.data) : undefined;
    if (seal) yield seal;
  }
}

/**
 * Witness seals the export must contain: those up to the one the exporter saw (named in the
 * header), or — when the exporter had no witness — those sealed before the export began.
 */
async function* witnessedBefore(witness: WitnessFile, header: ExportHeader): AsyncIterable<SealRecord> {
  const upTo = header.source.witness?.sequence;
  for await (const seal of witness.read()) {
    if (upTo !== undefined ? seal.sequence > upTo : seal.sealedAt >= header.exportedAt) return;
    yield seal;
  }
}

/**
 * Verifies a JSON Lines export with nothing but the file (and optionally a copy of the witness):
 * every stream's chain, every seal's rolling hash (store scope), gaps, the trailer's counts and
 * hashes, and the digest of every line. Streams the file twice; memory does not grow with it.
 */
export async function verifyExportFile(path: string, options: VerifyExportOptions = {}): Promise<VerificationReport & { header: ExportHeader | null; trailer: ExportTrailer | null }> {
  const log = new ProblemLog();
  const totalBytes = statSync(path).size;
  const digest = createHash('sha256');
  let header: ExportHeader | null = null;
  let trailer: ExportTrailer | null = null;
  let verifier: SequenceVerifier | undefined;
  let witnessLog: SealCursor | undefined;
  let exportLog: SealCursor | undefined;
  let lineNumber = 0;
  for await (const line of lines(path, (bytes) => options.onProgress?.(bytes, totalBytes))) {
    lineNumber += 1;
    if (trailer) {
      if (line.trim() !== '') log.add({ kind: 'malformed-line', line: lineNumber, message: 'text after the trailer' });
      continue;
    }
    const value = parse(line) as Record<string, unknown> | undefined;
    if (lineNumber === 1) {
      if (value?.['exportRecord'] !== 'header' || value['format'] !== EXPORT_FORMAT) {
        log.add({ kind: 'header-missing', line: 1, message: `the first line is not the header of an ${EXPORT_FORMAT} file` });
        break;
      }
      header = value as unknown as ExportHeader;
      digest.update(`${line}\n`, 'utf8');
      const store = header.scope === 'store';
      exportLog = store ? new SealCursor('export', sealLines(path)) : undefined;
      const logs = exportLog ? [exportLog] : [];
      // The witness's newest seal as the exporter read it: the file must reach it, or events were removed before the export.
      if (store && header.source.witness) logs.push(new SealCursor(HEADER_WITNESS, single(header.source.witness)));
      if (store && options.witness) logs.push((witnessLog = new SealCursor('witness', witnessedBefore(options.witness, header))));
      verifier = new SequenceVerifier(log, { contiguousPositions: store && header.source.contiguousPositions, fromBeginning: store, rolling: store }, logs);
      continue;
    }
    if (value?.['exportRecord'] === 'trailer') {
      trailer = value as unknown as ExportTrailer;
      continue;
    }
    digest.update(`${line}\n`, 'utf8');
    const event = parseEventLine(value);
    if (!event) {
      log.add({ kind: 'malformed-line', line: lineNumber, message: 'not a stored event' });
      continue;
    }
    if (header?.scope === 'application' && event.streamId !== header.streamId) {
      log.add({ kind: 'foreign-event', line: lineNumber, streamId: event.streamId, position: event.position, message: `an event of another stream in an export of ${header.streamId}` });
    }
    await verifier!.accept(event, lineNumber);
  }

  if (header && verifier) {
    await verifier.finish('the export');
    const linesDigest = `sha256:${digest.digest('hex')}`;
    if (!trailer) log.add({ kind: 'trailer-missing', line: lineNumber, message: 'the file ends without its trailer: it was cut short' });
    else checkTrailer(trailer, header, verifier, linesDigest, log);
    // The header is one of the lines the digest covers: when it does not match, the header may be
    // the line that was edited, and what it says of the store (its head, its high-water mark, the
    // witness seal the exporter read) is no evidence about the store.
    const headerAltered = trailer !== null && trailer.linesDigest !== linesDigest;
    if (headerAltered) qualifyHeaderFindings(log);
    if (header.scope === 'store' && header.source.highWaterMark !== null && header.source.highWaterMark > header.source.headPosition) {
      const marks = `high-water mark position ${header.source.highWaterMark}, head position ${header.source.headPosition}`;
      if (headerAltered) log.warn(`the header says the store had already lost its newest events when it was exported (${marks}), but the file's digest does not match, so the header may have been altered: nothing is concluded about the store from it`);
      else log.add({ kind: 'head-below-high-water-mark', message: 'the store had already lost its newest events when it was exported', expected: `position ${header.source.highWaterMark}`, found: `position ${header.source.headPosition}` });
    }
    if (header.scope === 'store') checkEndOfStore(header, verifier, witnessLog, exportLog, headerAltered, log);
    if (header.scope === 'application') {
      if (options.witness && trailer?.seal) await checkSealWitnessed(trailer.seal, options.witness, log);
      // A seal hashes every event of the store up to it: one stream's events cannot be held to it,
      // with or without a witness. Nothing offline can tell such a file from a forged one: never VALID.
      log.incomplete = true;
      log.warn(
        'アプリケーション単位のエクスポートはファイル自身とだけ照合されます（ウィットネスの有無にかかわらず）。シールはストア全体を対象とし、1つのストリームを対象としないため、イベントを変更してすべてのハッシュを計算し直した写しも検証を通ります。ストア内のシール（証拠ディレクトリの `nws verify`）またはストア全体のエクスポート（ウィットネス付きの `nws verify --file`）で照合してください / ' +
          "an application export is checked against itself only, with or without a witness: the seals cover the whole store, not one stream, so a copy whose events were changed and every hash recomputed verifies too; hold the application to the seals in the store (`nws verify` of the evidence directory) or in a store-wide export (`nws verify --file` with the witness)",
      );
    } else if (!options.witness) {
      log.warn('no witness given (--witness): the file is checked against itself only; a file rewritten wholesale with fresh hashes is caught only against a witness copy');
    }
  }
  return {
    valid: log.count === 0,
    complete: !log.incomplete,
    scope: header?.scope ?? 'unknown',
    checkedEvents: verifier?.events ?? 0,
    streams: verifier?.chains.streamCount ?? 0,
    lastPosition: verifier?.position ?? 0,
    sealsChecked: exportLog?.checked ?? 0,
    witnessSealsChecked: witnessLog?.checked ?? 0,
    ...(verifier?.lastSeal ? { lastSeal: { sequence: verifier.lastSeal.sequence, toPosition: verifier.lastSeal.toPosition, sealHash: verifier.lastSeal.sealHash } } : {}),
    unsealedEvents: header?.scope === 'store' ? (verifier?.unsealedEvents ?? 0) : 0,
    problems: log.problems,
    moreProblems: log.more,
    warnings: log.warnings,
    header,
    trailer,
  };
}

/** Problems found against the header's witness seal say that it is the header's, which may have been altered. */
function qualifyHeaderFindings(log: ProblemLog): void {
  log.problems.forEach((problem, index) => {
    if (!problem.message.includes(`${HEADER_WITNESS} seal`)) return;
    log.problems[index] = { ...problem, message: `${problem.message} (per the header, which may have been altered: the file's digest does not match)` };
  });
}

function checkTrailer(trailer: ExportTrailer, header: ExportHeader, verifier: SequenceVerifier, digest: string, log: ProblemLog): void {
  const mismatch = (what: string, expected: unknown, found: unknown) =>
    log.add({ kind: 'trailer-mismatch', message: `the trailer's ${what} does not match the lines of the file`, expected: String(expected), found: String(found) });
  if (trailer.linesDigest !== digest) {
    log.add({ kind: 'digest-mismatch', message: 'the lines of the file are not the lines that were exported (a line was edited, added or removed)', expected: digest, found: trailer.linesDigest });
  }
  if (trailer.events !== verifier.events) mismatch('event count', verifier.events, trailer.events);
  if (verifier.events > 0 && trailer.lastPosition !== verifier.position) mismatch('last position', verifier.position, trailer.lastPosition);
  if (header.scope === 'store' && trailer.rollingHash !== verifier.rollingHash) mismatch('rolling hash', verifier.rollingHash, trailer.rollingHash);
  if (header.scope === 'application' && header.streamId) {
    const last = verifier.chains.lastHash(header.streamId) ?? null;
    if ((trailer.lastHashes?.[header.streamId] ?? null) !== last) mismatch(`last hash of ${header.streamId}`, last, trailer.lastHashes?.[header.streamId]);
  }
}

/**
 * A store-wide export holds the store up to its head as the header names it, and every seal sealed
 * before the export began. Its last lines dropped (a seal line among them) and the trailer
 * recomputed left a file that verified: the seal rolls over events only, so the seal line itself
 * was missed by no hash.
 */
function checkEndOfStore(header: ExportHeader, verifier: SequenceVerifier, witness: SealCursor | undefined, exported: SealCursor | undefined, headerAltered: boolean, log: ProblemLog): void {
  const head = header.source.headPosition;
  const ends = verifier.position;
  // Positions handed out without gaps (SQLite) end exactly at the head; others (EventStoreDB) never after it.
  if (verifier.events > 0 && (ends > head || (header.source.contiguousPositions && ends < head))) {
    const problem = { kind: 'head-mismatch' as const, message: `the file ends at position ${ends}, but the store's head was position ${head} when it was exported: ${ends < head ? 'its newest lines were removed' : 'lines were added after the export'}`, expected: `position ${head}`, found: `position ${ends}` };
    if (headerAltered) log.warn(`${problem.message}, says the header; but the file's digest does not match, so the header may have been altered: nothing is concluded from it`);
    else log.add(problem);
  }
  const newestExported = exported?.previous?.sequence ?? 0;
  // Only seals the exporter saw in the witness before it read the head are certainly in the file:
  // one sealed just before the export began may have been committed after the head was read (the
  // times compared to pick the witness's seals come from two clocks, perhaps two machines).
  const newestWitnessed = Math.min(witness?.previous?.sequence ?? 0, header.source.witness?.sequence ?? 0);
  if (newestWitnessed > newestExported) {
    log.add({
      kind: 'seal-missing-from-export',
      sealSequence: newestWitnessed,
      message: `witness seal ${newestWitnessed} was sealed before the export began, but the file's seals end at ${newestExported === 0 ? 'none' : `seal ${newestExported}`}: its lines were removed`,
      expected: `seal ${newestWitnessed}`,
      found: newestExported === 0 ? 'none' : `seal ${newestExported}`,
    });
  }
}

async function checkSealWitnessed(seal: SealRecord, witness: WitnessFile, log: ProblemLog): Promise<void> {
  for await (const witnessed of witness.read()) {
    if (witnessed.sequence !== seal.sequence) continue;
    if (witnessed.sealHash !== seal.sealHash) log.add({ kind: 'seal-mismatch', sealSequence: seal.sequence, message: 'the seal named in the trailer differs from the witness', expected: witnessed.sealHash, found: seal.sealHash });
    return;
  }
  log.add({ kind: 'seal-missing-from-witness', sealSequence: seal.sequence, message: 'the seal named in the trailer is not in the witness', expected: seal.sealHash, found: 'none' });
}
