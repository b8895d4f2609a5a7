import type { Actor, JsonObject } from '@nws/engine';
import { findLocalGovernment } from '@nws/reference-catalog';
import { asFiledBy } from '@nws/workflows/connection-application/forms/testing/form-spec.helpers';
import type { ApiClient } from './http-client';

export const actors = {
  applicant: { sub: 'yamada', org: '132012', role: 'applicant', name: '山田 花子', department: '情報管理課' },
  otherApplicant: { sub: 'tachikawa', org: '132021', role: 'applicant' },
  boardOfEducation: { sub: 'kyoiku-1', org: '132012', role: 'applicant', organ: '市町村教育委員会', name: '教育 一郎', department: '教育総務課' },
  /** 東京都後期高齢者医療広域連合: a 一部事務組合・広域連合, whose code is not in the local government list. */
  association: { sub: 'koki-1', org: '138266', role: 'applicant', name: '広域 一郎', department: '総務課' },
  prefectureReviewer: { sub: 'tokyo-1', org: '130001', role: 'first-reviewer', name: '東京 太郎', department: 'デジタルサービス局' },
  otherPrefectureReviewer: { sub: 'kanagawa-1', org: '140007', role: 'first-reviewer' },
  micReviewer: { sub: 'mic-1', org: 'MIC', role: 'second-reviewer', name: '総務 花子', department: '住民制度課' },
  auditor: { sub: 'audit-1', org: 'MIC', role: 'auditor' },
  distributor: { sub: 'dist-1', org: 'MIC', role: 'distributor' },
  prefectureDistributor: { sub: 'dist-13', org: '130001', role: 'distributor' },
  operator: { sub: 'ops-1', org: 'MIC', role: 'operator' },
} satisfies Record<string, Actor>;

export type ActorName = keyof typeof actors;
/** What an association says of itself when it applies (its code is not in the list that would name it). */
export const ASSOCIATION_BODY = { organizationKind: '一部事務組合・広域連合', organizationName: '東京都後期高齢者医療広域連合' } as const;

/** Drives one application the way a client would: only public endpoints and the published examples. */
export class Driver {
  private tokens = new Map<ActorName, string>();
  constructor(readonly server: ApiClient) {}

  async token(name: ActorName): Promise<string> {
    let token = this.tokens.get(name);
    if (!token) {
      token = await this.server.token(actors[name]);
      this.tokens.set(name, token);
    }
    return token;
  }

  async as(name: ActorName, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    return this.server.request(method, path, { token: await this.token(name), body, ...(headers ? { headers } : {}) });
  }

  async examples(): Promise<{ create: Record<string, unknown>; forms: Array<{ code: string; example: unknown }> }> {
    const definition = await this.as('applicant', 'GET', '/workflows/connection-application');
    const create = definition.body.create.example as { category: string };
    // The definition says which forms the example's 申請区分 requires.
    const required: string[] = definition.body.categories[create.category].requiredForms;
    return { create, forms: definition.body.forms.filter((f: { code: string }) => required.includes(f.code)) };
  }

  /** The published example of any form (様03-06 and the others no category's example requires). */
  async formExample(code: string): Promise<Record<string, unknown>> {
    const definition = await this.as('applicant', 'GET', '/workflows/connection-application');
    return (definition.body.forms as Array<{ code: string; example: Record<string, unknown> }>).find((f) => f.code === code)!.example;
  }

  /**
   * The examples for an organ that already has master data: 変更 (a second 登録 is refused), carrying
   * the forms the published example's category requires, which a 変更 takes as well.
   */
  async changeExamples(): Promise<{ create: Record<string, unknown>; forms: Array<{ code: string; example: unknown }> }> {
    const { create, forms } = await this.examples();
    return { create: { ...create, category: '変更' }, forms };
  }

