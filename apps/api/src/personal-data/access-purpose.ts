import { ValidationFailedError, type Actor } from '@nws/engine';
import { ACCESS_PURPOSES, ACCESS_REFERENCE_PATTERN, isAccessPurpose, type AccessPurpose } from '@nws/personal-data';

export interface StatedPurpose {
  /** A code of ACCESS_PURPOSES; null when nothing was stated and the role has no default. */
  readonly purpose: AccessPurpose | null;
  readonly reference: string | null;
}

const fieldError = (field: string, rule: string, ja: string, en: string) =>
  new ValidationFailedError([{ field, rule, message: { ja: `${field}: ${ja}`, en: `${field}: ${en}` } }]);

/**
 * X-Access-Purpose (a code, see ACCESS_PURPOSES) and X-Access-Reference (a ticket number, ASCII).
 * Reviewers read for review and distributors for distribution unless they say otherwise; other
 * bodies read published contacts; auditors must say why, or their responses carry no personal data.
 */
export function statedPurpose(headers: Record<string, string | string[] | undefined>, actor: Actor): StatedPurpose {
  const raw = headers['x-access-purpose'];
  const refRaw = headers['x-access-reference'];
  let purpose: AccessPurpose | null = null;
  if (raw !== undefined) {
    if (typeof raw !== 'string' || !isAccessPurpose(raw.trim())) {
      throw fieldError('X-Access-Purpose', 'accessPurpose', `次のいずれかを指定してください: ${Object.keys(ACCESS_PURPOSES).join(', ')}`, `must be one of ${Object.keys(ACCESS_PURPOSES).join(', ')}`);
    }
    purpose = raw.trim() as AccessPurpose;
    const roles = ROLES_OF_PURPOSE[purpose];
    if (roles !== undefined && !roles.includes(actor.role)) {
      throw fieldError(
        'X-Access-Purpose',
        'purposeOfRole',
        `「${purpose}」（${ACCESS_PURPOSES[purpose].ja}）は ${roles.join('、')} の利用目的です（あなたは ${actor.role}）。`,
        `${purpose} (${ACCESS_PURPOSES[purpose].en}) is the purpose of ${roles.join(', ')} (you are ${actor.role})`,
      );
    }
  }
  if (refRaw !== undefined && (typeof refRaw !== 'string' || !ACCESS_REFERENCE_PATTERN.test(refRaw))) {
    throw fieldError('X-Access-Reference', 'reference', '1〜64文字の英数字と . _ / - で指定してください（氏名等は記入しないこと）。', 'must be 1 to 64 characters of A-Z, a-z, 0-9, . _ / - (no names)');
  }
  return { purpose: purpose ?? defaultPurpose(actor), reference: typeof refRaw === 'string' ? refRaw : null };
}

/**
 * Purposes that are a role's work: the access log records who read why, and a prefecture's reviewer
 * stating `audit` was logged as an audit. The others (a person's request, an incident, the law,
 * published contacts) may be anyone's.
 */
const ROLES_OF_PURPOSE: Partial<Record<AccessPurpose, readonly Actor['role'][]>> = {
  audit: ['auditor'],
  review: ['first-reviewer', 'second-reviewer'],
  distribution: ['distributor'],
};

function defaultPurpose(actor: Actor): AccessPurpose | null {
  switch (actor.role) {
    case 'first-reviewer':
    case 'second-reviewer':
      return 'review';
    case 'distributor':
      return 'distribution';
    case 'applicant':
      return 'published-contact';
    default:
      return null;
  }
}
