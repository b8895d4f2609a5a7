import { ValidationFailedError, type Actor, type CommandMetadata } from '@nws/engine';
import { accountRequestV1 } from '../account-request/account-request.workflow';
import { connectionApplicationV1 } from '../connection-application/connection-application.workflow';
import { applyingBody } from './applying-body';

/** 東京都後期高齢者医療広域連合's code is not in 全国地方公共団体コード (associations have a list of their own); its check digit is right. */
const ASSOCIATION = '138266';
const NAME = '東京都後期高齢者医療広域連合';
const association: Actor = { sub: 'koki-1', org: ASSOCIATION, role: 'applicant', name: '広域 一郎', department: '総務課' };
const meta = (actor: Actor): CommandMetadata => ({ actor, now: '2026-12-07T00:00:00.000Z', commandId: 'c', correlationId: 'c' });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationFailedError) return error.violations.map((v) => `${v.field}:${v.rule}`);
    throw error;
  }
  return 'accepted';
};

describe('who may apply: a local government’s organ from the code list, or a 一部事務組合・広域連合 that says so and gives its name', () => {
  it('given a 後期高齢者医療広域連合, when it creates a connection application as 一部事務組合・広域連合 with its name, then it is the applicant, first reviewed by its prefecture', () => {
    const [created] = connectionApplicationV1.create('app-1', { organizationCode: ASSOCIATION, category: '登録', organizationKind: '一部事務組合・広域連合', organizationName: NAME }, meta(association));
    expect(created!.data['organization']).toEqual({ code: ASSOCIATION, name: NAME, kind: '一部事務組合・広域連合', prefectureCode: '130001' });
    // Its token names no organ: a code outside the list is an association's.
    const [request] = accountRequestV1.create('app-2', { organizationCode: ASSOCIATION, organizationName: NAME }, meta(association));
    expect(request!.data['organization']).toEqual({ code: ASSOCIATION, name: NAME, kind: '一部事務組合・広域連合', prefectureCode: '130001' });
  });

  it('refuses a code outside the list that does not say it is an association, or gives no name; a name for a listed body; a code whose prefix is no prefecture', () => {
    expect(applyingBody({ organizationCode: ASSOCIATION })).toEqual([expect.objectContaining({ field: 'organizationCode', rule: 'knownOrganization' })]);
    expect(applyingBody({ organizationCode: ASSOCIATION, organizationKind: '一部事務組合・広域連合' })).toEqual([expect.objectContaining({ field: 'organizationName', rule: 'isNotEmpty' })]);
    expect(applyingBody({ organizationCode: '132012', organizationName: '八王子市役所' })).toEqual([expect.objectContaining({ field: 'organizationName', rule: 'listedName' })]);
    expect(applyingBody({ organizationCode: '998001', organizationKind: '一部事務組合・広域連合', organizationName: 'どこか' })).toEqual([expect.objectContaining({ rule: 'knownOrganization' })]);
    expect(applyingBody({ organizationCode: '138267', organizationKind: '一部事務組合・広域連合', organizationName: NAME })).toEqual([expect.objectContaining({ rule: 'checkDigit' })]);
    expect(refusal(() => connectionApplicationV1.create('app-3', { organizationCode: ASSOCIATION, category: '登録' }, meta(association)))).toEqual(['organizationCode:knownOrganization']);
    // A 北方領土 village has a code and no government.
    expect(applyingBody({ organizationCode: '016969' })).toEqual([expect.objectContaining({ field: 'organizationCode', rule: 'knownOrganization', message: expect.objectContaining({ ja: expect.stringContaining('泊村') }) })]);
    // Listed bodies as before: the list's name, the code's organs.
    expect(applyingBody({ organizationCode: '132012' })).toEqual({ code: '132012', name: '八王子市', kind: '市町村長部局', prefectureCode: '130001' });
    expect(applyingBody({ organizationCode: '132012', organizationKind: '一部事務組合・広域連合', organizationName: NAME })).toEqual([expect.objectContaining({ field: 'organizationName', rule: 'listedName' })]);
    expect(applyingBody({ organizationCode: '132012', organizationKind: '一部事務組合・広域連合' })).toEqual([expect.objectContaining({ field: 'organizationKind', rule: 'organOfCode' })]);
  });
});
