import { existsSync, mkdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Actor } from '@nws/engine';
import { connectionApplicationForms } from '@nws/workflows/connection-application';
import { freshDir, percentile, percentileInterval, type BenchOptions } from './bench-context';
import { ApiProcess } from '../../test/support/api-process';
import { DistributorProcess } from '../../test/support/distributor-process';

const applicant: Actor = { sub: 'bench', org: '132012', role: 'applicant' };
const prefecture: Actor = { sub: 'tokyo', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
const mic: Actor = { sub: 'mic', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
const distributor: Actor = { sub: 'reference-distributor', org: 'MIC', role: 'distributor', name: 'reference distributor' };
const REGISTRATION_FORMS = ['02-01', '02-02', '02-06'];
const WARM_UP = 5;
/**
 * Pause between two measured approvals. Reviewers approve seconds apart, not the instant the
 * previous file lands; sent back to back, each approval met the distributor's acknowledgement of
 * the previous version on the API's one event loop and measured that collision instead.
 */
const PAUSE_MS = 30;

/**
 * Second approval → the version's JSON file in the reference distributor's directory, as users
 * run it: the compiled API in its own process (embedded store) and the compiled distributor in
 * another (long polling, spare temp file + fsync + rename + directory fsync for the CSV, then the JSON).
 * The clock starts when the approval request is sent and stops when inotify reports `v{n}.json`
 * renamed into place and stat() confirms it is there. The HTTP answer time, and the file's time
 * minus the answer's, are noted apart: negative since the page goes out before the registration's
 * own command, which the answer waits for.
 */
export async function approvalToConsumerFileLatency(options: BenchOptions) {
  const outputDir = freshDir(options, 'distribution-output');
  const api = await ApiProcess.start({ dataDir: freshDir(options, 'distribution-latency'), mode: 'dist', env: { DISTRIBUTION_LAG_LOG_MS: '0' } });
  const consumer = DistributorProcess.start({
    mode: 'dist',
    env: { API_URL: api.url, DISTRIBUTOR_TOKEN: await api.token(distributor), OUTPUT_DIR: outputDir, PULL_WAIT_MS: '30000', BATCH_SIZE: '50' },
  });
  try {
    // A p99 from 300 samples is their 3rd slowest, and moved by ±2 ms between runs of one build:
    // 1,000 (~40 s) put it at the 10th slowest, and the note gives its confidence interval.
    const count = options.quick ? 50 : 1_000;
    const tokens = { applicant: await api.token(applicant), prefecture: await api.token(prefecture), mic: await api.token(mic) };
    const call = async (token: string, method: string, path: string, body: unknown = {}) => {
      const response = await api.request(method, path, { token, body });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body as { id: string };
    };
    const upToSecondReview = async (category: string) => {
      const { id } = await call(tokens.applicant, 'POST', '/applications', { workflow: 'connection-application', organizationCode: '132012', category });
      for (const code of REGISTRATION_FORMS) await call(tokens.applicant, 'PUT', `/applications/${id}/forms/${code}`, connectionApplicationForms.get(code)!.example);
      await call(tokens.applicant, 'POST', `/applications/${id}/actions/submit`);
      await call(tokens.prefecture, 'POST', `/applications/${id}/actions/approve`);
      return id;
    };
    // The body's 登録 (version 1, not measured); every measured approval is a 変更 with the same forms.
    await call(tokens.mic, 'POST', `/applications/${await upToSecondReview('登録')}/actions/approve`);
    // Up to the second approval, four at a time (not measured).
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (ids.length < WARM_UP + count) {
          const slot = ids.push('') - 1;
          ids[slot] = await upToSecondReview('変更');
        }
      }),
    );
    await consumer.printed(/resuming after position/);

    const dir = join(outputDir, '132012');
    mkdirSync(dir, { recursive: true });
    let waiting: { name: string; resolve: (at: bigint) => void } | undefined;
    const watcher = watch(dir, (_event, name) => {
      if (waiting && name === waiting.name && existsSync(join(dir, name))) {
        const at = process.hrtime.bigint();
        const { resolve } = waiting;
        waiting = undefined;
        resolve(at);
      }
    });
    const toFile: number[] = [];
    const answered: number[] = [];
    const afterAnswer: number[] = [];
    try {
      for (const [i, id] of ids.entries()) {
        await delay(PAUSE_MS);
        const appeared = new Promise<bigint>((resolve) => (waiting = { name: `v${i + 2}.json`, resolve }));
        const sent = process.hrtime.bigint();
        const approving = call(tokens.mic, 'POST', `/applications/${id}/actions/approve`).then(() => process.hrtime.bigint());
        const [fileAt, answeredAt] = await Promise.all([appeared, approving]);
        if (i < WARM_UP) continue;
        toFile.push(Number(fileAt - sent) / 1e6);
        answered.push(Number(answeredAt - sent) / 1e6);
        afterAnswer.push(Number(fileAt - answeredAt) / 1e6);
      }
    } finally {
      watcher.close();
    }
    toFile.sort((a, b) => a - b);
    answered.sort((a, b) => a - b);
    afterAnswer.sort((a, b) => a - b);
    return {
      p50: percentile(toFile, 50),
      p99: percentile(toFile, 99),
      p99Interval: percentileInterval(toFile, 99),
      answeredP50: percentile(answered, 50),
      /** File time minus answer time: the distribution's own share (negative: on disk before the answer). */
      afterAnswerP50: percentile(afterAnswer, 50),
      afterAnswerP99: percentile(afterAnswer, 99),
      samples: toFile.length,
    };
  } finally {
    await consumer.kill('SIGTERM');
    await api.stop();
  }
}
