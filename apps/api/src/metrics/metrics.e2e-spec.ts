import { TestServer } from '../testing/test-server';
import { Driver } from '../testing/drive';

describe('GET /metrics (Prometheus)', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start()));
  afterAll(() => server.stop());

  it('exports transitions, append latency, group-commit batch sizes and projection lag', async () => {
    const driver = new Driver(server);
    await driver.as('applicant', 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category: '登録' });
    const response = await server.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = response.body as string;
    expect(text).toMatch(/^nws_transitions_total\{type="ApplicationCreated"\} 1$/m);
    expect(text).toMatch(/^nws_append_duration_seconds_count 1$/m);
    expect(text).toMatch(/^nws_group_commit_batch_size_count [1-9]/m);
    expect(text).toMatch(/^nws_projection_lag_events \d+$/m);
  });
});
