import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionConfigError, loadDistributionConfig } from './distribution.config';

describe('distribution configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-dist-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const file = (content: unknown) => {
    const path = join(dir, `consumers-${(files += 1)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('defaults to one reference consumer of versions, approvals and the notices that change versions as published (消去, 利用停止, its lifting)', () => {
    const config = loadDistributionConfig({});
    expect(config.consumers).toEqual([
      { name: 'reference-distributor', eventTypes: ['MasterDataVersionRegistered', 'SecondReviewApproved', 'PublishedPersonalDataChanged'], ackTimeoutMs: 30000, maxDeliveries: 5, transport: 'http' },
    ]);
    expect(config.heartbeatMs).toBe(15000);
  });

  it('reads consumers from DISTRIBUTION_CONSUMERS_FILE, with per-consumer overrides of the env defaults', () => {
    const config = loadDistributionConfig({
      DISTRIBUTION_CONSUMERS_FILE: file({
        consumers: [
          { name: 'if-system', eventTypes: ['MasterDataVersionRegistered'], maxDeliveries: 2, transport: 'esdb-persistent' },
          { name: 'audit-feed', eventTypes: ['SecondReviewApproved'] },
        ],
      }),
      DISTRIBUTION_ACK_TIMEOUT_MS: '500',
    });
    expect(config.consumers).toEqual([
      { name: 'if-system', eventTypes: ['MasterDataVersionRegistered'], ackTimeoutMs: 500, maxDeliveries: 2, transport: 'esdb-persistent' },
      { name: 'audit-feed', eventTypes: ['SecondReviewApproved'], ackTimeoutMs: 500, maxDeliveries: 5, transport: 'http' },
    ]);
  });

  it.each([
    ['an event type without a published view', [{ name: 'x', eventTypes: ['FormSaved'] }], /FormSaved" is not distributable/],
    ['a request an older release distributed as its notice', [{ name: 'x', eventTypes: ['MasterDataVersionRegistered', 'PersonalDataErased'] }], /"PersonalDataErased" is not distributable; .* as "PublishedPersonalDataChanged" since this release: list it instead/],
    ['a duplicate name', [{ name: 'x', eventTypes: ['SecondReviewApproved'] }, { name: 'x', eventTypes: ['SecondReviewApproved'] }], /registered twice/],
    ['a bad name', [{ name: 'X Y', eventTypes: ['SecondReviewApproved'] }], /name/],
    ['an unknown field', [{ name: 'x', eventTypes: ['SecondReviewApproved'], url: 'http://x' }], /unknown field\(s\) url/],
    ['an empty list', [], /non-empty list/],
    ['a name an endpoint uses', [{ name: 'lag', eventTypes: ['SecondReviewApproved'] }], /taken by an endpoint/],
    ['the name of the event-types endpoint', [{ name: 'event-types', eventTypes: ['SecondReviewApproved'] }], /"event-types" is taken by an endpoint/],
    ['an unknown transport', [{ name: 'x', eventTypes: ['SecondReviewApproved'], transport: 'kafka' }], /transport: one of http, esdb-persistent/],
  ])('refuses to start with %s', (_what, consumers, message) => {
    expect(() => loadDistributionConfig({ DISTRIBUTION_CONSUMERS_FILE: file(consumers) })).toThrow(message);
  });

  it('refuses a missing or unparsable file and bad numbers', () => {
    expect(() => loadDistributionConfig({ DISTRIBUTION_CONSUMERS_FILE: '/nonexistent/consumers.json' })).toThrow(DistributionConfigError);
    expect(() => loadDistributionConfig({ DISTRIBUTION_CONSUMERS_FILE: file('{not json') })).toThrow(/not valid JSON/);
    expect(() => loadDistributionConfig({ DISTRIBUTION_ACK_TIMEOUT_MS: '0' })).toThrow(/DISTRIBUTION_ACK_TIMEOUT_MS/);
  });
});
