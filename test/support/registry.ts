// A real MCP registry on 127.0.0.1: the /v0.1 API (servers with cursor pagination and the search,
// updated_since and version=latest filters; a server's versions; one version or `latest`) served
// from server.json documents in the official format, each with the registry-managed
// `_meta["io.modelcontextprotocol.registry/official"]`. A test changes it while it runs: a
// version's status (deprecated, deleted), a new version, a malformed entry, a cursor that loops,
// garbage instead of a list, or the registry going down. Nothing here reaches the network.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of server-everything in node_modules: `npx -y` of exactly this resolves locally, offline. */
export const EVERYTHING_VERSION: string = (require('@modelcontextprotocol/server-everything/package.json') as { version: string }).version;
export const EVERYTHING_NAME = 'io.github.modelcontextprotocol/server-everything';
const META = 'io.modelcontextprotocol.registry/official';

export type Status = 'active' | 'deprecated' | 'deleted';

interface StoredVersion {
  server: Record<string, unknown>;
  status: Status;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
}

export interface RegistryFixture {
  readonly url: string;
  /** Request paths with their query, in order (path as received, still URL-encoded). */
  readonly requests: string[];
  setStatus(name: string, version: string, status: Status, statusMessage?: string): void;
  /** Adds (or replaces) a version; the newest published is the latest. */
  publish(server: Record<string, unknown>): void;
  /** A raw entry that is not a valid server.json, listed among the others. */
  addMalformed(raw: unknown): void;
  /** Every list page answers with this same nextCursor (a registry whose cursor loops). */
  loopCursor(on: boolean): void;
  /** Lists answer with this text instead of JSON. */
  answerGarbage(text: string | undefined): void;
  /** Stops listening (an unreachable registry); up() listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryFixtureOptions {
  /** Entries per page when the request gives no limit (default 2: a handful of entries spans pages). */
  pageSize?: number;
  /** Initial documents (default: fixtureServers()). */
  servers?: Array<Record<string, unknown>>;
}

const schema = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** server-everything's entry: the npm package in node_modules, its stdio argument, a secret and a defaulted variable. */
export function everythingServer(version: string, extraArgs: Array<Record<string, unknown>> = []): Record<string, unknown> {
  return {
    $schema: schema,
    name: EVERYTHING_NAME,
    title: 'Everything',
    description: 'MCP server that exercises all the features of the MCP protocol',
    version,
    repository: { url: 'https://github.com/modelcontextprotocol/servers', source: 'github', subfolder: 'src/everything' },
    packages: [{
      registryType: 'npm',
      registryBaseUrl: 'https://registry.npmjs.org',
      identifier: '@modelcontextprotocol/server-everything',
      version: EVERYTHING_VERSION,
      runtimeHint: 'npx',
      transport: { type: 'stdio' },
      packageArguments: [{ type: 'positional', valueHint: 'transport', value: 'stdio' }, ...extraArgs],
      environmentVariables: [
        { name: 'EVERYTHING_API_KEY', description: 'API key the server is given', isRequired: true, isSecret: true },
        { name: 'EVERYTHING_REGION', description: 'Region', default: 'eu-west-1' },
      ],
    }],
  };
}

/** server.json documents in the official format: npm (with a secret), pypi, oci, remote, and a second npm version. */
export function fixtureServers(): Array<Record<string, unknown>> {
  return [
    everythingServer('1.0.0'),
    {
      $schema: schema,
      name: 'io.example/weather-py',
      description: 'Weather forecasts (Python)',
      version: '0.3.1',
      packages: [{
        registryType: 'pypi', identifier: 'mcp-weather', version: '0.3.1', runtimeHint: 'uvx', transport: { type: 'stdio' },
        packageArguments: [{ type: 'named', name: '--units', default: 'metric', choices: ['metric', 'imperial'] }],
      }],
    },
    {
      $schema: schema,
      name: 'io.example/fetch-oci',
      description: 'Fetches web pages (container)',
      version: '1.2.0',
      packages: [{
        registryType: 'oci', identifier: 'docker.io/mcp/fetch', version: '1.2.0', runtimeHint: 'docker', transport: { type: 'stdio' },
        environmentVariables: [{ name: 'FETCH_USER_AGENT', default: 'switchboard' }],
      }],
    },
    {
      $schema: schema,
      name: 'io.example/remote-docs',
      description: 'Documentation search (hosted)',
      version: '2.0.0',
      remotes: [{
        type: 'streamable-http',
        url: 'https://docs.example.com/mcp/{tenant}',
        variables: { tenant: { description: 'Your tenant', isRequired: true } },
        headers: [{ name: 'Authorization', value: 'Bearer {token}', variables: { token: { description: 'API token', isRequired: true, isSecret: true } } }],
      }],
    },
    { $schema: schema, name: 'io.example/legacy-tool', description: 'An old tool', version: '0.9.0', packages: [{ registryType: 'npm', identifier: 'legacy-mcp-tool', version: '0.9.0', transport: { type: 'stdio' } }] },
  ];
}

