import { TestServer } from '../testing/test-server';

describe('process roles', () => {
  it('a worker serves only /health and /metrics; the application endpoints are not there', async () => {
    const worker = await TestServer.start({ env: { PROCESS_ROLE: 'worker' } });
    try {
      expect((await worker.request('GET', '/health')).status).toBe(200);
      expect((await worker.request('GET', '/metrics')).status).toBe(200);
      const token = await worker.token({ sub: 'a', org: '132012', role: 'applicant' });
      expect((await worker.request('POST', '/applications', { token, body: { workflow: 'connection-application' } })).status).toBe(404);
    } finally {
      await worker.stop();
    }
  });
});
