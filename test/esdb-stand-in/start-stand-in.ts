import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export type StandInNode = 'A' | 'B';
export type StandInOperation = 'append' | 'read' | 'subscribe' | 'delete' | 'persistent';

/**
 * A fault for the next `times` matching operations (default 1, default operations: appends).
 * `afterCommit` lets the write happen and then fails the call: the response is lost.
 */
export interface StandInFault {
  /** `stall`: the node takes the call and never answers (a frozen process, packets dropped). */
  readonly kind: 'unavailable' | 'deadline-exceeded' | 'not-leader' | 'stall';
  readonly times?: number;
  readonly operations?: readonly StandInOperation[];
  readonly afterCommit?: boolean;
}

export interface StandInOptions {
  /** Advertise Streams.BatchAppend (what servers >= 21.10 do, so the client uses it). Default true. */
  readonly batchAppend?: boolean;
  readonly leader?: StandInNode;
  /** How often the stand-in writes a `$statsCollected` system event, as a real node does. */
  readonly systemEventsEveryMs?: number;
}

export interface StandInStats {
  readonly calls: Record<StandInNode, Partial<Record<StandInOperation | 'features' | 'gossip', number>>>;
  readonly armedFaults: number;
  readonly leader: StandInNode;
  readonly records: number;
}

/** A log position as the stand-in writes it: commit == prepare, byte offsets. */
export interface StandInPosition {
  readonly commit: number;
  readonly prepare: number;
}

/** One catch-up subscription as the client asked for it, and the checkpoints it was sent. */
export interface StandInSubscriptionRequest {
  readonly node: StandInNode;
  /** '$all' or the stream's name. */
  readonly stream: string;
  /** Exclusive start: a stream revision for stream subscriptions, a position for $all. */
  readonly from: 'start' | 'end' | number | StandInPosition;
  readonly filter?: { readonly kind: 'none' | 'stream' | 'event-type'; readonly regex?: string; readonly prefixes?: readonly string[] };
  readonly checkpoints: number;
  readonly lastCheckpoint: StandInPosition | null;
}

export interface EsdbStandIn {
  /** Single endpoint, node A: no discovery, the client follows NotLeader redirects. */
  readonly connectionString: string;
  /** Both nodes as gossip seeds: the client discovers the leader. */
  readonly clusterConnectionString: string;
  readonly ports: Readonly<Record<StandInNode, number>>;
  connectionStringFor(node: StandInNode): string;
  inject(fault: StandInFault): Promise<void>;
  clearFaults(): Promise<void>;
  elect(node: StandInNode): Promise<void>;
  stats(): Promise<StandInStats>;
  /** Ends every live subscription with UNAVAILABLE, as a restarting node would. */
  dropSubscriptions(): Promise<number>;
  /**
   * Every live subscription open now stops sending and stays open (no error, no end), as on a node
   * that froze while its HTTP/2 layer still answers pings; subscriptions opened later are served
   * (to stall those at the request, inject a `stall` for `subscribe`). Resolves to how many.
   */
  stallSubscriptions(): Promise<number>;
  /**
   * Stops the stand-in's process (SIGSTOP): connections stay open and nothing answers them, HTTP/2
   * keepalive pings included, as a frozen node. Control calls wait until `thaw()`.
   */
  freeze(): void;
  thaw(): void;
  /** Catch-up subscription requests in arrival order (the last 1,000). */
  subscriptionRequests(): Promise<StandInSubscriptionRequest[]>;
  stop(): Promise<void>;
}

interface ControlAnswer {
  readonly id?: number;
  readonly ok?: boolean;
  readonly result?: unknown;
  readonly error?: string;
  readonly type?: string;
  readonly ports?: Record<StandInNode, number>;
}

const STARTUP_TIMEOUT_MS = 15_000;

/**
 * Starts the stand-in in a child process (plain CommonJS, no build step) and talks to it over
 * Node IPC. Always `stop()` it; it also exits by itself when this process goes away.
 */
export async function startEsdbStandIn(options: StandInOptions = {}): Promise<EsdbStandIn> {
  const child = fork(join(__dirname, 'stand-in.main.js'), [], {
    execArgv: [],
    env: { ...process.env, ESDB_STAND_IN_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await waitUntilReady(child);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on('message', (answer: ControlAnswer) => {
    if (answer.id === undefined) return;
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.ok) waiter?.resolve(answer.result);
    else waiter?.reject(new Error(`stand-in: ${answer.error ?? 'unknown error'}`));
  });
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('stand-in exited'));
    pending.clear();
  });
  const control = <T>(command: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, args });
    });

  const connectionStringFor = (node: StandInNode) => `esdb://127.0.0.1:${ports[node]}?tls=false`;
  return {
    connectionString: connectionStringFor('A'),
    clusterConnectionString: `esdb://127.0.0.1:${ports.A},127.0.0.1:${ports.B}?tls=false&nodePreference=leader`,
    ports,
    connectionStringFor,
    inject: (fault) => control('inject', fault),
    clearFaults: () => control('clearFaults'),
    elect: (node) => control('elect', node),
    stats: () => control('stats'),
    dropSubscriptions: () => control('dropSubscriptions'),
    stallSubscriptions: () => control('stallSubscriptions'),
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
    subscriptionRequests: () => control('subscriptionRequests'),
    stop: () => stopChild(child),
  };
}

function waitUntilReady(child: ChildProcess): Promise<Record<StandInNode, number>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('stand-in did not start in time'));
    }, STARTUP_TIMEOUT_MS);
    const onMessage = (message: ControlAnswer) => {
      if (message.type !== 'ready' || !message.ports) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.ports);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stand-in exited during startup (code ${String(code)})`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // A frozen stand-in would hold SIGTERM until continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}
