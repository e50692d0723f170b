// The product daemon (Switchboard.start: audit + policy interceptors, admission, policy.* and
// approvals.* API, user rules from config settings.userPolicy) running in this process on a temp
// data folder, with a managed policy file we control and real MCP servers from npm. Clients are
// the real SDK client over the daemon's /mcp/<id> endpoint (HTTP, bearer token) and over a
// spawned `switchboard bridge` (socket). Always call stop().
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { approvalsContract } from '../../shared/api/approvals.ts';
import { createApiClient, type ApiClient } from '../../shared/api/define.ts';
import { policyContract } from '../../shared/api/policy.ts';
import { serversContract } from '../../shared/api/servers.ts';
import type { UserPolicyInput } from '../../shared/policy.ts';
import { httpCallTransport } from '../../main/endpoints/daemon-client.ts';
import { silentLogger } from '../../main/base/logger.ts';
import type { SecretStore } from '../../main/secrets/secret-store.ts';
import { Switchboard } from '../../main/switchboard.ts';
import { SWITCHBOARD_BIN } from './daemon.ts';

const require = createRequire(import.meta.url);

/** Entry script of an MCP server package from npm (run with this Node). */
export function serverEntry(pkg: '@modelcontextprotocol/server-everything' | '@modelcontextprotocol/server-memory'): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'index.js');
}

export const CHANGING_TOOL_SERVER = path.join(import.meta.dirname, 'changing-tool-server.ts');

export const policyContracts = { ...serversContract, ...policyContract, ...approvalsContract };
export type PolicyApi = ApiClient<typeof policyContracts>;

export interface PolicyDaemonOptions {
  /** The managed policy file: an object (version 1 is added), raw text, or undefined for no file. */
  managed?: object | string;
  /** config.json settings.userPolicy. */
  userPolicy?: UserPolicyInput;
  /** <dataDir>/tool-pins.json before the daemon starts. */
  pins?: unknown;
  /** Start probe sessions of the servers at start (default true: status then shows admission). */
  autoStart?: boolean;
}

export interface PolicyDaemon {
  readonly dir: string;
  readonly managedPath: string;
  /** The running Switchboard (a new one after restart()). */
  readonly switchboard: Switchboard;
  readonly api: PolicyApi;
  readonly httpPort: number;
  readonly clientToken: string;
  /** Stops the daemon (closing the clients) and starts a new one on the same data folder. */
  restart(): Promise<void>;
  /** Replaces the managed policy file (object → JSON with version 1; string → as is). */
  writeManaged(doc: object | string): Promise<void>;
  httpClient(serverId: string, clientName?: string): Promise<Client>;
  bridgeClient(serverId: string, clientName?: string): Promise<Client>;
  stop(): Promise<void>;
}

/** Never touches the OS keychain (none of these tests use secrets). */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  async get(name: string) { return this.values.get(name) ?? null; }
  async set(name: string, value: string) { this.values.set(name, value); }
  async delete(name: string) { return this.values.delete(name); }
  async list() { return [...this.values.keys()].sort(); }
}

export async function startPolicyDaemon(options: PolicyDaemonOptions = {}): Promise<PolicyDaemon> {
  const dir = await mkdtemp(path.join(tmpdir(), 'policy-product-'));
  const managedPath = path.join(dir, 'managed-policy.json');
  const clientToken = `sbt_${randomBytes(24).toString('base64url')}`;
  const writeManaged = (doc: object | string) => writeFile(managedPath, typeof doc === 'string' ? doc : JSON.stringify({ version: 1, ...doc }));
  if (options.managed !== undefined) await writeManaged(options.managed);
  if (options.pins !== undefined) await writeFile(path.join(dir, 'tool-pins.json'), JSON.stringify(options.pins));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({
    version: 1,
    servers: [
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'] },
      { id: 'changing', transport: 'stdio', command: process.execPath, args: [CHANGING_TOOL_SERVER] },
    ],
    tokens: [{ name: 'test-client', sha256: createHash('sha256').update(clientToken).digest('hex'), createdAt: new Date().toISOString() }],
    settings: { httpPort: 0, ...(options.userPolicy ? { userPolicy: options.userPolicy } : {}) },
  }, null, 2), { mode: 0o600 });

  const secretStore = new MemorySecretStore();
  const launch = () => Switchboard.start({
    dataDir: dir,
    mode: 'headless',
    logger: silentLogger,
    httpPort: 0,
    managedPath,
    secretStore,
    watchConfig: false,
    ...(options.autoStart !== undefined ? { autoStart: options.autoStart } : {}),
  });
  let switchboard: Switchboard;
  try {
    switchboard = await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let api = createApiClient(policyContracts, httpCallTransport(switchboard.info));
  const clients: Client[] = [];
  const closeClients = async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  };
  return {
    dir,
    managedPath,
    get switchboard() { return switchboard; },
    get api() { return api; },
    get httpPort() { return switchboard.info.httpPort; },
    clientToken,
    writeManaged,
    async restart() {
      await closeClients();
      await switchboard.stop();
      switchboard = await launch();
      api = createApiClient(policyContracts, httpCallTransport(switchboard.info));
    },
    async httpClient(serverId, clientName = 'policy-http-test') {
      const client = new Client({ name: clientName, version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${switchboard.info.httpPort}/mcp/${serverId}`), {
        requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
      }));
      clients.push(client);
      return client;
    },
    async bridgeClient(serverId, clientName = 'policy-bridge-test') {
      const client = new Client({ name: clientName, version: '1.0.0' });
      await client.connect(new StdioClientTransport({
        command: process.execPath,
        args: [SWITCHBOARD_BIN, 'bridge', serverId, '--data-dir', dir, '--no-start'],
        stderr: 'pipe',
      }));
      clients.push(client);
      return client;
    },
    async stop() {
      await closeClients();
      await switchboard.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls a condition (an event the daemon exposes only as state) until it holds. */
export async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function resultText(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join('\n');
}
