import { EventStoreUnavailableError } from '../event-store.errors';
import { withResumableRetry, withRetry, type RetryPolicy } from './esdb-retry';

/** A node that takes the call and never answers (a frozen process): each try ends by its own bound only. */
const never = () => new Promise<never>(() => undefined);

const POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 10, maxDelayMs: 20, attemptTimeoutMs: 100, totalBudgetMs: 250 };

describe('retries against a node that answers nothing are bounded by the operation budget, not tries × timeout', () => {
  it('withRetry gives up within the budget (6 tries of 100 ms would take 600 ms and more)', async () => {
    let tries = 0;
    const failed = withRetry('append', POLICY, () => {
      tries += 1;
      return never();
    });
    await expect(failed).rejects.toBeInstanceOf(EventStoreUnavailableError);
    // However slow the machine, no try starts after the budget: at most 250 / 100 + 1.
    expect(tries).toBeGreaterThanOrEqual(1);
    expect(tries).toBeLessThanOrEqual(4);
  });

  it('withResumableRetry counts the budget from the last item read: a read that yields goes on, one that stops gives up within it', async () => {
    // Wide bounds: a busy machine's late timers may cost a try (the read resumes), never the read.
    const policy: RetryPolicy = { attempts: 6, baseDelayMs: 10, maxDelayMs: 20, attemptTimeoutMs: 400, totalBudgetMs: 1_000 };
    let tries = 0;
    let served = 0;
    const read = withResumableRetry('read', policy, async function* attempt() {
      tries += 1;
      // Each try serves what is left of 12 items, one every 100 ms (1.2 s in all, more than the budget), then the node stops answering.
      while (served < 12) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        served += 1;
        yield served;
      }
      await never();
    });
    const items: number[] = [];
    await expect(
      (async () => {
        for await (const item of read) items.push(item);
      })(),
    ).rejects.toBeInstanceOf(EventStoreUnavailableError);
    // 1.2 s of items is more than the budget, read as progress; the silence after it is not (six tries of 400 ms would be).
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(tries).toBeLessThanOrEqual(4);
  });
});
