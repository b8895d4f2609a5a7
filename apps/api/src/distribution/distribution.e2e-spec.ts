import { PUBLISHED_DATA_NOTICES } from '@nws/distribution';
import { DistributionHarness } from './testing/distribution-harness';
import { SseClient } from './testing/sse-client';
import { actors } from '../testing/drive';
import { TestServer } from '../testing/test-server';

const VERSION = 'MasterDataVersionRegistered';
const APPROVAL = 'SecondReviewApproved';
/** From the published form examples: emergency contacts (緊急連絡先), responsible person, reviewers. */
const UNPUBLISHED = [/090-?1234-?5678/, /kinkyu/, /emergencyContacts/, /総務 花子/, /東京 太郎/, /住民制度課/, /"sub"/];

function expectPublishedOnly(payload: unknown): void {
  const text = JSON.stringify(payload);
  for (const pattern of UNPUBLISHED) expect(text).not.toMatch(pattern);
}

describe('downstream distribution over HTTP (real port)', () => {
  let h: DistributionHarness;
  beforeAll(async () => {
    h = await DistributionHarness.start({
      consumers: [
        { name: 'reference-distributor', eventTypes: [VERSION, APPROVAL] },
        { name: 'archive', eventTypes: [VERSION], maxDeliveries: 2 },
      ],
      ackTimeoutMs: 800,
      heartbeatMs: 100,
      // Limits no test reaches, so that responses carry the rate limiter's headers (the stream's too).
      env: { RATE_LIMIT: '100000/s' },
    });
  });
  afterAll(() => h.stop());

  /** Settles whatever a consumer still has, so each test starts from a clean checkpoint. */
  async function drain(consumer: string): Promise<void> {
    const { body } = await h.pull(consumer, '?after=0');
    if (body.events.length > 0) await h.ack(consumer, body.events.map((e: { eventId: string }) => e.eventId));
  }
  afterEach(async () => {
    await drain('reference-distributor');
    await drain('archive');
  });

  it('pull delivers approvals and versions in global order with published payloads only; once every master-data consumer acked, the application is distributed', async () => {
    const a = await h.approved();
    const b = await h.approved('tachikawa');
    const pulled = await h.pull('reference-distributor');
    expect(pulled.status).toBe(200);
    const events = pulled.body.events as Array<{ eventId: string; type: string; position: number; data: any; attempt: number }>;
    expect(events.map((e) => [e.type, e.data.applicationId])).toEqual([
      [APPROVAL, a],
      [VERSION, a],
      [APPROVAL, b],
      [VERSION, b],
    ]);
    expect(events.map((e) => e.position)).toEqual([...events.map((e) => e.position)].sort((x, y) => x - y));
    expect(events[1]!.data).toMatchObject({ organizationCode: '132012', version: 1, content: { organization: { code: '132012' } } });
    expect(events[3]!.data).toMatchObject({ organizationCode: '132021', version: 1 });
    expect(events[0]!.data).toEqual({ applicationId: a, workflow: 'connection-application', round: 1, reviewerBody: { code: 'MIC', name: expect.any(String) } });
    const published = await h.driver.as('distributor', 'GET', '/master-data/organizations/132012');
    expect(events[1]!.data.contentHash).toBe(published.body.contentHash);
    expectPublishedOnly(pulled.body);

    const acked = await h.ack('reference-distributor', events.map((e) => e.eventId));
    expect(acked.body).toMatchObject({ acknowledged: events.map((e) => e.eventId), unknown: [], checkpoint: events[3]!.position });
    // the archive has not acknowledged yet: not distributed
    await new Promise((r) => setTimeout(r, 100));
    expect(await h.state(a)).toBe('masterDataRegistered');

    const archive = await h.pull('archive');
    expect(archive.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([events[1]!.eventId, events[3]!.eventId]);
    await h.ack('archive', [events[1]!.eventId, events[3]!.eventId]);
    await h.waitForState(a, 'distributed');
    await h.waitForState(b, 'distributed');
    const history = await h.driver.as('auditor', 'GET', `/applications/${a}/history`);
    expect(history.body.events.at(-1)).toMatchObject({ type: 'MasterDataDistributed', actor: { sub: 'system', role: 'system' }, causationId: events[1]!.eventId });

    // acknowledging again is harmless: nothing more is appended
    const again = await h.ack('archive', [events[1]!.eventId]);
    expect(again.body).toMatchObject({ acknowledged: [], alreadyAcknowledged: [events[1]!.eventId] });
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.driver.as('auditor', 'GET', `/applications/${a}/history`)).body.events).toHaveLength(history.body.events.length);
  });

  it('SSE streams from the checkpoint with heartbeats, resumes after Last-Event-ID and streams new events live', async () => {
    const token = await h.distributorToken();
    const c = await h.approved();
    const first = await SseClient.connect(`${h.server.url}/distribution/reference-distributor/stream`, token);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Written to the socket directly, and still with the headers every response has: security, rate limit.
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('x-ratelimit-limit-w0')).toBe('100000');
    expect(first.headers.get('cache-control')).toBe('no-cache, no-transform');
    await first.waitFor((s) => s.events.length >= 2 && s.messages.some((m) => m.comments.some((x) => x.startsWith('heartbeat'))));
    const [approval, version] = first.events;
    expect([approval!.event, approval!.data.data.applicationId, version!.event, version!.data.data.applicationId]).toEqual([APPROVAL, c, VERSION, c]);
    expect(version!.id).toBe(String(version!.data.position));
    expectPublishedOnly(first.events);
    await h.ack('reference-distributor', [approval!.data.eventId]);
    first.close();

    // the client saw the approval only: the version comes again at once (not after the timeout), the approval does not
    const resumed = await SseClient.connect(`${h.server.url}/distribution/reference-distributor/stream`, token, { 'last-event-id': approval!.id! });
    await resumed.waitFor((s) => s.events.length >= 1);
    expect(resumed.events[0]).toMatchObject({ id: version!.id, event: VERSION, data: { eventId: version!.data.eventId } });
    expect(resumed.events[0]!.data.attempt).toBeGreaterThanOrEqual(2);
    await h.ack('reference-distributor', [version!.data.eventId]);

    const d = await h.approved();
    await resumed.waitFor((s) => s.events.some((e) => e.event === VERSION && e.data.data.applicationId === d));
    const live = resumed.events.filter((e) => e.data.data.applicationId === d);
    expect(live.map((e) => e.event)).toEqual([APPROVAL, VERSION]);
    expect(Number(live[1]!.id)).toBeGreaterThan(Number(version!.id));
    resumed.close();

    const bad = await h.server.request('GET', '/distribution/reference-distributor/stream', { token, headers: { 'last-event-id': 'abc' } });
    // A violation naming the header, as every other 400 has.
    expect([bad.status, bad.body.code, bad.body.violations]).toEqual([
      400,
      'VALIDATION_FAILED',
      [{ field: 'Last-Event-ID', rule: 'globalPosition', message: { ja: 'Last-Event-ID: 0 以上の整数（グローバル位置）を指定してください。', en: 'Last-Event-ID: must be a non-negative integer (a global position)' } }],
    ]);
  });

  it('a long poll (waitMs) holds an empty pull open and answers with the event stored meanwhile', async () => {
    const waiting = h.pull('archive', '?waitMs=20000');
    // The pull is waiting (nothing owed) when the approval registers the version.
    await new Promise((r) => setTimeout(r, 100));
    const id = await h.approved();
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.body.events).toMatchObject([{ type: VERSION, data: { applicationId: id } }]);
    expect((await h.pull('archive', '?waitMs=60001')).status).toBe(400);
  });

  it('a long poll woken by a second approval answers with the approval and the version its registration appends, in one page', async () => {
    const id = await h.awaitingSecondApproval();
    const waiting = h.pull('reference-distributor', '?waitMs=20000');
    await new Promise((r) => setTimeout(r, 100));
    await h.approveSecond(id);
    const answered = await waiting;
    expect(answered.status).toBe(200);
    // Not the approval alone, which would cost the consumer an ack and a second poll for the version.
    expect(answered.body.events.map((e: { type: string; data: { applicationId: string } }) => [e.type, e.data.applicationId])).toEqual([
      [APPROVAL, id],
      [VERSION, id],
    ]);
  });

  it('redelivers an un-acked event after DISTRIBUTION_ACK_TIMEOUT_MS', async () => {
    const e = await h.approved();
    const first = await h.pull('archive');
    const version = first.body.events.find((x: { data: { applicationId: string } }) => x.data.applicationId === e);
    expect(version).toMatchObject({ attempt: 1 });
    expect((await h.pull('archive')).body.events).toEqual([]);
    await new Promise((r) => setTimeout(r, 850));
    const again = await h.pull('archive');
    expect(again.body.events).toMatchObject([{ eventId: version.eventId, attempt: 2 }]);
    await h.ack('archive', [version.eventId]);
  });

  it('a poisoned event is parked (by nack, or after maxDeliveries without ack), the rest flow, and a replay delivers it again', async () => {
    const f = await h.approved();
    const g = await h.approved();
    const pulled = (await h.pull('reference-distributor')).body.events as Array<{ eventId: string; type: string; position: number; data: any }>;
    const fVersion = pulled.find((x) => x.type === VERSION && x.data.applicationId === f)!;
    // A reason of spaces says nothing to whoever decides about the parked event: refused, nothing parked.
    for (const reason of ['   ', '　']) {
      const blank = await h.driver.as('distributor', 'POST', '/distribution/reference-distributor/nacks', { eventIds: [fVersion.eventId], reason });
      expect([blank.status, blank.body.violations?.[0]?.field, blank.body.violations?.[0]?.rule]).toEqual([400, 'reason', 'isNotEmpty']);
    }
    expect((await h.driver.as('auditor', 'GET', '/distribution/reference-distributor/parked')).body.items).toEqual([]);
    const nacked = await h.driver.as('distributor', 'POST', '/distribution/reference-distributor/nacks', { eventIds: [fVersion.eventId], reason: '出力先に書き込めません' });
    expect(nacked.body).toMatchObject({ parked: [fVersion.eventId] });
    const rest = pulled.filter((x) => x !== fVersion).map((x) => x.eventId);
    expect((await h.ack('reference-distributor', rest)).body.checkpoint).toBe(pulled.at(-1)!.position);
    const parked = await h.driver.as('auditor', 'GET', '/distribution/reference-distributor/parked');
    expect(parked.body.items).toMatchObject([{ eventId: fVersion.eventId, reason: '出力先に書き込めません', event: { type: VERSION } }]);
    expect(parked.body).toMatchObject({ total: 1, limit: 100, offset: 0 });
    expect((await h.driver.as('auditor', 'GET', '/distribution/reference-distributor/parked?offset=1')).body).toMatchObject({ total: 1, items: [] });
    expect((await h.driver.as('auditor', 'GET', '/distribution/reference-distributor/parked?limit=1001')).status).toBe(400);
    expectPublishedOnly(parked.body);

    // the other consumer is not held back, and g is distributed while f waits
    const archive = (await h.pull('archive')).body.events as Array<{ eventId: string }>;
    await h.ack('archive', archive.map((x) => x.eventId));
    await h.waitForState(g, 'distributed');
    expect(await h.state(f)).toBe('masterDataRegistered');

    const replay = await h.driver.as('distributor', 'POST', `/distribution/reference-distributor/parked/${fVersion.eventId}/replay`);
    expect(replay.status).toBe(200);
    const redelivered = await h.pull('reference-distributor');
    expect(redelivered.body.events).toMatchObject([{ eventId: fVersion.eventId }]);
    await h.ack('reference-distributor', [fVersion.eventId]);
    await h.waitForState(f, 'distributed');
    expect((await h.driver.as('distributor', 'POST', `/distribution/reference-distributor/parked/${fVersion.eventId}/replay`)).status).toBe(404);

    // archive allows 2 deliveries: the third is a park, not a delivery
    const k = await h.approved();
    const once = (await h.pull('archive')).body.events;
    await new Promise((r) => setTimeout(r, 850));
    expect((await h.pull('archive')).body.events).toMatchObject([{ eventId: once[0].eventId, attempt: 2 }]);
    await new Promise((r) => setTimeout(r, 850));
    expect((await h.pull('archive')).body.events).toEqual([]);
    const archiveParked = await h.driver.as('distributor', 'GET', '/distribution/archive/parked');
    expect(archiveParked.body.items).toMatchObject([{ eventId: once[0].eventId, reason: 'not acknowledged after 2 deliveries' }]);
    expect(await h.state(k)).toBe('masterDataRegistered');
    await h.driver.as('distributor', 'POST', `/distribution/archive/parked/${once[0].eventId}/replay`);
  });

  it('lag per consumer in events and seconds; roles: distributors consume, auditors only read', async () => {
    await h.approved();
    const lag = await h.driver.as('auditor', 'GET', '/distribution/lag');
    expect(lag.status).toBe(200);
    const byName = Object.fromEntries(lag.body.consumers.map((c: { name: string }) => [c.name, c]));
    expect(byName['reference-distributor'].lag).toMatchObject({ events: 2, seconds: expect.any(Number) });
    expect(byName['archive'].lag.events).toBe(1);
    expect(lag.body.headPosition).toBeGreaterThan(0);
    expect((await h.driver.as('auditor', 'GET', '/distribution/consumers')).body.consumers.map((c: { name: string }) => c.name)).toEqual(['reference-distributor', 'archive']);

    expect((await h.driver.as('auditor', 'GET', '/distribution/archive/events')).status).toBe(403);
    expect((await h.driver.as('auditor', 'POST', '/distribution/archive/acks', { eventIds: ['x'] })).status).toBe(403);
    expect((await h.driver.as('applicant', 'GET', '/distribution/lag')).status).toBe(403);
    // A distributor of another body is not the operator's: no pulls, acks or nacks (its acks would
    // have the system confirm distributions it may not confirm), nor the operator's figures.
    const other = await Promise.all([
      h.driver.as('prefectureDistributor', 'GET', '/distribution/reference-distributor/events'),
      h.driver.as('prefectureDistributor', 'POST', '/distribution/reference-distributor/acks', { eventIds: ['x'] }),
      h.driver.as('prefectureDistributor', 'POST', '/distribution/reference-distributor/nacks', { eventIds: ['x'], reason: 'not mine' }),
      h.driver.as('prefectureDistributor', 'GET', '/distribution/lag'),
      h.driver.as('prefectureDistributor', 'GET', '/distribution/consumers'),
    ]);
    expect(other.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(other[0]!.body.messages.en).toContain('network operator (MIC)');
    const after = await h.driver.as('auditor', 'GET', '/distribution/lag');
    expect(after.body.consumers.find((c: { name: string }) => c.name === 'reference-distributor').lag.events).toBe(2);
    expect((await h.server.request('GET', '/distribution/lag')).status).toBe(401);
    const unknown = await h.pull('nobody');
    expect(unknown).toMatchObject({ status: 404, body: { messages: { ja: expect.stringContaining('nobody'), en: expect.stringContaining('nobody') } } });
    expect((await h.driver.as('distributor', 'POST', '/distribution/archive/acks', { eventIds: [], extra: 1 })).status).toBe(400);
    expect((await h.pull('archive', '?limit=0')).status).toBe(400);
    expect((await h.pull('archive', '?limit=1001')).body).toMatchObject({ violations: [expect.objectContaining({ field: 'limit', rule: 'max' })] });
    // A pull pages by position, not by offset.
    expect((await h.pull('archive', '?offset=5')).body).toMatchObject({ violations: [expect.objectContaining({ field: 'offset', rule: 'whitelistValidation' })] });
  });
});

describe('which process serves distribution', () => {
  it.each([
    ['all', 200],
    ['worker', 200],
    ['api', 404],
  ])('PROCESS_ROLE=%s → GET /distribution/consumers %i (one ledger owner: the single process or the worker)', async (role, status) => {
    const server = await TestServer.start({ env: { PROCESS_ROLE: role } });
    try {
      const response = await server.request('GET', '/distribution/consumers', { token: await server.token(actors.auditor) });
      expect(response.status).toBe(status);
      if (status === 200) expect(response.body.consumers).toMatchObject([{ name: 'reference-distributor', eventTypes: [VERSION, APPROVAL, ...PUBLISHED_DATA_NOTICES], checkpoint: 0 }]);
    } finally {
      await server.stop();
    }
  });
});
