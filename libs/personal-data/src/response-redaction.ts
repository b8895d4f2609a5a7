import type { JsonObject } from '@nws/event-store';
import { isCiphertext } from './field-cipher';
import { formatPath, getAt, isRecord, setAt, type PathSegment } from './json-path';
import { normaliseName, type KeyStore } from './key-store.port';
import { PLACEHOLDER, PLACEHOLDERS, actorNameRef, organField, type Classification, type EventShape, type PersonalDataDeclaration, type PersonalValueRef } from './personal-data.declaration';

export interface Reader {
  readonly sub: string;
  readonly org: string;
  readonly role: string;
  /** The reader's organ (機関種類) where its token names one; absent: its code's default organ. */
  readonly organ?: string;
}

export interface RedactionContext {
  readonly reader: Reader;
  /** The stated or defaulted purpose (a code); null when an auditor stated none. */
  readonly purpose: string | null;
  /** A published view (master data, distribution): suspended subjects are hidden there. */
  readonly publishedView: boolean;
  /** The application of the route (`/applications/:id…`), for values whose node does not name one. */
  readonly applicationId: string | null;
  /**
   * The organ a code stands for when a token or a document names none (a prefecture's 知事部局, a
   * city's 市長部局). Given, a body is an organ: a 市町村教育委員会 is not its 市町村長部局's body
   * though they share a code. Absent, bodies are compared by code.
   */
  readonly defaultOrgan?: (code: string) => string | undefined;
}

/** Whether the value's body (code, organ) is the reader's own: its people's data is no disclosure. */
export function ofReadersBody(ctx: RedactionContext, org: string, organ: string | undefined): boolean {
  if (ctx.reader.org !== org) return false;
  if (!ctx.defaultOrgan) return true;
  return (ctx.reader.organ ?? ctx.defaultOrgan(org)) === (organ ?? ctx.defaultOrgan(org));
}

export interface DisclosedValue {
  readonly organizationCode: string;
  /** The organ the value's document names; absent: the code's default organ. */
  readonly organizationKind?: string | undefined;
  readonly applicationId: string | null;
  readonly subjectId: string | null;
  readonly field: string;
}

export interface RedactionResult {
  readonly body: unknown;
  readonly disclosed: readonly DisclosedValue[];
  readonly withheld: number;
}

/**
 * What a reader may see of one personal value. Callers have already checked the reader may read
 * the document at all (canRead); this decides value by value:
 * - the body itself sees its own people's data;
 * - the application's reviewers see everything in it (緊急連絡先 included), but in published views only what is published;
 * - auditors see what they state a purpose for, except 緊急連絡先;
 * - distributors and other bodies see published contacts only, and not while their use is suspended.
 */
export function visibility(ctx: RedactionContext, org: string, classification: Classification, suspended: boolean | 'unknown', organ?: string): 'show' | string {
  const { role } = ctx.reader;
  if (ofReadersBody(ctx, org, organ)) return 'show';
  if (role === 'auditor') {
    if (!ctx.purpose) return PLACEHOLDER.purposeRequired;
    return classification === 'restricted' ? PLACEHOLDER.withheld : 'show';
  }
  if ((role === 'first-reviewer' || role === 'second-reviewer') && !ctx.publishedView) return 'show';
  if (classification !== 'published') return PLACEHOLDER.withheld;
  // A diff's values are classified by path, their person unknown: shown only where suspension does not matter.
  if (suspended === 'unknown') return PLACEHOLDER.withheld;
  return suspended ? PLACEHOLDER.suspended : 'show';
}

/**
 * Finds the personal values of a response by the declared shapes (application views, events and
 * history entries, master-data versions), replaces what the reader may not see, and reports what
 * was shown to someone outside the body, for the access log. Never changes the body: answers it
 * as it is when nothing is replaced (a body reading its own data), else a copy with the replacements.
 */
