import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WITNESS_FILE } from '@nws/audit';
import { Driver } from '../testing/drive';
import { TestServer } from '../testing/test-server';

/**
 * A sealer that halted (its witness disagrees with the store) seals nothing until an operator acts:
 * /health and /metrics said nothing of it, only a log line did. Now /health is degraded and names
 * it, and nws_sealer_halted is 1.
 */
describe('the sealer in /health and /metrics (real app, real port)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nws-sealer-health-'));
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('running: ok, with the newest seal; halted by a witness that disagrees with the store: degraded, the reason, nws_sealer_halted 1', async () => {
    server = await TestServer.start({ dataDir });
    await new Driver(server).draftWithForms();
    await server.stop(false);
    server = await TestServer.start({ dataDir });
    const running = await server.request('GET', '/health');
    expect(running.body).toMatchObject({ status: 'ok', sealer: { state: 'running', reason: null, lastSeal: { sequence: expect.any(Number) } } });
    await server.stop(false);

    // given the witness's newest seal changed by one digit while the API was stopped
    const witness = join(dataDir, WITNESS_FILE);
    const lines = readFileSync(witness, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { sealHash: string };
    lines[lines.length - 1] = JSON.stringify({ ...last, sealHash: `${last.sealHash.slice(0, -1)}${last.sealHash.endsWith('0') ? '1' : '0'}` });
    writeFileSync(witness, `${lines.join('\n')}\n`);
    server = await TestServer.start({ dataDir });
    const halted = await server.request('GET', '/health');
    expect(halted.body).toMatchObject({ status: 'degraded', sealer: { state: 'halted', reason: expect.stringContaining('differs between the witness') } });
    expect((await server.request('GET', '/metrics')).body).toMatch(/^nws_sealer_halted 1$/m);
  });
});
