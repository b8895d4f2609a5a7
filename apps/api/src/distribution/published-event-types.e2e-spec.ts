import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DistributionHarness } from './testing/distribution-harness';

const NOTICE = 'PublishedPersonalDataChanged';
const TYPES = ['SecondReviewApproved', 'MasterDataVersionRegistered', 'MasterDataRegistered', 'MasterDataDistributed', NOTICE];

/**
 * GET /distribution/event-types tells a downstream system what it will parse, per event type; every
 * event actually delivered must match it, or the documentation lies.
 */
describe('published event types: the schema of what a consumer receives, held to what it receives (real port)', () => {
  let h: DistributionHarness;
  beforeAll(async () => {
    h = await DistributionHarness.start({ consumers: [{ name: 'everything', eventTypes: TYPES }] });
  });
  afterAll(() => h.stop());

  it('every delivered event of every type matches its published schema', async () => {
    const listed = await h.driver.as('distributor', 'GET', '/distribution/event-types');
    expect(listed.status).toBe(200);
    const schemas = new Map((listed.body.eventTypes as Array<{ type: string; schema: object }>).map((e) => [e.type, e.schema]));
    expect([...schemas.keys()].sort()).toEqual([...TYPES].sort());
    const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));
    const validators = new Map([...schemas].map(([type, schema]) => [type, ajv.compile(schema)]));

    // given an application approved (its version registered), and, once acknowledged, distributed
    const id = await h.approved();
    const first = (await h.pull('everything')).body.events as Array<{ eventId: string; type: string }>;
    await h.ack('everything', first.map((e) => e.eventId));
    await h.waitForState(id, 'distributed');
    const second = (await h.pull('everything')).body.events as Array<{ eventId: string; type: string }>;
    await h.ack('everything', second.map((e) => e.eventId));

    // and a person of the body suspended, in use again, then erased
    const { subjects } = (await h.driver.as('applicant', 'GET', '/personal-data/subjects')).body as { subjects: Array<{ subjectId: string }> };
    const subject = subjects[0]!.subjectId;
    for (const [request, legalBasis] of [['suspension', 'appi-98-suspension'], ['resumption', 'suspension-lifted'], ['erasure', 'appi-98-erasure']]) {
      expect([request, (await h.driver.as('applicant', 'POST', `/personal-data/subjects/${subject}/${request}`, { legalBasis })).status]).toEqual([request, 200]);
    }
    const third = (await h.pull('everything')).body.events as Array<{ eventId: string; type: string; data: object }>;
    await h.ack('everything', third.map((e) => e.eventId));
    // A notice names the body and the change, never the person.
    expect(third.map((notice) => notice.data)).toEqual(['suspended', 'resumed', 'erased'].map((change) => ({ organizationCode: '132012', organizationKind: '市町村長部局', change })));

    const delivered = [...first, ...second, ...third];
    expect(delivered.map((e) => e.type)).toEqual(['SecondReviewApproved', 'MasterDataVersionRegistered', 'MasterDataRegistered', 'MasterDataDistributed', NOTICE, NOTICE, NOTICE]);
    for (const event of delivered) {
      const validate = validators.get(event.type)!;
      expect([event.type, validate(event) ? [] : validate.errors]).toEqual([event.type, []]);
    }
    // A field the view does not publish would be refused: the schemas are closed, as the allow-lists are.
    expect(validators.get('SecondReviewApproved')!({ ...first[0], data: { ...(first[0] as unknown as { data: object }).data, comment: 'x' } })).toBe(false);
  });

  it('is read by those who read distribution: MIC’s distributors and auditors', async () => {
    for (const [who, status] of [['distributor', 200], ['auditor', 200], ['prefectureDistributor', 403], ['applicant', 403]] as const) {
      expect([who, (await h.driver.as(who, 'GET', '/distribution/event-types')).status]).toEqual([who, status]);
    }
  });
});
