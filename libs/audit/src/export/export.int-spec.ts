import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { GENESIS_HASH, computeEventHash, type EventStore, type ReadAllOptions, type RecordedEvent } from '@nws/event-store';
import type { ExportTrailer } from './export-format';
import { Sealer } from '../integrity/sealer';
import { WITNESS_FILE, WitnessFile } from '../integrity/witness-file';
import { seedStore, tempStore } from '../testing/seed-store';
import { csvField, japanTime } from './csv-row';
import { exportEvents, type ExportOptions } from './event-exporter';
import { verifyExportFile } from './export-file-verifier';

const N = 5_000;

describe(`export: ${N} events streamed, verified offline; one changed line is detected`, () => {
  let temp: ReturnType<typeof tempStore>;
  let store: EventStore;
  let witness: WitnessFile;
  let file: string;

  beforeAll(async () => {
    temp = tempStore('nws-export-');
    store = temp.open();
    witness = new WitnessFile(join(temp.dir, WITNESS_FILE));
    const sealer = new Sealer(store, { witness, debounceMs: 5, maxEvents: 1000 });
    await sealer.start();
    await seedStore(store, { events: N, payloadChars: 300 });
    await sealer.stop({ flush: true });
    file = join(temp.dir, 'export.jsonl');
  }, 60_000);
  afterAll(async () => {
    await store.close();
    temp.remove();
  });

  async function exportTo(path: string, options: ExportOptions, source: EventStore = store) {
    const out = createWriteStream(path);
    const summary = await exportEvents(source, out, options);
    out.end();
    await finished(out);
    return summary;
  }

  it('streams with a bounded read-ahead (constant memory) and the file verifies offline', async () => {
    // Counts how far reading the store runs ahead of what reached the file: bounded by the page
    // and write-chunk sizes whatever N is, so memory does not grow with the export.
    let read = 0;
    let maxAhead = 0;
    const out = { written: 0 };
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      readAll: (options?: ReadAllOptions) =>
        (async function* () {
          for await (const event of store.readAll(options)) {
            read += 1;
            maxAhead = Math.max(maxAhead, read - out.written);
            yield event;
          }
        })(),
    });
    const stream = createWriteStream(file);
    const write = stream.write.bind(stream) as (chunk: string, encoding: BufferEncoding) => boolean;
    stream.write = ((chunk: string, encoding: BufferEncoding) => {
      out.written += (chunk.match(/\n/g) ?? []).length;
      return write(chunk, encoding);
    }) as typeof stream.write;
    const summary = await exportEvents(counting, stream, { format: 'jsonl', witness, eventStoreKind: 'sqlite' });
    stream.end();
    await finished(stream);

    const head = await store.headPosition();
    expect(summary.events).toBe(head);
    expect(maxAhead).toBeLessThan(200);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(head + 2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ position: 1, metadata: { integrity: { hash: expect.stringMatching(/^sha256:/) } } });

    const report = await verifyExportFile(file, { witness });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ valid: true, scope: 'store', checkedEvents: head, unsealedEvents: 0 });
    expect(report.sealsChecked).toBeGreaterThanOrEqual(5);
    expect(report.witnessSealsChecked).toBe(report.sealsChecked);
  });

  it('one changed byte in one line is reported at that line and event', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const target = 2500;
    const event = JSON.parse(lines[target - 1]!);
    lines[target - 1] = lines[target - 1]!.replace('第', '弟');
    const tampered = join(temp.dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const report = await verifyExportFile(tampered);
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(['hash-mismatch', 'digest-mismatch']);
    expect(report.problems[0]).toMatchObject({ line: target, streamId: event.streamId, revision: event.revision, position: event.position });
  });

  it('edits the per-stream chain cannot see are caught too: a re-dated event, a dropped last line, a cut-off file', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const redated = [...lines];
    redated[100] = redated[100]!.replace(/"recordedAt":"[^"]+"/, '"recordedAt":"2020-01-01T00:00:00.000Z"');
    writeFileSync(join(temp.dir, 'redated.jsonl'), redated.join('\n'));
    // The line was edited after the export: its trailer's rolling hash says so too (a seal's mismatch no longer resets the hash the trailer is compared with).
    expect((await verifyExportFile(join(temp.dir, 'redated.jsonl'))).problems.map((p) => p.kind)).toEqual(['seal-mismatch', 'digest-mismatch', 'trailer-mismatch']);

    const lastEvent = lines.length - 3;
    const dropped = lines.filter((_, i) => i !== lastEvent);
    writeFileSync(join(temp.dir, 'dropped.jsonl'), dropped.join('\n'));
    const droppedReport = await verifyExportFile(join(temp.dir, 'dropped.jsonl'));
    expect(droppedReport.valid).toBe(false);
    expect(droppedReport.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['digest-mismatch', 'trailer-mismatch']));

    writeFileSync(join(temp.dir, 'cut.jsonl'), lines.slice(0, 3000).join('\n'));
    expect((await verifyExportFile(join(temp.dir, 'cut.jsonl'))).problems.map((p) => p.kind)).toContain('trailer-missing');
  });

  it('an edited header is reported as an edited file, not blamed on the store: what it says of the store is not concluded from', async () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const header = JSON.parse(lines[0]!);
    const head = header.source.headPosition as number;
    expect(header.source.highWaterMark).toBe(head);
    // given only the header's head lowered (as if the store had lost its newest events before the export)
    const lowered = [JSON.stringify({ ...header, source: { ...header.source, headPosition: head - 5 } }), ...lines.slice(1)];
    writeFileSync(join(temp.dir, 'header-head.jsonl'), lowered.join('\n'));
    const report = await verifyExportFile(join(temp.dir, 'header-head.jsonl'), { witness });
    // then the edit is found, and the store is not said to have lost anything
    expect(report.problems.map((p) => p.kind)).toEqual(['digest-mismatch']);
    expect(report.warnings.join('\n')).toMatch(/the header says the store had already lost its newest events .* but the file's digest does not match, so the header may have been altered/);

    // given the witness seal the header names moved past the file's end: found against the file, and said to be the header's
    const seal = header.source.witness;
    expect(seal).not.toBeNull();
    const moved = [JSON.stringify({ ...header, source: { ...header.source, witness: { ...seal, toPosition: head + 10 } } }), ...lines.slice(1)];
    writeFileSync(join(temp.dir, 'header-witness.jsonl'), moved.join('\n'));
    const movedReport = await verifyExportFile(join(temp.dir, 'header-witness.jsonl'));
    expect(movedReport.problems.map((p) => p.kind)).toContain('digest-mismatch');
    const fromHeader = movedReport.problems.filter((p) => p.message.includes('witness (as exported) seal'));
    expect(fromHeader.length).toBeGreaterThan(0);
    for (const problem of fromHeader) expect(problem.message).toMatch(/per the header, which may have been altered: the file's digest does not match/);
  });

  it('a forged application export (an event changed, every hash, the trailer and the digest recomputed) is not VALID against the witness', async () => {
    const appFile = join(temp.dir, 'app-forged-source.jsonl');
    await exportTo(appFile, { format: 'jsonl', streamId: 'application-seed-4', applicationId: 'seed-4' });
    const [headerLine, ...rest] = readFileSync(appFile, 'utf8').trimEnd().split('\n');
    const trailer = JSON.parse(rest.pop()!) as ExportTrailer;
    let prevHash = GENESIS_HASH;
    const events = rest.map((line, index) => {
      const event = JSON.parse(line) as RecordedEvent;
      const data = index === 0 ? { ...event.data, forged: '偽装市' } : event.data;
      const { integrity: _old, ...metadata } = event.metadata;
      const hash = computeEventHash({ ...event, data, metadata }, prevHash);
      const forged = { ...event, data, metadata: { ...metadata, integrity: { hash, prevHash } } };
      prevHash = hash;
      return JSON.stringify(forged);
    });
    const body = [headerLine!, ...events].map((line) => `${line}\n`).join('');
    const linesDigest = `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
    const forgedFile = join(temp.dir, 'app-forged.jsonl');
    writeFileSync(forgedFile, `${body}${JSON.stringify({ ...trailer, lastHashes: { 'application-seed-4': prevHash }, linesDigest })}\n`);
    const report = await verifyExportFile(forgedFile, { witness });
    // The file is consistent with itself (nothing offline can tell), and the verdict says the anchoring check was impossible.
    expect(report).toMatchObject({ valid: true, complete: false, problems: [] });
  });

  it('a store export whose last lines were dropped (a seal among them) and its trailer recomputed: the head and the witness say so', async () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]!) as { source: { headPosition: number } };
    const trailer = JSON.parse(lines.at(-1)!) as ExportTrailer;
    const events = lines.slice(1, -1);
    const lastSeal = events.findLastIndex((line) => line.includes('"streamId":"store-seals"'));
    const kept = events.slice(0, lastSeal);
    const body = [lines[0]!, ...kept].map((line) => `${line}\n`).join('');
    const last = JSON.parse(kept.at(-1)!) as RecordedEvent;
    const recomputed = { ...trailer, events: kept.length, lastPosition: last.position, linesDigest: `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}` };
    // The rolling hash covers events only, and the dropped lines end with a seal: it may stand; recomputed anyway if not.
    const cut = join(temp.dir, 'store-cut.jsonl');
    writeFileSync(cut, `${body}${JSON.stringify(recomputed)}\n`);
    const report = await verifyExportFile(cut, { witness });
    expect(header.source.headPosition).toBeGreaterThan(last.position);
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['head-mismatch', 'seal-missing-from-export']));
  });

  it('exports one application stream and verifies it; CSV is RFC 4180 with an optional BOM', async () => {
    const appFile = join(temp.dir, 'app.jsonl');
    const summary = await exportTo(appFile, { format: 'jsonl', streamId: 'application-seed-3', applicationId: 'seed-3' });
    expect(summary.events).toBe(50);
    expect(summary.trailer?.seal?.sequence).toBeGreaterThan(0);
    // Its chain holds; against the witness it cannot be held (the seals cover the store): said, not VALID.
    const appReport = await verifyExportFile(appFile, { witness });
    expect(appReport).toMatchObject({ valid: true, complete: false, scope: 'application', checkedEvents: 50, problems: [] });
    expect(appReport.warnings.join('\n')).toContain('an application export is checked against itself only, with or without a witness');
    expect(await verifyExportFile(appFile)).toMatchObject({ valid: true, complete: false, warnings: [expect.stringContaining('a copy whose events were changed and every hash recomputed verifies too')] });

    const csv = join(temp.dir, 'app.csv');
    await exportTo(csv, { format: 'csv', streamId: 'application-seed-3', bom: true });
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('\uFEFFposition,stream_id,revision,type,')).toBe(true);
    expect(text).toContain('"第0版, ""引用"", 改行\nあり"');
    expect(text.split('\r\n').filter((l) => /^\d+,application-seed-3,/.test(l))).toHaveLength(50);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(42)).toBe('42');
    // Beside the UTC instant, the time in Japan as Excel reads it (the day changes at 15:00 UTC).
    expect([japanTime('2026-12-07T15:30:05.123Z'), japanTime('2026-12-07T04:26:10.117+00:00'), japanTime('not a time'), japanTime(undefined)]).toEqual(['2026/12/08 00:30:05', '2026/12/07 13:26:10', null, null]);
    const [header, first] = text.slice(1).split('\r\n');
    const columns = header!.split(',');
    const row = first!.split(',');
    expect(row[columns.indexOf('occurred_at_jst')]).toBe(japanTime(row[columns.indexOf('occurred_at')]));
  });
});

