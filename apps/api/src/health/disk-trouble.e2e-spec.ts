import { eventually } from '../testing/eventually';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@nws/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';
import { canFailExt4, canMountTmpfs, fillDisk, run } from '../../../../test/support/real-disk';

/** The disk's problems are seen by timers and retries: probed less often, waited for longer. */
const eventuallySlow = <T>(probe: () => Promise<T>, done: (value: T) => boolean) => eventually(probe, done, { timeoutMs: 15_000, everyMs: 50 });

/**
 * A real disk: DATA_DIR on a small file system of its own, really filled, and really turned
 * read-only under the running API. Needs root (mount); without it these tests are reported as
 * skipped, never passed. The portable version (max_page_count) is disk-full.e2e-spec.ts.
 */

const maybeTmpfs = canMountTmpfs() ? describe : describe.skip;
const maybeExt4 = canMountTmpfs() && canFailExt4() ? describe : describe.skip;

function headOf(server: TestServer): Promise<number> {
  return server.app.get<EventStore>(EVENT_STORE).headPosition();
}

maybeTmpfs('DATA_DIR on a real full disk (tmpfs)', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'nws-full-disk-'));
  let mounted = false;
  let server: TestServer | undefined;

  beforeAll(async () => {
    const mount = run('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint]);
    if (!mount.ok) throw new Error(`mount: ${mount.output}`);
    mounted = true;
    server = await TestServer.start({ dataDir: mountPoint, env: { PROJECTION_RETRY_DELAY_MS: '20' } });
  });
  afterAll(async () => {
    await server?.stop(false);
    // Files still open after a failed assertion keep the mount busy: detach it lazily then.
    if (mounted && !run('umount', [mountPoint]).ok) run('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('refuses writes with 503 (disk full, nothing recorded), answers reads, and takes writes again once space is freed — no restart', async () => {
    const api = server!;
    const driver = new Driver(api);
    const id = await driver.draftWithForms();
    const { create, forms } = await driver.examples();
    const history = (await driver.as('applicant', 'GET', `/applications/${id}/history`)).body;

    const filler = fillDisk(mountPoint);
    expect(statfsSync(mountPoint).bavail).toBe(0);

    // SQLite may still take a write into room the file system had already given it (the WAL file,
    // started again from its beginning after a checkpoint): stored durably and answered 201, as
    // the README says. The disk refuses once that room is used up.
    const accepted: string[] = [];
    let refused = await driver.as('applicant', 'POST', '/applications', create);
    while (refused.status === 201 && accepted.length < 1_000) {
      accepted.push((refused.body as { id: string }).id);
      refused = await driver.as('applicant', 'POST', '/applications', create);
    }
    expect(refused.status).toBe(503);
    const head = await headOf(api);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'full' });
    expect(refused.body.messages.en).toMatch(/disk is full.*nothing was recorded/);
    expect(refused.body.messages.ja).toMatch(/ディスクの空き容量が不足/);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(503);
    expect((await driver.as('applicant', 'PUT', `/applications/${id}/forms/${forms[0]!.code}`, forms[0]!.example)).status).toBe(503);
    expect(await headOf(api)).toBe(head);

    // Reads: the applicant's own, and a reviewer's, whose reads of personal data are access-logged
    // (the log entries wait in memory until the disk takes them).
    expect((await driver.as('applicant', 'GET', '/applications')).status).toBe(200);
    expect((await driver.as('applicant', 'GET', `/applications/${id}`)).body.state).toBe('draft');
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(history);
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).status).toBe(200);
    expect((await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' })).status).toBe(200);
    const health = await api.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', storage: { state: 'full', writesAccepted: false, dataDir: 'full', eventStore: { problem: 'full' } } });
    expect(health.body.storage.accessLogBacklog).toBeGreaterThan(0);
    expect((await api.request('GET', '/metrics')).body).toMatch(/^nws_storage_writable 0$/m);

    unlinkSync(filler);

    const created = await driver.as('applicant', 'POST', '/applications', create);
    expect(created.status).toBe(201);
    const submitted = await driver.act('applicant', id, 'submit');
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe('firstReview');
    // The projections catch up; the waiting access-log entries are written with the next one.
    await eventuallySlow(
      () => driver.as('applicant', 'GET', '/applications'),
      (r) => (r.body as Array<{ id: string; state: string }>).some((a) => a.id === created.body.id) && (r.body as Array<{ id: string; state: string }>).some((a) => a.id === id && a.state === 'firstReview'),
    );
    // What the full disk still took (into room already allocated) was stored, not lost.
    const listed = new Set(((await driver.as('applicant', 'GET', '/applications?limit=1000')).body as Array<{ id: string }>).map((a) => a.id));
    expect(accepted.filter((acceptedId) => !listed.has(acceptedId))).toEqual([]);
    expect((await driver.as('auditor', 'GET', `/applications/${id}/history`, undefined, { 'x-access-purpose': 'audit' })).status).toBe(200);
    const healthy = await api.request('GET', '/health');
    expect(healthy.body).toMatchObject({ status: 'ok', storage: { state: 'ok', writesAccepted: true, dataDir: 'ok', eventStore: null, accessLogBacklog: 0 } });
    // Nothing half-written: the chain of the application verifies.
    const verified = await driver.as('auditor', 'GET', `/applications/${id}/verify`, undefined, { 'x-access-purpose': 'audit' });
    expect(verified.status).toBe(200);
    expect(verified.body.valid).toBe(true);
  });
});

