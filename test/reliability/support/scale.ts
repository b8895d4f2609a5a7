/**
 * How big the reliability suite runs. `npm test` runs the small version (RELIABILITY unset or
 * `small`); `npm run test:reliability` the full one (RELIABILITY=full, set by its jest config).
 * Single figures can be overridden for a repro (RELIABILITY_KILLS, RELIABILITY_FUZZ_REQUESTS, …),
 * and RELIABILITY_SEED replays a run: every scenario prints the seed it used.
 */
export type ReliabilityMode = 'small' | 'full';

export const MODE: ReliabilityMode = process.env['RELIABILITY'] === 'full' ? 'full' : 'small';

const SIZES = {
  small: {
    crash: { kills: 3, clients: 4, minLoadMs: 150, maxLoadMs: 900 },
    races: { decisionRounds: 2, racers: 100, applications: 20 },
    retries: { timeouts: 6, killsBeforeResponse: 3 },
    fuzz: { requests: 1000 },
    disk: { fullEpisodes: 1, readOnlyEpisodes: 1, clients: 3, minLoadMs: 150, maxLoadMs: 500, minTroubleMs: 300, maxTroubleMs: 700 },
    projectionFaults: { faults: 3, clients: 3 },
    commitRace: { episodes: 40, clients: 24 },
    stop: { stops: 2, clients: 4, minLoadMs: 300, maxLoadMs: 900 },
  },
  full: {
    crash: { kills: 40, clients: 6, minLoadMs: 50, maxLoadMs: 2500 },
    races: { decisionRounds: 10, racers: 100, applications: 100 },
    retries: { timeouts: 40, killsBeforeResponse: 20 },
    fuzz: { requests: 12000 },
    disk: { fullEpisodes: 12, readOnlyEpisodes: 6, clients: 6, minLoadMs: 200, maxLoadMs: 2500, minTroubleMs: 400, maxTroubleMs: 3000 },
    projectionFaults: { faults: 12, clients: 6 },
    commitRace: { episodes: 400, clients: 24 },
    stop: { stops: 20, clients: 6, minLoadMs: 100, maxLoadMs: 2500 },
  },
} as const;

function override(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

const size = SIZES[MODE];

export const SCALE = {
  crash: { ...size.crash, kills: override('RELIABILITY_KILLS', size.crash.kills), clients: override('RELIABILITY_CLIENTS', size.crash.clients) },
  races: { ...size.races, decisionRounds: override('RELIABILITY_DECISION_ROUNDS', size.races.decisionRounds) },
  retries: { ...size.retries, killsBeforeResponse: override('RELIABILITY_RETRY_KILLS', size.retries.killsBeforeResponse) },
  fuzz: { requests: override('RELIABILITY_FUZZ_REQUESTS', size.fuzz.requests) },
  disk: {
    ...size.disk,
    fullEpisodes: override('RELIABILITY_FULL_DISK_EPISODES', size.disk.fullEpisodes),
    readOnlyEpisodes: override('RELIABILITY_READ_ONLY_EPISODES', size.disk.readOnlyEpisodes),
  },
  projectionFaults: { ...size.projectionFaults, faults: override('RELIABILITY_PROJECTION_FAULTS', size.projectionFaults.faults) },
  commitRace: { ...size.commitRace, episodes: override('RELIABILITY_COMMIT_RACE_EPISODES', size.commitRace.episodes) },
  stop: { ...size.stop, stops: override('RELIABILITY_STOPS', size.stop.stops) },
};

/** Generous per-test limits: a deadline against hangs, never a speed assertion. */
export const TEST_TIMEOUT_MS = MODE === 'full' ? 45 * 60_000 : 180_000;

/** The run's seed: RELIABILITY_SEED, or a fresh one (printed by every scenario and in the figures). */
export function seedFor(scenario: string): number {
  const raw = process.env['RELIABILITY_SEED'];
  const seed = raw !== undefined && raw !== '' ? Number(raw) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  process.stdout.write(`[reliability] ${scenario}: RELIABILITY=${MODE} RELIABILITY_SEED=${seed}\n`);
  return seed;
}
