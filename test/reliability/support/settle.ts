import type { ApiClient } from '../../../apps/api/src/testing/http-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the API is quiet: read models caught up with the store and the store's head
 * unchanged for `quietMs` (the reactor's catch-up and the sealer write after a restart). A
 * deadline against hanging, not a speed check. Returns the head position.
 */
export async function settle(api: ApiClient, { quietMs = 600, timeoutMs = 120_000 } = {}): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const health = await api.request<{ eventStore: { headPosition: number }; projections: { lagEvents: number } }>('GET', '/health');
    const head = health.body.eventStore.headPosition;
    if (health.status === 200 && health.body.projections.lagEvents === 0 && head === last) {
      if (Date.now() - since >= quietMs) return head;
    } else {
      last = head;
      since = Date.now();
    }
    if (Date.now() > deadline) throw new Error(`the API did not settle within ${timeoutMs} ms (head ${head}, lag ${health.body.projections.lagEvents})`);
    await sleep(100);
  }
}

export { sleep };
