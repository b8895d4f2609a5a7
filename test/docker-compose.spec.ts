import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** No Docker engine is needed: the compose file is checked as data. */
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const dockerDir = join(__dirname, '..', 'docker');
const composeText = readFileSync(join(dockerDir, 'docker-compose.yml'), 'utf8');
// Merge keys (<<) are how the file shares the node and app templates; compose resolves them too.
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);

/** An exact release: a version with major.minor.patch, never `latest`, never only a major/minor. */
const EXACT_TAG = /^[^:@\s]+:\d+\.\d+\.\d+(?:[-.][A-Za-z0-9.-]+)?$/;

describe('docker/docker-compose.yml', () => {
  it('parses into services', () => {
    expect(services.length).toBeGreaterThan(0);
  });

  it('gives every service a health check', () => {
    const missing = services.filter(([, service]) => !service.healthcheck?.test || service.healthcheck.disable).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('pins every image to an exact version', () => {
    const images = services.map(([, service]) => service.image).filter((image): image is string => image !== undefined);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatch(EXACT_TAG);
      expect(image).not.toMatch(/:latest$/);
    }
    const unnamedBuilds = services.filter(([, service]) => !service.image && !service.build).map(([name]) => name);
    expect(unnamedBuilds).toEqual([]);
  });

  it('pins the Dockerfile base images too', () => {
    const from = readFileSync(join(dockerDir, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => /^FROM\s/i.test(line))
      .map((line) => line.split(/\s+/)[1] ?? '');
    expect(from.length).toBeGreaterThan(0);
    for (const image of from) expect(image).toMatch(EXACT_TAG);
  });

  it('runs a 3-node EventStoreDB cluster', () => {
    const nodes = services.filter(([, service]) => /(^|\/)(eventstore|kurrentdb)[:]/.test(service.image ?? ''));
    expect(nodes).toHaveLength(3);
    for (const [name, node] of nodes) {
      expect(node.environment?.['EVENTSTORE_CLUSTER_SIZE']).toBe('3');
      const seeds = node.environment?.['EVENTSTORE_GOSSIP_SEED']?.split(',') ?? [];
      expect(seeds).toHaveLength(2);
      expect(seeds.some((seed) => seed.startsWith(`${name}:`))).toBe(false);
    }
  });

  it('runs the API with 2 replicas on EventStoreDB, with the JWT secret from the environment', () => {
    const api = compose.services['api'];
    expect(api?.deploy?.replicas).toBe(2);
    expect(api?.command).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(api?.environment?.['EVENT_STORE']).toBe('esdb');
    expect(api?.environment?.['EVENTSTORE_CONNECTION_STRING']).toMatch(/^esdb:\/\/node1:2113,node2:2113,node3:2113\?tls=false/);
    expect(api?.environment?.['JWT_SECRET']).toMatch(/^\$\{JWT_SECRET[:?}]/);
  });

  it('runs the worker on the same store', () => {
    const worker = compose.services['worker'];
    expect(worker?.command).toEqual(['node', 'dist/apps/worker/src/main.js']);
    expect(worker?.environment?.['EVENTSTORE_CONNECTION_STRING']).toBe(compose.services['api']?.environment?.['EVENTSTORE_CONNECTION_STRING']);
  });

  it('publishes the port the worker serves distributors on (README: distributors point at the worker)', () => {
    const worker = compose.services['worker'];
    const port = worker?.environment?.['PORT'];
    expect(worker?.ports).toContain(`${port}:${port}`);
  });

  it('gives every API replica and the worker one personal-data key file on a shared volume', () => {
    const processes = [compose.services['api'], compose.services['worker']];
    const keyFile = processes.map((service) => service?.environment?.['PERSONAL_DATA_KEY_FILE']);
    expect(keyFile[0]).toMatch(/^\/.+\.sqlite$/);
    expect(keyFile[1]).toBe(keyFile[0]);
    const keyDir = keyFile[0]!.slice(0, keyFile[0]!.lastIndexOf('/'));
    const mounts = processes.map((service) => (service?.volumes ?? []).find((volume) => volume.split(':')[1] === keyDir));
    expect(mounts[0]).toBeDefined();
    expect(mounts[1]).toBe(mounts[0]);
    // The image creates the mount point owned by its user, so the volume starts writable for it.
    expect(readFileSync(join(dockerDir, 'Dockerfile'), 'utf8')).toMatch(new RegExp(`chown node:node[^\\n]*${keyDir}`));
  });

  it('keeps data in named volumes declared at the top level', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = services.flatMap(([, service]) => service.volumes ?? []).map((volume) => volume.split(':')[0] ?? '');
    expect(used.length).toBeGreaterThan(0);
    for (const source of used) {
      expect(source).not.toMatch(/^[./~]/);
      expect(declared).toContain(source);
    }
  });
});

describe('the API runs with the same heap cap everywhere', () => {
  // The memory target (issue 8) is measured on the API as `npm start` runs it; the container and
  // the test/bench child processes must not run a different configuration.
  const { API_NODE_ARGS } = jest.requireActual<typeof import('./support/api-process')>('./support/api-process');

  it('npm start, the Dockerfile and the child processes of tests and benchmarks agree', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(API_NODE_ARGS.length).toBeGreaterThan(0);
    expect(pkg.scripts['start']).toBe(`node ${API_NODE_ARGS.join(' ')} dist/apps/api/src/main.js`);
    const dockerfile = readFileSync(join(dockerDir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`NODE_OPTIONS=${API_NODE_ARGS.join(' ')}`);
  });
});
