/** `--help` of the API and the worker: they take no arguments (see serverCommandLine). */
export const SERVER_SETTINGS = `Settings are environment variables (README, "Configuration"; defaults in brackets):
  PORT [3000 API, 3100 worker]  HOST [0.0.0.0]  DATA_DIR [./data]
  EVENT_STORE [sqlite] or esdb, with EVENTSTORE_CONNECTION_STRING (esdb://…)
  NODE_ENV=production with JWT_SECRET (32+ characters), JWT_PUBLIC_KEY or JWT_JWKS_URL; JWT_ISSUER, JWT_AUDIENCE
  RATE_LIMIT [20/s,300/min] or off   PROCESS_ROLE [all] or api / worker   LOG_FORMAT [text] or json
  PERSONAL_DATA_KEY_FILE [DATA_DIR/personal-data-keys.sqlite]  PERSONAL_DATA_RETENTION_DAYS [1826]
  PROJECTION_MAX_ATTEMPTS [3]  PROJECTION_RETRY_DELAY_MS [100]
  DISTRIBUTION_CONSUMERS_FILE  DISTRIBUTION_ACK_TIMEOUT_MS [30000]  DISTRIBUTION_MAX_DELIVERIES [5]
  DISTRIBUTION_HEARTBEAT_MS [15000]  DISTRIBUTION_LAG_LOG_MS [60000]
Exit codes: 78 a setting it cannot use, 75 DATA_DIR or PORT held by another process, 69 EventStoreDB does not answer, 64 arguments given.
`;

export const API_USAGE = `Usage: npm start   (node dist/apps/api/src/main.js)
The connection-application workflow API: HTTP on PORT, OpenAPI at /docs.
${SERVER_SETTINGS}`;

export const WORKER_USAGE = `Usage: npm run worker   (node dist/apps/worker/src/main.js)
The worker of a scaled deployment (PROCESS_ROLE=worker): reactor, projections and distribution.
${SERVER_SETTINGS}`;
