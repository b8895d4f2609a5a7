import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver } from '../../testing/drive';
import { TestServer } from '../../testing/test-server';

export interface HarnessOptions {
  readonly consumers: ReadonlyArray<{ name: string; eventTypes: string[]; maxDeliveries?: number; ackTimeoutMs?: number; transport?: 'http' | 'esdb-persistent' }>;
  readonly ackTimeoutMs?: number;
  readonly maxDeliveries?: number;
  readonly heartbeatMs?: number;
  readonly dataDir?: string;
  /** More runtime settings (e.g. EVENT_STORE=esdb). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A TestServer with distribution consumers configured the way an operator would (a JSON file
 * named by DISTRIBUTION_CONSUMERS_FILE), plus the few moves the distribution tests repeat.
 */
export class DistributionHarness {
  private constructor(
    readonly server: TestServer,
    readonly driver: Driver,
    private readonly configDir: string,
  ) {}

  static async start(options: HarnessOptions): Promise<DistributionHarness> {
    const configDir = mkdtempSync(join(tmpdir(), 'nws-dist-'));
    const file = join(configDir, 'consumers.json');
    writeFileSync(file, JSON.stringify({ consumers: options.consumers }));
    const env: Record<string, string> = {
      DISTRIBUTION_CONSUMERS_FILE: file,
      DISTRIBUTION_ACK_TIMEOUT_MS: String(options.ackTimeoutMs ?? 30_000),
      DISTRIBUTION_MAX_DELIVERIES: String(options.maxDeliveries ?? 5),
      DISTRIBUTION_HEARTBEAT_MS: String(options.heartbeatMs ?? 15_000),
      DISTRIBUTION_LAG_LOG_MS: '0',
    };
    // The module reads process.env when the app is built; restore it right after.
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const server = await TestServer.start({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.env ? { env: options.env } : {}) });
      return new DistributionHarness(server, new Driver(server), configDir);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  /** An application of Hachioji (or Tachikawa) driven through both approvals: master data registered. */
  async approved(org: 'hachioji' | 'tachikawa' = 'hachioji'): Promise<string> {
    const id = await this.awaitingSecondApproval(org);
    await this.approveSecond(id);
    return id;
  }

  /** Submitted and approved by the prefecture: the next approval (MIC) registers master data. */
  async awaitingSecondApproval(org: 'hachioji' | 'tachikawa' = 'hachioji'): Promise<string> {
    const applicant = org === 'hachioji' ? 'applicant' : 'otherApplicant';
    const id = await this.draft(applicant);
    for (const [who, action] of [[applicant, 'submit'], ['prefectureReviewer', 'approve']] as const) {
      const response = await this.driver.act(who, id, action);
      if (response.status !== 200) throw new Error(`${action}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return id;
  }

  /** The second approval: registers the next master-data version of the body. */
  async approveSecond(id: string): Promise<void> {
    const response = await this.driver.act('micReviewer', id, 'approve');
    if (response.status !== 200) throw new Error(`approve: ${response.status} ${JSON.stringify(response.body)}`);
  }

  async distributorToken(): Promise<string> {
    return this.driver.token('distributor');
  }

  async pull(consumer: string, query = ''): Promise<{ status: number; body: any }> {
    return this.driver.as('distributor', 'GET', `/distribution/${consumer}/events${query}`);
  }

  async ack(consumer: string, eventIds: string[]): Promise<{ status: number; body: any }> {
    return this.driver.as('distributor', 'POST', `/distribution/${consumer}/acks`, { eventIds });
  }

  async state(id: string): Promise<string> {
    return (await this.driver.as('auditor', 'GET', `/applications/${id}`)).body.state as string;
  }

  async waitForState(id: string, state: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.state(id);
      if (now === state) return;
      if (Date.now() > deadline) throw new Error(`application ${id} is ${now}, not ${state}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(remove?: boolean): Promise<void> {
    await this.server.stop(remove);
    rmSync(this.configDir, { recursive: true, force: true });
  }

  /** A draft with the forms a 登録 needs: 登録 for the organ's first, 変更 once it is registered. */
  private draft(applicant: 'applicant' | 'otherApplicant'): Promise<string> {
    return this.driver.draftWithForms(applicant);
  }
}
