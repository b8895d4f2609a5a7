import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver } from '../../apps/api/src/testing/drive';
import { ApiProcess } from './api-process';

describe('ApiProcess (the API from its sources in a child process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nws-child-'));
  let api: ApiProcess | undefined;
  afterAll(async () => {
    await api?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps an acknowledged transition across SIGKILL and restarts on the same port and data', async () => {
    api = await ApiProcess.start({ dataDir, mode: 'source', readyTimeoutMs: 60_000 });
    const drive = new Driver(api);
    const id = await drive.draftWithForms();
    expect((await drive.act('applicant', id, 'submit')).status).toBe(200);
    // The bench's CPU per save: the whole process, and its main thread within it, grow with work.
    const cpu = api.cpuTime();
    expect(cpu).toBeDefined();
    expect(cpu!.mainMs).toBeGreaterThan(0);
    expect(cpu!.allMs).toBeGreaterThanOrEqual(cpu!.mainMs);
    await drive.draftWithForms();
    expect(api.cpuTime()!.mainMs).toBeGreaterThan(cpu!.mainMs);
    const firstPid = api.pid;
    await api.restart();
    expect(api.pid).not.toBe(firstPid);
    const after = await drive.as('applicant', 'GET', `/applications/${id}`);
    expect(after.status).toBe(200);
    expect(after.body.id).toBe(id);
    expect(after.body.state).toBe('firstReview');
  });
});
