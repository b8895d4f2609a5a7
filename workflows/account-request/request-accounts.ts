import { v5 as uuidv5 } from 'uuid';
import { READER_PLACEHOLDERS } from '@nws/engine';
import type { AccountRequestContext } from './account-request.machine';
import { accountRequestForm } from './forms/account-request.form';
import type { HolderAccount } from './account-holders';

/**
 * The accounts a request issues, named at its second approval and issued the same. A holder whose
 * data was erased since the review has no name or address to open an account under (the request
 * held ［消去済み］ and issued an account to it, recorded for ever): left out. Login ids derive from
 * the request and the holder's position: deterministic, no clock or randomness.
 */
export function accountsOf(ctx: AccountRequestContext): HolderAccount[] {
  const holders = (ctx.forms[accountRequestForm.code]?.data['holders'] ?? []) as Array<{ name: string; email: string }>;
  const gone = (h: { name: string; email: string }) => [h.name, h.email].some((value) => value === READER_PLACEHOLDERS.erased || value === READER_PLACEHOLDERS.unreadable);
  return holders
    .map((h, i) => ({ h, i }))
    .filter(({ h }) => !gone(h))
    .map(({ h, i }) => ({ loginId: `nws-${uuidv5(`${ctx.applicationId}:${i}`, '9f0a3c1e-2b4d-5f6a-8c7e-1d2b3a4c5e6f').slice(0, 8)}`, name: h.name, email: h.email }));
}

