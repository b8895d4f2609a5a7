import { DomainError } from '@nws/engine';

/**
 * A person's values about to be written under a new key, moments after the person was erased: a
 * command or a reaction read them in clear before the erasure and writes after it (a master-data
 * version carrying the contacts over, an account issued to the holder). Written, the person would be
 * readable again under a key the erasure never destroyed. Refused (409): the retry reads them as
 * ［消去済み］. The person typed in again (a form saved) is not a copy, and is given a new key.
 */
export class PersonalDataErasedMeanwhileError extends DomainError {
  readonly code = 'PERSONAL_DATA_ERASED_MEANWHILE';
  constructor(readonly erasedAt: string) {
    super({
      ja: `この操作が写す個人情報の本人は ${erasedAt} に消去されました（消去の前に読まれた値は記録しません）。再実行してください（消去された値は［消去済み］として扱われます）。`,
      en: `a person whose data this operation copies was erased at ${erasedAt} (values read before an erasure are not written again); retry, and the erased values are taken as ［消去済み］`,
    });
  }
}
