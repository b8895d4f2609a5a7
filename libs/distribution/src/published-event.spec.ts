import type { RecordedEvent } from '@nws/event-store';
import { masterDataStream } from '@nws/workflows/connection-application/master-data/master-data.content';
import { PERSONAL_DATA_EVENTS } from '@nws/personal-data';
import { PUBLISHABLE_EVENT_TYPES, PUBLISHED_DATA_NOTICES, publishEvent } from './published-event';

const recorded = (type: string, data: RecordedEvent['data'], streamId = 'application-0b1c'): RecordedEvent => ({
  id: 'e-1',
  streamId,
  revision: 3,
  position: 42,
  type,
  data,
  metadata: { occurredAt: '2025-04-01T09:00:00.000Z', correlationId: 'corr', actor: { sub: 'mic-1', name: '総務 花子', department: '住民制度課' } },
  recordedAt: '2025-04-01T09:00:00.001Z',
});

describe('published view of distributed events', () => {
  it('a master-data version carries the published content, never emergency contacts, even if they slipped into it', () => {
    const published = publishEvent(
      recorded(
        'MasterDataVersionRegistered',
        {
          organizationCode: '132012',
          organizationKind: '市町村長部局',
          version: 2,
          applicationId: 'app',
          applicationNumber: '20250401-132012-ABCDEF',
          category: '変更',
          sourceEventId: 'src',
          contentHash: 'sha256:x',
          content: { contacts: [{ department: '情報管理課', phone: '0426261111' }], nested: { emergencyContacts: [{ mobile: '09012345678' }] } },
        },
        masterDataStream('132012', '市町村長部局'),
      ),
      1,
    );
    expect(published).toEqual({
      eventId: 'e-1',
      position: 42,
      type: 'MasterDataVersionRegistered',
      streamId: masterDataStream('132012', '市町村長部局'),
      occurredAt: '2025-04-01T09:00:00.000Z',
      recordedAt: '2025-04-01T09:00:00.001Z',
      correlationId: 'corr',
      attempt: 1,
      data: {
        organizationCode: '132012',
        organizationKind: '市町村長部局',
        version: 2,
        applicationId: 'app',
        applicationNumber: '20250401-132012-ABCDEF',
        category: '変更',
        contentHash: 'sha256:x',
        content: { contacts: [{ department: '情報管理課', phone: '0426261111' }], nested: {} },
      },
    });
  });

  it('every master-data event names the organ beside the code: organs of one local government share its code', () => {
    const board = { organizationCode: '132012', organizationKind: '市町村教育委員会', version: 1, contentHash: 'sha256:x', content: { organization: { code: '132012', kind: '市町村教育委員会' } } };
    expect(publishEvent(recorded('MasterDataVersionRegistered', board, masterDataStream('132012', '市町村教育委員会')), 1).data).toMatchObject({ organizationCode: '132012', organizationKind: '市町村教育委員会' });
    expect(publishEvent(recorded('MasterDataRegistered', { organizationCode: '132012', organizationKind: '市町村教育委員会', version: 1, contentHash: 'sha256:x' }), 1).data).toMatchObject({ organizationKind: '市町村教育委員会' });
    expect(publishEvent(recorded('MasterDataDistributed', { organizationCode: '132012', organizationKind: '市町村教育委員会', version: 1 }), 1).data).toMatchObject({ organizationKind: '市町村教育委員会' });
    // A version registered before the organ was recorded beside the code names it in its content.
    const { organizationKind: _kind, ...legacy } = board;
    expect(publishEvent(recorded('MasterDataVersionRegistered', legacy, masterDataStream('132012', '市町村長部局')), 1).data['organizationKind']).toBe('市町村教育委員会');
  });

  it('a notice of a 消去, 利用停止 or its lifting names the body (the organ) and the change, never the person or the requester; the type is the personal-data notice’s own', () => {
    expect(PUBLISHED_DATA_NOTICES).toEqual([PERSONAL_DATA_EVENTS.publishedChanged]);
    // The request's own events are not distributed: they name the person (subjectId) and who asked.
    for (const type of [PERSONAL_DATA_EVENTS.erased, PERSONAL_DATA_EVENTS.suspended, PERSONAL_DATA_EVENTS.resumed]) expect(PUBLISHABLE_EVENT_TYPES).not.toContain(type);
    const stored = { organizationCode: '132012', organizationKind: '市町村教育委員会', change: 'erased' };
    const published = publishEvent({ ...recorded(PERSONAL_DATA_EVENTS.publishedChanged, stored, 'personal-data-132012'), metadata: { actor: { sub: 'kyoiku-1', org: '132012', role: 'applicant' }, occurredAt: '2026-04-01T00:00:00.000Z', causationId: 'x' } }, 1);
    expect(published.data).toEqual(stored);
    expect(published.correlationId).toBeNull();
    expect(JSON.stringify(published)).not.toContain('kyoiku-1');
  });

  it('an approval names the reviewing body, not the reviewer, and drops the comment and the actor', () => {
    const approval = recorded('SecondReviewApproved', { round: 1, comment: '090-1111-2222 の田中様に確認', reviewer: { sub: 'mic-1', org: 'MIC', orgName: '総務省', department: '住民制度課', name: '総務 花子' } });
    const published = publishEvent({ ...approval, metadata: { ...approval.metadata, workflow: 'account-request' } }, 2);
    // Which workflow's approval it is: both end their second review with this event.
    expect(published.data).toEqual({ applicationId: '0b1c', workflow: 'account-request', round: 1, reviewerBody: { code: 'MIC', name: '総務省' } });
    expect(JSON.stringify(published)).not.toMatch(/総務 花子|住民制度課|mic-1|090/);
  });

  it('only types with a view are distributable', () => {
    expect(PUBLISHABLE_EVENT_TYPES).toEqual(['MasterDataVersionRegistered', 'SecondReviewApproved', 'MasterDataRegistered', 'PublishedPersonalDataChanged', 'MasterDataDistributed']);
    expect(() => publishEvent(recorded('FormSaved', {}), 1)).toThrow(/no published view/);
  });
});
