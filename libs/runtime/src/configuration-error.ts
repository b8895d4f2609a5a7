/** A setting a process cannot use: one line naming it, exit code 78 (EX_CONFIG). */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
}
