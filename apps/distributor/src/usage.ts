/** `--help` of the reference distributor: it takes no arguments (see serverCommandLine). */
export const DISTRIBUTOR_USAGE = `Usage: npm run distributor   (node dist/apps/distributor/src/main.js)
The reference distributor: writes each master-data version to OUTPUT_DIR/{code}/v{n}.csv and .json.
Settings are environment variables (README, "Reference distributor"; defaults in brackets):
  API_URL [http://localhost:3000]  CONSUMER [reference-distributor]  OUTPUT_DIR [./distribution-output]
  PULL_WAIT_MS [20000]  POLL_INTERVAL_MS [1000]  BATCH_SIZE [50]
  DISTRIBUTOR_TOKEN, or the API's JWT_SECRET, or the API's DATA_DIR holding its development secret, to mint one
  (with JWT_PUBLIC_KEY or JWT_JWKS_URL set, the API takes tokens of an identity provider: DISTRIBUTOR_TOKEN is needed)
  SOURCE [api] or esdb-persistent, with EVENTSTORE_CONNECTION_STRING
  REFRESH_ON_START [false]: first fetch every version on disk again and rewrite what shows otherwise
Exit codes: 78 a setting it cannot use, 77 the API refuses the token (401), 64 arguments given.
`;
