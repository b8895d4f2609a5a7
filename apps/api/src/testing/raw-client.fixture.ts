import { Driver } from './drive';
import { RawClient } from './raw-client';
import { TestServer } from './test-server';

/** What a spec that talks to a real app over bare sockets works with (set in its beforeAll). */
export interface RawClientFixture {
  readonly server: TestServer;
  readonly driver: Driver;
  /** An applicant's bearer token. */
  readonly token: string;
  /** A bare-socket client, destroyed after the test. */
  open(): Promise<RawClient>;
  /** How many applications the applicant sees: a refusal must leave it as it was. */
  applications(): Promise<number>;
}

/** Registers the hooks: a real app on a real port for the describe block (`env`: its configuration), its clients closed after each test. */
export function rawClientFixture(env: NodeJS.ProcessEnv = {}): RawClientFixture {
  const clients: RawClient[] = [];
  const fixture = {
    async open() {
      const client = await RawClient.open(fixture.server.url);
      clients.push(client);
      return client;
    },
    async applications() {
      return (await fixture.driver.as('applicant', 'GET', '/applications')).body.total as number;
    },
  } as { -readonly [K in keyof RawClientFixture]: RawClientFixture[K] };
  beforeAll(async () => {
    fixture.server = await TestServer.start({ env });
    fixture.driver = new Driver(fixture.server);
    fixture.token = await fixture.driver.token('applicant');
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.destroy();
  });
  afterAll(() => fixture.server.stop());
  return fixture;
}