export async function redactResponse(body: unknown, declarations: readonly PersonalDataDeclaration[], keys: KeyStore, ctx: RedactionContext): Promise<RedactionResult> {
  const disclosed: DisclosedValue[] = [];
  let withheld = 0;
  // Decided on the body as it is, made on one copy at the end: most answers replace nothing, and
  // copying every answer whole (structuredClone) was ~2 % of an HTTP save's CPU.
  const replacements: Array<[PathSegment[], string]> = [];
  // One read per person and answer, not two per value: a contact's name, phones and mails share
  // their anchor, and each key-store read is a locked read of its file (most of a reviewer's read
  // of an application went to them). Within one answer only: the key store is read afresh by the
  // next, so an erasure or a suspension holds from the next answer on.
  const people = new Map<string, Promise<{ subjectId: string | null; suspended: boolean }>>();
  const personOf = (org: string, organ: string | undefined, name: string) => {
    const key = `${org}\u0000${organ ?? ''}\u0000${name}`;
    let person = people.get(key);
    if (!person) {
      // A name of nothing but spaces is nobody's; a key store that cannot be read fails the
      // answer (503) rather than show a suspended person's data as if it were not.
      person = normaliseName(name) === '' ? Promise.resolve({ subjectId: null, suspended: false }) : keys.findPerson({ code: org, organ }, name).then((found) => found ?? { subjectId: null, suspended: false });
      people.set(key, person);
    }
    return person;
  };

  const apply = async (node: Record<string, unknown>, at: readonly PathSegment[], refs: readonly PersonalValueRef[], applicationId: string | null) => {
    // Every value's person is resolved before any value (a name is its own anchor) is replaced.
    const plan: Array<{ ref: PersonalValueRef; subjectId: string | null; suspended: boolean }> = [];
    for (const ref of refs) {
      const value = getAt(node, ref.path);
      if (value === undefined || value === null || (typeof value === 'string' && (PLACEHOLDERS.has(value) || isCiphertext(value)))) continue;
      // The body sees its own people whatever their state, and that is no disclosure to log: no
      // subject to look up (two key-store reads per value, on every answer to an applicant).
      if (ofReadersBody(ctx, ref.org, ref.organ)) continue;
      const anchor = getAt(node, ref.anchor);
      const name = typeof anchor === 'string' && !PLACEHOLDERS.has(anchor) && !isCiphertext(anchor) ? anchor : String(value);
      plan.push({ ref, ...(await personOf(ref.org, ref.organ, name)) });
    }
    for (const { ref, subjectId, suspended } of plan) {
      const outcome = visibility(ctx, ref.org, ref.classification, suspended, ref.organ);
      if (outcome !== 'show') {
        replacements.push([[...at, ...ref.path], outcome]);
        withheld += 1;
      } else {
        disclosed.push({ organizationCode: ref.org, organizationKind: ref.organ, applicationId, subjectId, field: formatPath(ref.path) });
      }
    }
  };

  // Field-by-field diffs carry paths, not people: classified by path, logged without a subject.
  const applyDiff = (node: Record<string, unknown>, at: readonly PathSegment[], scope: { formCode: string } | { masterData: true }, body: Body, applicationId: string | null) => {
    const { org, organ } = body;
    for (const [index, change] of (node['changes'] as unknown[]).entries()) {
      if (!isRecord(change) || typeof change['path'] !== 'string') continue;
      for (const side of ['before', 'after'] as const) {
        if (!(side in change)) continue;
        for (const [sub, leaf] of leaves(change[side])) {
          const field = joinPath(change['path'], sub);
          const classification = declarations.map((d) => d.classifyField(scope, field)).find(Boolean);
          if (!classification || leaf === null || (typeof leaf === 'string' && PLACEHOLDERS.has(leaf))) continue;
          const outcome = visibility(ctx, org, classification, 'unknown', organ);
          if (outcome !== 'show') {
            replacements.push([[...at, 'changes', index, side, ...sub], outcome]);
            withheld += 1;
          } else if (!ofReadersBody(ctx, org, organ)) {
            disclosed.push({ organizationCode: org, organizationKind: organ, applicationId, subjectId: null, field: `${'formCode' in scope ? `forms.${scope.formCode}.` : 'content.'}${field}` });
          }
        }
      }
    }
  };

  // The body a subtree is about, named by an ancestor (a view's `organization`, a diff's `organizationCode`).
  const visit = async (node: unknown, at: readonly PathSegment[], applicationId: string | null, about?: Body): Promise<void> => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) await visit(item, [...at, index], applicationId, about);
      return;
    }
    if (!isRecord(node)) return;
    about = bodyNamedBy(node) ?? about;
    if (Array.isArray(node['changes']) && (typeof node['formCode'] === 'string' || typeof node['organizationCode'] === 'string')) {
      // A form diff names no body itself: the answer around it does (or, for an applicant, whose canRead was checked, its own).
      const body = about ?? (ctx.reader.role === 'applicant' ? { org: ctx.reader.org, ...organField(ctx.reader.organ) } : { org: '(the applicant body)' });
      applyDiff(node, at, typeof node['formCode'] === 'string' ? { formCode: node['formCode'] } : { masterData: true }, body, applicationId);
      for (const [key, inner] of Object.entries(node)) if (key !== 'changes') await visit(inner, [...at, key], applicationId, about);
      return;
    }
    // Who saved a form, in a round diff: `{ sub, name }` with no body of its own (forms are saved by the body's applicants).
    if (about && typeof node['sub'] === 'string' && typeof node['name'] === 'string' && node['org'] === undefined) {
      await apply(node, at, [{ path: ['name'], org: about.org, ...organField(about.organ), anchor: ['name'], classification: 'internal' }], applicationId);
      return;
    }
    const located = locate(node, declarations);
    if (located) {
      await apply(node, at, located.refs, located.applicationId ?? applicationId);
      return;
    }
    for (const [key, inner] of Object.entries(node)) await visit(inner, [...at, key], applicationId, about);
  };

  await visit(body, [], ctx.applicationId);
  if (replacements.length === 0) return { body, disclosed, withheld };
  const copy = structuredClone(body);
  for (const [path, value] of replacements) setAt(copy, path, value);
  return { body: copy, disclosed, withheld };
}

