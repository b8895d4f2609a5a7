/**
 * Commands, imperative. The HTTP action names map onto them; the stage of `approve`/`reject`
 * follows from the state (first or second review).
 */
export type ConnectionApplicationCommand =
  | { type: 'CreateApplication'; organizationCode: string; category: string }
  | { type: 'SaveForm'; formCode: string; form: unknown }
  | { type: 'RemoveForm'; formCode: string }
  | { type: 'GenerateSelectionForms'; choices: unknown }
  | { type: 'SubmitApplication' }
  | { type: 'ForwardApplication'; comment: string | null }
  | { type: 'ApproveFirstReview'; comment: string | null }
  | { type: 'RejectFirstReview'; comment: string }
  | { type: 'ApproveSecondReview'; comment: string | null }
  | { type: 'RejectSecondReview'; comment: string }
  | { type: 'ReviseApplication' }
  | { type: 'WithdrawApplication'; reason: string | null }
  | { type: 'RegisterMasterData'; version: number; contentHash: string }
  | { type: 'ConfirmDistribution'; comment: string | null };

/** Public actions (POST /applications/{id}/actions/{action}). */
export const ACTIONS = ['submit', 'forward', 'approve', 'reject', 'revise', 'withdraw', 'confirm-distribution'] as const;
/** Internal commands: form saving has its own endpoint; master data is registered by the engine. */
export const INTERNAL_COMMANDS = ['save-form', 'remove-form', 'generate-selection-forms', 'register-master-data'] as const;
export type Action = (typeof ACTIONS)[number] | (typeof INTERNAL_COMMANDS)[number];