export async function startRegistryFixture(options: RegistryFixtureOptions = {}): Promise<RegistryFixture> {
  const pageSize = options.pageSize ?? 2;
  const versions: StoredVersion[] = [];
  const malformed: unknown[] = [];
  const requests: string[] = [];
  let looping = false;
  let garbage: string | undefined;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const publish = (server: Record<string, unknown>) => {
    const at = new Date((clock += 60_000)).toISOString();
    const index = versions.findIndex((v) => v.server.name === server.name && v.server.version === server.version);
    const stored = { server, status: 'active' as Status, publishedAt: at, updatedAt: at };
    if (index === -1) versions.push(stored);
    else versions[index] = stored;
  };
  for (const server of options.servers ?? fixtureServers()) publish(server);

  const latestOf = (name: string) => versions.filter((v) => v.server.name === name && v.status !== 'deleted').at(-1) ?? versions.filter((v) => v.server.name === name).at(-1);
  const response = (v: StoredVersion) => ({
    server: v.server,
    _meta: { [META]: { status: v.status, ...(v.statusMessage ? { statusMessage: v.statusMessage } : {}), publishedAt: v.publishedAt, updatedAt: v.updatedAt, isLatest: latestOf(String(v.server.name)) === v } },
  });
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://registry');
    const params = url.searchParams;
    const includeDeleted = params.get('include_deleted') === 'true' || params.has('updated_since');
    if (url.pathname === '/v0.1/servers') {
      if (garbage !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(garbage);
        return;
      }
      let listed: unknown[] = versions
        .filter((v) => includeDeleted || v.status !== 'deleted')
        .filter((v) => params.get('version') !== 'latest' || latestOf(String(v.server.name)) === v)
        .filter((v) => !params.get('version') || params.get('version') === 'latest' || v.server.version === params.get('version'))
        .filter((v) => !params.get('search') || String(v.server.name).includes(params.get('search')!))
        .filter((v) => !params.get('updated_since') || v.updatedAt >= params.get('updated_since')!)
        .map(response);
      listed = [...listed, ...malformed.filter((m) => !params.get('search') || JSON.stringify(m).includes(params.get('search')!))];
      const limit = Number(params.get('limit') ?? pageSize);
      const start = params.get('cursor') ? Number(Buffer.from(params.get('cursor')!, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) return json(res, 400, { error: 'invalid cursor' });
      const page = listed.slice(start, start + limit);
      const nextCursor = looping ? Buffer.from('0').toString('base64url') : start + limit < listed.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
      return json(res, 200, { servers: page, metadata: { count: page.length, ...(nextCursor ? { nextCursor } : {}) } });
    }
    const match = /^\/v0\.1\/servers\/([^/]+)\/versions(?:\/([^/]+))?$/.exec(url.pathname);
    if (match) {
      const name = decodeURIComponent(match[1]!);
      const all = versions.filter((v) => v.server.name === name);
      if (all.length === 0) return json(res, 404, { error: 'Server not found' });
      if (match[2] === undefined) return json(res, 200, { servers: all.filter((v) => includeDeleted || v.status !== 'deleted').reverse().map(response), metadata: { count: all.length } });
      const version = decodeURIComponent(match[2]);
      const found = version === 'latest' ? latestOf(name) : all.find((v) => v.server.version === version);
      if (!found || (found.status === 'deleted' && !includeDeleted)) return json(res, 404, { error: 'Server not found' });
      return json(res, 200, response(found));
    }
    json(res, 404, { error: 'Not found' });
  };

  let http: Server = createServer(handle);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => {
    http.closeAllConnections();
    http.close(() => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setStatus(name, version, status, statusMessage) {
      const found = versions.find((v) => v.server.name === name && v.server.version === version);
      if (!found) throw new Error(`the fixture has no ${name} ${version}`);
      found.status = status;
      found.updatedAt = new Date((clock += 60_000)).toISOString();
      if (statusMessage === undefined) delete found.statusMessage;
      else found.statusMessage = statusMessage;
    },
    publish,
    addMalformed: (raw) => {
      malformed.push(raw);
    },
    loopCursor: (on) => {
      looping = on;
    },
    answerGarbage: (text) => {
      garbage = text;
    },
    down: close,
    async up() {
      http = createServer(handle);
      await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    },
    close: () => (http.listening ? close() : Promise.resolve()),
  };
}
