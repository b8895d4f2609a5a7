import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ForbiddenError, IsNotBlank, ValidationFailedError, localized, validateDto, type CommandMetadata, type DecidedEvent, type FoldedApplication, type JsonObject, type StreamRequirement } from '@nws/engine';
import { CATEGORIES } from './connection-application.events';
import { ORGANIZATION_KINDS, organOf } from '../shared/organizations';
import { findLocalGovernment } from '@nws/reference-catalog';
import { applyingBody } from '../shared/applying-body';
import { registeredFormRequirements } from './connection-application.registered';
import { masterDataStream } from './master-data/master-data.content';
import { firstRegistrationRequirement } from './first-registration';
import { connectionClaimRequirement } from './connection-claim';
import { connectionFormCategoryRequirements, connectionStateRequirements } from './connection-application.connection';

/** Body of `POST /applications` for this workflow (besides `workflow`). */
export class CreateConnectionApplicationDto {
  @Matches(/^\d{6}$/, { message: localized('6桁の全国地方公共団体コードを入力してください。', 'must be a 6-digit local government code (全国地方公共団体コード)') })
  organizationCode!: string;
  @IsIn(CATEGORIES) category!: string;
  /** 機関種類; defaults from the code (prefecture → 都道府県知事部局, municipality → 市町村長部局). */
  @IsOptional() @IsIn(ORGANIZATION_KINDS) organizationKind?: string;
  /** A 一部事務組合・広域連合's name (its code is not in our list); never for a listed body. */
  @IsOptional() @IsString() @IsNotBlank() @MaxLength(100) organizationName?: string;
}

export function createConnectionApplication(applicationId: string, input: JsonObject, meta: CommandMetadata): DecidedEvent[] {
  const result = validateDto(CreateConnectionApplicationDto, input);
  if (!result.ok) throw new ValidationFailedError(result.violations);
  const { organizationCode, category } = result.value;
  const body = applyingBody(result.value);
  if (Array.isArray(body)) throw new ValidationFailedError(body);
  const { kind } = body;
  if (meta.actor.role !== 'applicant' || meta.actor.org !== organizationCode || organOf(meta.actor) !== kind) {
    throw new ForbiddenError({
      ja: `申請は自機関（${meta.actor.org}）の申請者のみが作成できます。`,
      en: `only an applicant of the ${kind} of ${organizationCode} may create its application (you are ${meta.actor.role} of ${meta.actor.org}, ${organOf(meta.actor) ?? 'no organ'})`,
    });
  }
  return [
    {
      type: 'ApplicationCreated',
      data: {
        applicationId,
        organization: { ...body },
        category,
      },
    },
  ];
}

/** The applying organ, as ApplicationCreated records it. */
type Organ = { readonly code: string; readonly name: string; readonly kind: string };

/**
 * 登録 is the organ's first registration and 変更 changes what is registered (DOMAIN: 申請区分).
 * A 変更 for an organ with no master data would register a version holding only the forms it
 * carries (no 責任体制 without 様02-01) and distribute it; a second 登録 would replace the registered
 * data wholesale without being reviewed as a change of it. Checked by the engine against the store
 * when the application is created.
 */
export function connectionApplicationRequires(created: readonly DecidedEvent[]): StreamRequirement[] {
  const data = created[0]?.data as { category?: string; organization?: Organ } | undefined;
  return data?.category && data.organization ? [...masterDataRequirements(data.category, data.organization), ...registeredNameRequirement(data.organization)] : [];
}

/**
 * A 一部事務組合・広域連合 names itself (its code is not in the list that would): once it has master
 * data, its applications give the name registered, or one code would be published under two names.
 */
function registeredNameRequirement(organization: Organ): StreamRequirement[] {
  if (findLocalGovernment(organization.code)) return [];
  return [
    {
      streamId: masterDataStream(organization.code, organization.kind),
      latest: (event) => {
        const registered = ((event?.data['content'] as { organization?: { name?: unknown } } | undefined)?.organization?.name ?? undefined) as string | undefined;
        if (registered === undefined || registered === organization.name) return [];
        return [
          {
            field: 'organizationName',
            rule: 'registeredName',
            message: {
              ja: `organizationName: ${organization.code} は「${registered}」として登録されています。登録済みの名称で申請してください（名称の変更は様02-01で届け出ます）。`,
              en: `organizationName: ${organization.code} is registered as "${registered}": apply under the registered name`,
            },
          },
        ];
      },
    },
  ];
}

