import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAccessLog, type AccessLogEntry } from './access-log';
import { ACCESS_LOG_LIMIT, accessLogOf, type SubjectPlace } from './subject-disclosure';

describe("the reads a 開示 lists (real SQLite access log)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-disclosure-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (n: number, subjectIds: string[], fields: string[], route = '/applications/:id'): AccessLogEntry => ({
    at: `2026-12-07T10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000Z`,
    actor: { sub: 'tokyo-1', org: '130001', role: 'first-reviewer' },
    purpose: 'review',
    reference: null,
    method: 'GET',
    route,
    organizationCode: '132012',
    organizationKind: '市町村長部局',
    applicationId: 'app-1',
    subjectIds,
    fields,
    requestId: null,
  });
  const place = { applicationId: 'app-1', formCode: '02-02', field: 'data.form.emergencyContacts[0].mobile' } as SubjectPlace;

  it('given more reads than it lists, then the newest are listed (a diff read last among them), oldest first, and it says the list is not all', async () => {
    const log = new SqliteAccessLog(join(dir, 'access-log.sqlite'));
    const many = Array.from({ length: ACCESS_LOG_LIMIT + 5 }, (_, n) => read(n, ['ps-kobayashi'], ['forms.02-02.emergencyContacts[0].mobile']));
    await log.record(many);
    await log.record([read(ACCESS_LOG_LIMIT + 10, [], ['forms.02-02.emergencyContacts[0].mobile'], '/applications/:id/diff')]);
    const { accessLog, accessLogComplete } = accessLogOf(log, 'ps-kobayashi', [place]);
    expect(accessLogComplete).toBe(false);
    expect(accessLog).toHaveLength(ACCESS_LOG_LIMIT);
    expect(accessLog.at(-1)!.route).toBe('/applications/:id/diff');
    expect(accessLog.map((e) => e.seq)).toEqual([...accessLog.map((e) => e.seq)].sort((a, b) => a - b));
    log.close();
  });

  it('given fewer, then all are listed and it says so', async () => {
    const log = new SqliteAccessLog(join(dir, 'few.sqlite'));
    await log.record([read(1, ['ps-kobayashi'], ['forms.02-02.emergencyContacts[0].mobile']), read(2, [], ['forms.02-02.emergencyContacts[0].mobile'], '/applications/:id/diff')]);
    const { accessLog, accessLogComplete } = accessLogOf(log, 'ps-kobayashi', [place]);
    expect([accessLog.map((e) => e.route), accessLogComplete]).toEqual([['/applications/:id', '/applications/:id/diff'], true]);
    log.close();
  });
});
