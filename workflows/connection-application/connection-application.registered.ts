import type { FieldViolation, JsonObject, StreamRequirement } from '@nws/engine';
import { provisionKey, provisionRightViolations, queryRightViolations } from './forms/query-rights';
import type { SavedForms } from './forms/saved-forms';
import type { DelegationEntry } from './master-data/delegation-matching';
import { sameWords } from '../shared/japanese-text';
import { masterDataStream } from './master-data/master-data.content';


/**
 * A 変更 carries over what it does not file: 様03-07 (1) and 様03-08 hold each other up across the
 * application and the registered master data. Filing 03-07 alone, each affair the law does not give
 * the body must be one its registered delegations received; filing 03-08 alone (a row-less one ends
 * every delegation), the registered 03-07 must not keep affairs it no longer receives. Checked
 * against the body's current version when the 変更 is submitted and approved (decide, pure, sees
 * the application only): before, both registered query rights with nothing behind them.
 */
export function registeredFormRequirements(category: string, organization: { code: string; kind: string }, forms: SavedForms): StreamRequirement[] {
  // A 接続 may take its 責任体制 from the registered master data too (packageRequirements): then its 様02-06 reports under it.
  if (category !== '変更' && category !== '接続') return [];
  return [...(category === '変更' ? delegationFormRequirements(organization, forms) : []), ...reporterRequirements(organization, forms)];
}

function delegationFormRequirements(organization: { code: string; kind: string }, forms: SavedForms): StreamRequirement[] {
  const category = '変更';
  const filed0307 = forms['03-07'];
  const filed0308 = forms['03-08'];
  // Both filed, or neither: the application's own forms were checked at submission (decide).
  if (Boolean(filed0307) === Boolean(filed0308)) return [];
  return [
    {
      streamId: masterDataStream(organization.code, organization.kind),
      latest: (event) => {
        const content = event?.data['content'] as JsonObject | undefined;
        if (!content) return [];
        if (filed0307) {
          // Matched, or held for their other side (突合待ち): both are the body's delegations as filed.
          const pending = (Array.isArray(event?.data['pendingDelegations']) ? event.data['pendingDelegations'] : []) as unknown as DelegationEntry[];
          const delegations = [...((Array.isArray(content['delegations']) ? content['delegations'] : []) as unknown as DelegationEntry[]), ...pending];
          const received = new Set(delegations.filter((d) => d.kind === 'query' && d.side === 'delegatee' && d.delegateeCode === organization.code).map((d) => d.itemNo));
          const receivedProvisions = new Set(
            delegations.filter((d) => d.kind === 'provision' && d.side === 'delegatee' && d.delegateeCode === organization.code).map((d) => provisionKey(d.itemNo, d.personalInfoName)),
          );
          return [...queryRightViolations(category, { '03-07': filed0307 }, organization, received), ...provisionRightViolations(category, { '03-07': filed0307 }, organization, receivedProvisions)];
        }
        const registered0307 = content['form0307'];
        if (registered0307 === null || typeof registered0307 !== 'object') return [];
        const carried = { '03-07': { data: registered0307 as JsonObject }, '03-08': filed0308 };
        const unprovided = provisionRightViolations(category, carried, organization);
        const unbacked = queryRightViolations(category, carried, organization);
        const kept = unprovided.length === 0 ? [] : [keptProvisions(registered0307 as JsonObject, unprovided)];
        if (unbacked.length === 0) return kept;
        const rows = (registered0307 as { queryAffairs?: Array<{ itemNo?: unknown }> }).queryAffairs ?? [];
        const items = unbacked.map((v) => String(rows[Number(/queryAffairs\[(\d+)\]/.exec(v.field)?.[1])]?.itemNo)).join('、');
        return [
          ...kept,
          {
            field: 'forms.03-07',
            rule: 'querierOfAffair',
            message: {
              ja: `forms.03-07: 登録済みの様03-07に、この様03-08では受任しない事務（別表第二 第${items}項）が残ります。様03-07を提出して除いてください。`,
              en: `forms.03-07: the registered form 03-07 keeps affairs this form 03-08 no longer receives (別表第二 item ${items}): file form 03-07 without them`,
            },
          } satisfies FieldViolation,
        ];
      },
    },
  ];
}

/**
 * The registered 様03-07 (2) keeps information a 様03-08 filed alone no longer receives: 奥多摩町's
 * row of the 知事's 障害者関係情報 stayed its own to provide after a row-less 03-08 ended the 受任.
 */
function keptProvisions(registered0307: JsonObject, unprovided: readonly FieldViolation[]): FieldViolation {
  const rows = (registered0307['providedInformation'] ?? []) as Array<{ itemNo?: unknown }>;
  const items = [...new Set(unprovided.map((v) => String(rows[Number(/providedInformation\[(\d+)\]/.exec(v.field)?.[1])]?.itemNo)))].join('、');
  return {
    field: 'forms.03-07',
    rule: 'providerOfInformation',
    message: {
      ja: `forms.03-07: 登録済みの様03-07（2）に、この様03-08では受任しない特定個人情報（別表第二 第${items}項）が残ります。様03-07を提出して除いてください。`,
      en: `forms.03-07: the registered form 03-07 (2) keeps information this form 03-08 no longer receives (別表第二 item ${items}): file form 03-07 without it`,
    },
  };
}

/**
 * 様02-06's reporter is the 情報システム責任者 of 様02-01 (DOMAIN). A 変更 (or a 接続 of an organ already
 * registered) filing 02-06 without 02-01 reports under the registered 02-01: its reporter holds the registered responsible's post. Master
 * data keeps the structure's job titles, not names (a name is not published), so the title is what
 * can be held to it; before, a 変更 filing 02-06 alone was held to nothing.
 */
function reporterRequirements(organization: { code: string; kind: string }, forms: SavedForms): StreamRequirement[] {
  const reporter = forms['02-06']?.data['reporter'] as { title?: string } | undefined;
  if (!reporter || forms['02-01']) return [];
  return [
    {
      streamId: masterDataStream(organization.code, organization.kind),
      latest: (event) => {
        const title = ((event?.data['content'] as { structure?: { systemResponsibleTitle?: unknown } | null } | undefined)?.structure ?? undefined)?.systemResponsibleTitle;
        if (typeof title !== 'string' || sameWords(title, reporter.title)) return [];
        return [
          {
            field: 'forms.02-06.reporter.title',
            rule: 'reporterIsSystemResponsible',
            message: {
              ja: `forms.02-06.reporter.title: 報告者は登録済みの様02-01の情報システム責任者（${title}）です。責任者が替わった場合は様02-01も提出してください。`,
              en: `forms.02-06.reporter.title: the reporter is the 情報システム責任者 of the registered form 02-01 (${title}); if the post changed, file form 02-01 as well`,
            },
          } satisfies FieldViolation,
        ];
      },
    },
  ];
}