/**
 * The same, again at submission and at the second approval: drafts of one organ's 登録 made before
 * any was registered are all accepted, and the first approved registers the organ. Another one
 * approved after it would replace that master data as a first registration.
 */
export function connectionApplicationCommandRequires(action: string, application: FoldedApplication): StreamRequirement[] {
  if (action !== 'submit' && !(action === 'approve' && application.state === 'secondReview')) return [];
  const { category, organization, forms, applicationNumber } = application.snapshot.context as { category: string; organization: Organ; forms: Record<string, unknown>; applicationNumber: string | null };
  const approving = action === 'approve';
  return [
    ...masterDataRequirements(category, organization),
    ...(category === '登録' ? [firstRegistrationRequirement({ applicationId: application.id, applicationNumber, organization }, approving)] : []),
    ...connectionClaimRequirements(category, { applicationId: application.id, applicationNumber, organization }, forms, approving),
    ...packageRequirements(category, organization, forms),
    ...connectionStateRequirements(category, organization, forms),
    ...connectionFormCategoryRequirements(category, organization, forms),
    ...registeredFormRequirements(category, organization, forms as never),
  ];
}

/** The forms of 責任体制 and 連絡窓口 every 接続 lists as attached on 様03-06 (its checklist ticks them). */
export const STRUCTURE_FORMS = ['02-01', '02-02', '02-06'] as const;

/**
 * A 接続 carries 様02-01, 02-02 and 02-06 (様03-06 must tick them), or its organ has them registered
 * already (a 登録 before it): one left out of an organ with no master data would register a
 * version with no 責任体制 or no 連絡窓口, and distribute it.
 */
function packageRequirements(category: string, organization: Organ, forms: Record<string, unknown>): StreamRequirement[] {
  if (category !== '接続') return [];
  const { code, name, kind } = organization;
  return STRUCTURE_FORMS.filter((form) => !forms[form]).map((form) => ({
    streamId: masterDataStream(code, kind),
    exists: true,
    refusal: {
      field: `forms.${form}`,
      rule: 'attachedOrRegistered',
      message: {
        ja: `forms.${form}: 様03-06で添付する様${form}が保存されていません。${name}（${kind}）のマスタデータは登録されていないため、様${form}を保存してください。`,
        en: `forms.${form}: form 03-06 lists form ${form} as attached, and it is not saved; ${name} (${kind}) has no registered master data to take it from: save form ${form}`,
      },
    },
  }));
}

function masterDataRequirements(category: string, organization: Organ): StreamRequirement[] {
  const { code, name, kind } = organization;
  const streamId = masterDataStream(code, kind);
  if (category === '登録') {
    const message = {
      ja: `category: 申請区分「登録」は初回の登録です。${name}（${kind}）のマスタデータは登録済みです。「変更」で申請してください。`,
      en: `category: 登録 is the first registration, and ${name} (${kind}) already has master data; apply with 変更`,
    };
    return [{ streamId, exists: false, refusal: { field: 'category', rule: 'firstRegistration', message } }];
  }
  if (category !== '変更') return [];
  const message = {
    ja: `category: 申請区分「変更」は登録済みのマスタデータを変更します。${name}（${kind}）のマスタデータは登録されていません。先に「登録」で申請してください。`,
    en: `category: 変更 changes registered master data, and ${name} (${kind}) has none; apply with 登録 first`,
  };
  return [{ streamId, exists: true, refusal: { field: 'category', rule: 'registeredFirst', message } }];
}

/** A 接続 or 再開 claims the organ's connection at its second approval (connection-claim.ts). */
function connectionClaimRequirements(category: string, applicant: { applicationId: string; applicationNumber: string | null; organization: Organ }, forms: Record<string, unknown>, approving: boolean): StreamRequirement[] {
  const chosen = (forms['03-06'] as { data?: { category?: unknown } } | undefined)?.data?.category;
  if (category !== '接続' || (chosen !== '接続' && chosen !== '再開')) return [];
  return [connectionClaimRequirement({ ...applicant, chosen }, approving)];
}