  /**
   * What a load creates over and over: 変更 of the applicant's organ, registered first when it is
   * not yet (every application after its first is a change; a second 登録 is refused).
   */
  async examplesForLoad(): Promise<{ create: Record<string, unknown>; forms: Array<{ code: string; example: unknown }>; setUp: string[] }> {
    const current = await this.as('applicant', 'GET', `/master-data/organizations/${actors.applicant.org}`);
    if (current.status !== 200 && current.status !== 404) throw new Error(`master data: ${current.status} ${JSON.stringify(current.body)}`);
    const setUp = current.status === 404 ? [await this.registerOrgan('applicant')] : [];
    return { ...(await this.changeExamples()), setUp };
  }

  /**
   * A draft with the example forms its category requires saved. Without a category, the published
   * example's (登録), or 変更 when the API answers that the organ is registered already, as a client
   * told so would.
   */
  async draftWithForms(actor: ActorName = 'applicant', category?: string): Promise<string> {
    const { create, forms } = await this.examples();
    const body = (chosen?: string) => ({ ...create, organizationCode: actors[actor].org, ...(chosen ? { category: chosen } : {}), ...(actor === 'boardOfEducation' ? { organizationKind: '市町村教育委員会' } : {}), ...(actor === 'association' ? ASSOCIATION_BODY : {}) });
    let created = await this.as(actor, 'POST', '/applications', body(category));
    if (!category && created.status === 400 && isFirstRegistrationRefusal(created.body)) created = await this.as(actor, 'POST', '/applications', body('変更'));
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    for (const form of forms) {
      // The published 様02-01 is 八王子市's: another body files it under its own 機関名.
      const filed = form.code === '02-01' ? asFiledBy('02-01', form.example as JsonObject, created.body.organization.name as string) : form.example;
      const saved = await this.as(actor, 'PUT', `/applications/${created.body.id}/forms/${form.code}`, filed);
      if (saved.status !== 200) throw new Error(`save ${form.code}: ${saved.status} ${JSON.stringify(saved.body)}`);
    }
    return created.body.id as string;
  }

  /**
   * Takes one application of the actor's organ through both reviews, so that the organ has master
   * data (its next applications are 変更). Returns the application's id.
   */
  async registerOrgan(actor: ActorName = 'applicant'): Promise<string> {
    const id = await this.draftWithForms(actor);
    for (const [name, action] of [[actor, 'submit'], ['prefectureReviewer', 'approve'], ['micReviewer', 'approve']] as const) {
      const answer = await this.act(name, id, action);
      if (answer.status !== 200) throw new Error(`${action}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return id;
  }

  /** Every application the caller may see, page by page (GET /applications serves at most 1,000 at a time). */
  async listAll(name: ActorName): Promise<Array<{ id: string; state: string; revision: number }>> {
    const rows: Array<{ id: string; state: string; revision: number }> = [];
    for (;;) {
      const page = await this.as(name, 'GET', `/applications?limit=1000&offset=${rows.length}`);
      if (page.status !== 200) throw new Error(`list: ${page.status} ${JSON.stringify(page.body)}`);
      rows.push(...(page.body as typeof rows));
      if ((page.body as unknown[]).length < 1000) return rows;
    }
  }

  /** How many events the application has (as an auditor reads its history): what a refused request must leave as it was. */
  async eventCount(id: string): Promise<number> {
    return (await this.as('auditor', 'GET', `/applications/${id}/history`)).body.events.length as number;
  }

  async act(name: ActorName, id: string, action: string, body?: unknown, headers?: Record<string, string>) {
    return this.as(name, 'POST', `/applications/${id}/actions/${action}`, body ?? {}, headers);
  }
}

function isFirstRegistrationRefusal(body: unknown): boolean {
  const violations = (body as { violations?: Array<{ rule?: string }> } | undefined)?.violations;
  return Array.isArray(violations) && violations.some((v) => v.rule === 'firstRegistration');
}

/** A published example as the body of `organizationCode` (a listed one) files it: its own 機関名 on 様02-01. */
export function filedByCode(formCode: string, form: JsonObject, organizationCode: string): JsonObject {
  return asFiledBy(formCode, form, findLocalGovernment(organizationCode)?.name ?? organizationCode);
}
