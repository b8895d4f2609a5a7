import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from '@nws/engine';
import type { ConnectionApplicationContext } from '../connection-application.machine';

export const masterDataStream = (organizationCode: string): string => `master-data-${organizationCode}`;

/** Forms whose content enters the master data as filed (affairs, provision, delegation, independent use). */
const CATALOG_FORMS = ['03-07', '03-08', '03-09'] as const;

/**
 * The published view of a body's registration: what connected bodies and downstream systems may
 * see. Emergency contacts (緊急連絡先) never enter it; names of the responsible structure are
 * replaced by their job titles, which is what the network's registry needs.
 */
export function masterDataContent(ctx: ConnectionApplicationContext): JsonObject {
  const structure = ctx.forms['02-01']?.data['structure'] as
    | { systemResponsible: { title: string }; systemManager: { title: string }; staff: { division: string; section: string } }
    | undefined;
  const contacts = ctx.forms['02-02']?.data['normalContacts'] as
    | Array<{ priority: number; department: string; name: string; phone: string; email: string }>
    | undefined;
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
      : null,
    contacts: (contacts ?? []).map((c) => ({ priority: c.priority, department: c.department, name: c.name, phone: c.phone, email: c.email })),
  };
  for (const code of CATALOG_FORMS) {
    const form = ctx.forms[code];
    if (form) content[`form${code.replace('-', '')}`] = JSON.parse(JSON.stringify(form.data)) as JsonObject;
  }
  return content;
}

export function contentHash(content: JsonObject): string {
  return `sha256:${createHash('sha256').update(canonicalize(content) ?? '').digest('hex')}`;
}
