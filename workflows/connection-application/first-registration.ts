import type { StreamContent } from '@nws/engine';
import { organKey } from '../shared/organizations';
import { organClaimRequirement } from './organ-claim';

/**
 * One 登録 (first registration) per organ. The organ's master data must not exist when a 登録 is
 * submitted or approved, but it is written by a reaction after the approval: two 登録s of one organ
 * approved at once both passed that check, and the second registered as version 2 of the first. The
 * second approval claims the organ's first registration (organ-claim.ts); once registered, the
 * master data refuses every later 登録 itself.
 */
export const FIRST_REGISTRATION_CLAIMED = 'FirstRegistrationClaimed';
export const firstRegistrationStream = (code: string, kind: string): string => `first-registration-${organKey(code, kind)}`;

export interface FirstRegistrationApplicant {
  readonly applicationId: string;
  readonly applicationNumber: string | null;
  readonly organization: { readonly code: string; readonly name: string; readonly kind: string };
}

/** Refuses a 登録 while another 登録 of the organ holds its approval (stored, or being stored); `claiming` at the second approval. */
export function firstRegistrationRequirement(applicant: FirstRegistrationApplicant, claiming: boolean): StreamContent {
  const { code, name, kind } = applicant.organization;
  return organClaimRequirement(
    {
      streamId: firstRegistrationStream(code, kind),
      claimedType: FIRST_REGISTRATION_CLAIMED,
      namespace: 'b4f1d2c3-6a7e-5b8f-9c0d-1e2f3a4b5c6d',
      refusal: (claimant, pending) => {
        const other = claimant.applicationNumber ?? claimant.applicationId;
        return {
          field: 'category',
          rule: 'firstRegistration',
          message: {
            ja: `category: ${name}（${kind}）の「登録」は別の申請（${other}）が${pending ? '承認の手続き中' : '承認済み'}です。そのマスタデータの登録後、「変更」で申請してください。`,
            en: `category: another 登録 of ${name} (${kind}) ${pending ? 'is being approved' : 'was approved'} (${other}): once its master data is registered, apply with 変更`,
          },
        };
      },
    },
    applicant,
    claiming,
  );
}