function locate(node: Record<string, unknown>, declarations: readonly PersonalDataDeclaration[]): { refs: PersonalValueRef[]; applicationId: string | null } | undefined {
  const applicationId = applicationIdOf(node);
  if (typeof node['workflow'] === 'string' && isRecord(node['forms']) && isRecord(node['organization'])) {
    return { refs: declarations.flatMap((d) => d.inView(node as JsonObject)), applicationId: typeof node['id'] === 'string' ? node['id'] : applicationId };
  }
  if (typeof node['type'] === 'string' && isRecord(node['data'])) {
    // History entries carry the actor beside the data; stored events inside metadata.
    const metadata = isRecord(node['metadata']) ? node['metadata'] : { actor: node['actor'] ?? null };
    const shape: EventShape = { type: node['type'], data: node['data'] as JsonObject, metadata: metadata as JsonObject };
    const refs = [...actorNameRef(shape), ...declarations.flatMap((d) => d.inEvent(shape))].map((ref) => relocate(ref, isRecord(node['metadata'])));
    return { refs, applicationId };
  }
  // Anyone else the workflow records by person, body and name (a reviewer inside a round diff, …).
  if (typeof node['sub'] === 'string' && typeof node['org'] === 'string' && typeof node['name'] === 'string') {
    return { refs: [{ path: ['name'], org: node['org'], ...organField(node['organ']), anchor: ['name'], classification: 'internal' }], applicationId };
  }
  if (typeof node['organizationCode'] === 'string' && isRecord(node['content'])) {
    // The version's organ: a board of education's master data holds the board's people, not its head department's.
    const organ = typeof node['organizationKind'] === 'string' ? node['organizationKind'] : undefined;
    const refs = declarations.flatMap((d) => d.inMasterDataContent(node['content'] as JsonObject, node['organizationCode'] as string, organ));
    return { refs: refs.map((ref) => ({ ...ref, path: ['content', ...ref.path], anchor: ['content', ...ref.anchor] })), applicationId };
  }
  return undefined;
}

interface Body {
  readonly org: string;
  readonly organ?: string;
}

function bodyNamedBy(node: Record<string, unknown>): Body | undefined {
  if (typeof node['organizationCode'] === 'string') return { org: node['organizationCode'], ...organField(node['organizationKind']) };
  const organization = node['organization'];
  if (isRecord(organization) && typeof organization['code'] === 'string') return { org: organization['code'], ...organField(organization['kind']) };
  return undefined;
}

function applicationIdOf(node: Record<string, unknown>): string | null {
  if (typeof node['applicationId'] === 'string') return node['applicationId'];
  if (typeof node['streamId'] === 'string' && node['streamId'].startsWith('application-')) return node['streamId'].slice('application-'.length);
  return null;
}

function relocate(ref: PersonalValueRef, hasMetadata: boolean): PersonalValueRef {
  if (hasMetadata || ref.path[0] !== 'metadata') return ref;
  const move = (path: readonly PathSegment[]) => (path[0] === 'metadata' ? path.slice(1) : path);
  return { ...ref, path: move(ref.path), anchor: move(ref.anchor) };
}

function leaves(value: unknown, path: PathSegment[] = []): Array<[PathSegment[], unknown]> {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, index]));
  if (isRecord(value)) return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, key]));
  return [[path, value]];
}

function joinPath(base: string, sub: readonly PathSegment[]): string {
  return sub.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), base);
}
