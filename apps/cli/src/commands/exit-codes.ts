/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  /** verify: the trail was changed (a broken chain, a missing position or seal, a file that does not match). */
  tampered: 4,
  /** verify: nothing wrong found, but a check could not be made (e.g. no witness file while the store has seals). */
  unverified: 5,
  /** sysexits EX_CONFIG, as the API's: a DATA_DIR or PERSONAL_DATA_KEY_FILE (or another setting) the command cannot use. */
  configuration: 78,
  /** sysexits EX_TEMPFAIL: an API or worker serves DATA_DIR; stop it and run the command again. */
  dataDirectoryInUse: 75,
} as const;
