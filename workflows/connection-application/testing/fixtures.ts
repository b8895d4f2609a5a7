import type { Actor } from '@nws/engine';
import type { GivenEvent } from '@nws/engine/testing';
import { connectionApplicationForms } from '../forms';

export const hachiojiApplicant: Actor = { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' };
export const tokyoReviewer: Actor = { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' };
export const micReviewer: Actor = { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' };
export const auditor: Actor = { sub: 'audit-1', org: 'MIC', role: 'auditor' };
export const distributor: Actor = { sub: 'dist-1', org: 'MIC', role: 'distributor' };

export const created: GivenEvent = {
  type: 'ApplicationCreated',
  data: { applicationId: 'app-1', organization: { code: '132012', name: '八王子市', kind: '市町村長部局', prefectureCode: '130001' }, category: '登録' },
  actor: hachiojiApplicant,
};

export function formSaved(code: string): GivenEvent {
  const form = connectionApplicationForms.get(code)!;
  const result = form.validate(form.example);
  if (!result.ok) throw new Error(`example of ${code} is invalid: ${JSON.stringify(result.violations)}`);
  return { type: 'FormSaved', data: { formCode: code, form: result.value }, actor: hachiojiApplicant };
}

export const allFormsSaved: GivenEvent[] = ['02-01', '02-02', '02-06'].map(formSaved);

export const submitted: GivenEvent = {
  type: 'ApplicationSubmitted',
  data: { round: 1, applicationNumber: '20261121-132012-APP1', firstReviewer: '130001', secondReviewer: 'MIC' },
  actor: hachiojiApplicant,
};

export const reviewerData = (actor: Actor, orgName: string) => ({
  sub: actor.sub,
  org: actor.org,
  orgName,
  department: actor.department ?? null,
  name: actor.name ?? null,
});

export const firstApproved: GivenEvent = {
  type: 'FirstReviewApproved',
  data: { round: 1, comment: null, reviewer: reviewerData(tokyoReviewer, '東京都') },
  actor: tokyoReviewer,
};
