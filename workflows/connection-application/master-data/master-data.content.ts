import { createHash } from 'node:crypto';
import { canonicalJson } from '@nws/event-store';
import type { JsonObject } from '@nws/engine';
import type { ConnectionApplicationContext } from '../connection-application.machine';
import type { DelegationEntry } from './delegation-matching';
import { organKey, parseOrganKey, type OrganizationKind } from '../../shared/organizations';
import { PLACEHOLDER } from '../../../libs/personal-data/src/personal-data.declaration';

export const MASTER_DATA_STREAM_PREFIX = 'master-data-';

/**
 * The stream of one organ's master data — the only place its name is built. An applicant body is an
 * organ (機関), not a code: a 知事部局 and its 都道府県教育委員会, or a 市町村長部局 and its
 * 市町村教育委員会, share one 全国地方公共団体コード but each has its own master data and versions.
 * The code's default organ keeps `master-data-{code}`; any other organ is
 * `master-data-{code}.{slug}` (organKey: e.g. `master-data-130001.prefectural-board-of-education`).
 */
export function masterDataStream(organizationCode: string, organizationKind: string): string {
  return `${MASTER_DATA_STREAM_PREFIX}${organKey(organizationCode, organizationKind)}`;
}

/** The organ whose master data a stream holds; undefined for any other stream. */
export function organOfMasterDataStream(streamId: string): { code: string; kind: OrganizationKind } | undefined {
  return streamId.startsWith(MASTER_DATA_STREAM_PREFIX) ? parseOrganKey(streamId.slice(MASTER_DATA_STREAM_PREFIX.length)) : undefined;
}

/** Forms whose content enters the master data as filed (affairs provided and queried, independent use). */
const CATALOG_FORMS = ['03-07', '03-09'] as const;

export interface MasterDataContentOptions {
  /**
   * The body's current content, if it has one: sections whose form this application does not file
   * are carried over from it (a 変更 of the contacts keeps the registered affairs and delegations).
   */
  readonly base?: JsonObject | undefined;
  /**
   * The delegation entries (様03-08) that enter the master data: those the 突合 registered
   * (delegation-matching.ts). Entries still waiting for their other side are not content.
   */
  readonly delegations: readonly DelegationEntry[];
}

/**
 * The published view of a body's registration: what connected bodies and downstream systems may
 * see. Emergency contacts (緊急連絡先) never enter it; names of the responsible structure are
 * replaced by their job titles, which is what the network's registry needs. Delegations enter
 * only once matched (`delegations`); 様03-08 itself is not copied, since it holds held rows too.
 */
export function masterDataContent(ctx: ConnectionApplicationContext, options: MasterDataContentOptions): JsonObject {
  const base = options.base;
  const structure = ctx.forms['02-01']?.data['structure'] as
    | { systemResponsible: { title: string }; systemManager: { title: string }; staff: { division: string; section: string } }
    | undefined;
  const contacts = ctx.forms['02-02']?.data['normalContacts'] as
    | Array<{ priority: number; department: string; name: string; phone: string; email: string }>
    | undefined;
  const carried = (key: string) => (base && key in base ? (JSON.parse(JSON.stringify(base[key])) as JsonObject[string]) : undefined);
  const content: JsonObject = {
    organization: { code: ctx.organization.code, name: ctx.organization.name, kind: ctx.organization.kind },
    applicationNumber: ctx.applicationNumber,
    category: ctx.category,
    structure: structure
      ? {
          systemResponsibleTitle: structure.systemResponsible.title,
          systemManagerTitle: structure.systemManager.title,
          staff: { division: structure.staff.division, section: structure.staff.section },
        }
      : (carried('structure') ?? null),
    // Filed or carried over, a contact erased meanwhile (the application read back during its review) is no one's.
    contacts: withoutErasedContacts(contacts ? contacts.map((c) => ({ priority: c.priority, department: c.department, name: c.name, phone: c.phone, email: c.email })) : (carried('contacts') ?? [])),
  };
  for (const code of CATALOG_FORMS) {
    const key = `form${code.replace('-', '')}`;
    const form = ctx.forms[code];
    const value = form ? (JSON.parse(JSON.stringify(form.data)) as JsonObject) : carried(key);
    if (value !== undefined) content[key] = value;
  }
  content['delegations'] = JSON.parse(JSON.stringify(options.delegations)) as JsonObject[];
  return content;
}

/**
 * Contacts without those whose person was erased (消去), whether carried over from a registered
 * version or filed on an application erased during its review: read back, their values are only
 * ［消去済み］, which is nobody's name, phone or address and must not be registered (and
 * distributed) as if it were. The others keep their priorities.
 */
export function withoutErasedContacts(contacts: JsonObject[string]): JsonObject[] {
  if (!Array.isArray(contacts)) return [];
  return contacts.filter(
    (contact): contact is JsonObject =>
      contact !== null && typeof contact === 'object' && !Array.isArray(contact) && !['name', 'phone', 'email'].some((field) => contact[field] === PLACEHOLDER.erased),
  );
}

export function contentHash(content: JsonObject): string {
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}