/**
 * Read-only under a running process. `mount -o remount,ro` is refused (EBUSY) while any file is
 * open for writing — and SQLite keeps its files open — so the real way a data directory turns
 * read-only under a server is the kernel's: ext4 with errors=remount-ro, after a disk error. The
 * test causes exactly that on a loop-mounted ext4 image. The kernel then wants the file system
 * unmounted and checked before it is writable again, so recovery here is the operator's: stop,
 * fsck, mount, start — and every write acknowledged before is still there.
 */
maybeExt4('DATA_DIR turned read-only under the running API (ext4 errors=remount-ro)', () => {
  const work = mkdtempSync(join(tmpdir(), 'nws-ro-disk-'));
  const image = join(work, 'data.img');
  const mountPoint = join(work, 'data');
  let mounted = false;
  let server: TestServer | undefined;

  function mountImage(): void {
    const mount = run('mount', ['-o', 'loop,errors=remount-ro', image, mountPoint]);
    if (!mount.ok) throw new Error(`mount: ${mount.output}`);
    mounted = true;
  }
  function unmountImage(): void {
    if (mounted && !run('umount', [mountPoint]).ok) run('umount', ['-l', mountPoint]);
    mounted = false;
  }

  beforeAll(async () => {
    mkdirSync(mountPoint);
    closeSync(openSync(image, 'w'));
    if (!run('truncate', ['-s', '48M', image]).ok || !run('mkfs.ext4', ['-q', '-F', image]).ok) throw new Error('cannot make the ext4 image');
    mountImage();
    server = await TestServer.start({ dataDir: mountPoint });
  });
  afterAll(async () => {
    await server?.stop(false);
    unmountImage();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses writes with 503 (read-only, nothing recorded) and answers reads; after fsck and a restart every acknowledged write is there and writes work', async () => {
    const driver = new Driver(server!);
    const id = await driver.draftWithForms();
    const { create } = await driver.examples();
    const history = (await driver.as('applicant', 'GET', `/applications/${id}/history`)).body;
    const head = await headOf(server!);

    const device = run('findmnt', ['-n', '-o', 'SOURCE', mountPoint]).output.trim().replace(/^\/dev\//, '');
    const trigger = run('sh', ['-c', `echo 1 > /sys/fs/ext4/${device}/trigger_fs_error`]);
    expect(trigger.ok).toBe(true);

    const refused = await driver.as('applicant', 'POST', '/applications', create);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE', storage: 'read-only' });
    expect(refused.body.messages.en).toMatch(/read-only.*nothing was recorded/);
    expect(refused.body.messages.ja).toMatch(/読み取り専用/);
    expect((await driver.act('applicant', id, 'submit')).status).toBe(503);
    expect(await headOf(server!)).toBe(head);
    expect((await driver.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(history);
    expect((await driver.as('applicant', 'GET', '/applications')).status).toBe(200);
    expect((await driver.as('prefectureReviewer', 'GET', '/review-queue?stage=first')).status).toBe(200);
    const health = await server!.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', storage: { state: 'read-only', writesAccepted: false, dataDir: 'read-only' } });

    // The operator's recovery: stop, unmount, check, mount, start.
    await server!.stop(false);
    server = undefined;
    unmountImage();
    run('e2fsck', ['-f', '-y', image]);
    mountImage();
    server = await TestServer.start({ dataDir: mountPoint });
    const again = new Driver(server);
    expect((await again.as('applicant', 'GET', `/applications/${id}/history`)).body).toEqual(history);
    expect((await again.act('applicant', id, 'submit')).status).toBe(200);
    expect((await again.as('applicant', 'POST', '/applications', create)).status).toBe(201);
    expect((await server.request('GET', '/health')).body).toMatchObject({ storage: { state: 'ok' } });
    const verified = await again.as('auditor', 'GET', `/applications/${id}/verify`, undefined, { 'x-access-purpose': 'audit' });
    expect(verified.body.valid).toBe(true);
  });
});
