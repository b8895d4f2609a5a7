import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import { ApplicationNotFoundError, applicationStream } from '@nws/engine';
import { SqliteEventStore } from '@nws/event-store/sqlite';
import { existingApplicationId } from './application-ref';

describe('an application named on the command line by its 申請番号 (real SQLite store)', () => {
  const NUMBER = '20261208-132098-9044DC';
  const submitted = (applicationNumber: string) => [{ id: randomUUID(), type: 'ApplicationSubmitted', data: { round: 1, applicationNumber }, metadata: {} }];

  it('one application with the number is found (any case); two with it are named both, and neither is taken for the other', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const [first, second] = [randomUUID(), randomUUID()];
    await store.append(applicationStream(first), submitted(NUMBER), 'no_stream');
    expect(await existingApplicationId(store, NUMBER.toLowerCase())).toBe(first);

    await store.append(applicationStream(second), submitted(NUMBER), 'no_stream');
    const refused = await existingApplicationId(store, NUMBER).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidArgumentError);
    expect((refused as Error).message).toContain(`2 applications have 申請番号 ${NUMBER} (${first}, ${second}): name one by its id`);
    expect((refused as Error).message).toContain('申請IDで指定してください');
    expect(await existingApplicationId(store, second)).toBe(second);
    await expect(existingApplicationId(store, '20261208-132098-000000')).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await store.close();
  });
});
