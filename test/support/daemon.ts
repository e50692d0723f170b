// The one daemon harness of the tests. A data folder (fresh, with the servers, settings and a
// client token given, or one the test prepared and keeps), and the product on it in one of two
// modes: 'child-process' runs `switchboard serve` as a user does (SIGKILL-able, its own stderr
// log), 'in-process' runs Switchboard.start in the test's process (its parts reachable, no
// keychain when a secret store is given). Both hand back where the daemon listens, its tokens, an
// API client and SDK clients through the bridge and /mcp. Always call stop(): it closes the
// clients, ends the daemon (and so every server it spawned) and removes a fresh folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApiClient, type ApiClient, type ContractSpec } from '../../shared/api/define.ts';
import { serversContract } from '../../shared/api/servers.ts';
import type { ServerConfig } from '../../shared/config.ts';
import type { DaemonInfo } from '../../main/endpoints/daemon-file.ts';
import { httpCallTransport } from '../../main/endpoints/daemon-client.ts';
import { silentLogger } from '../../main/base/logger.ts';
import type { SecretStore } from '../../main/secrets/secret-store.ts';
import type { Switchboard } from '../../main/switchboard.ts';
import { freePort } from './free-port.ts';
import { testRunEnvironment } from './processes.ts';
import { until } from './until.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SWITCHBOARD_BIN = join(REPO_ROOT, 'bin/switchboard.js');
export const EVERYTHING_SERVER = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const NEVER_ANSWERS_SERVER = join(REPO_ROOT, 'test/support/never-answers-server.ts');

export type DaemonMode = 'child-process' | 'in-process';

type TestServers = Array<Partial<ServerConfig> & { id: string; transport: ServerConfig['transport'] }> | readonly object[];

export interface DataDirOptions {
  /** Servers written to config.json (schema input: defaults apply), or made from the new folder's path. */
  servers?: TestServers | ((dataDir: string) => TestServers);
  /** config.json settings (httpPort defaults to 0: any free port). */
  settings?: Record<string, unknown>;
  /** Listen on a fixed port written to settings.httpPort (URL links need one), not a free one picked per start. */
  configuredPort?: boolean;
  /** Name of the client token accepted at /mcp/<id> (default "test-client"). */
  tokenName?: string;
  /** Prefix of the temp folder's name. */
  prefix?: string;
}

export interface TestDataDir {
  readonly dataDir: string;
  /** Accepted at /mcp/<id> as "Bearer <token>". */
  readonly clientToken: string;
}

/** A fresh data folder with a config.json: the servers, settings and one client token. */
export function prepareDataDir(options: DataDirOptions = {}, httpPort = 0): TestDataDir {
  const dataDir = mkdtempSync(join(tmpdir(), options.prefix ?? 'switchboard-test-'));
  const clientToken = `sbt_${randomBytes(24).toString('base64url')}`;
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
    version: 1,
    servers: typeof options.servers === 'function' ? options.servers(dataDir) : options.servers ?? [],
    tokens: [{ name: options.tokenName ?? 'test-client', sha256: createHash('sha256').update(clientToken).digest('hex'), createdAt: new Date().toISOString() }],
    settings: { httpPort, ...options.settings },
  }, null, 2), { mode: 0o600 });
  return { dataDir, clientToken };
}

export interface TestDaemonOptions extends DataDirOptions {
  /** Default 'child-process'. */
  mode?: DaemonMode;
  /** Run on this prepared folder, which stop() leaves in place (e.g. to start again on it); its client token, if any, for httpClient. */
  data?: { dataDir: string; clientToken?: string };
  /** child-process: `--port` (default 0, any free port; none with configuredPort: settings.httpPort then). */
  port?: number;
  /** child-process: extra environment of the daemon process. */
  env?: Record<string, string>;
  /** child-process: extra `serve` arguments, e.g. ['--log-level', 'debug']. */
  args?: string[];
  startTimeoutMs?: number;
  /** in-process: the managed policy file (child-process: SWITCHBOARD_MANAGED_POLICY in env). */
  managedPath?: string;
  /** in-process: secrets (default: the OS keychain). */
  secretStore?: SecretStore;
  /** in-process: start probe sessions of enabled servers at start (default true). */
  autoStart?: boolean;
  /** in-process: watch config.json (default false: tests change it through the API). */
  watchConfig?: boolean;
}

export interface TestDaemon {
  readonly mode: DaemonMode;
  dataDir: string;
  pid: number;
  httpPort: number;
  socketPath: string;
  /** Bearer token for /api/<method>. */
  apiToken: string;
  /** A client token accepted at /mcp/<id>. */
  clientToken: string;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  api: ApiClient<typeof serversContract>;
  /** An API client for more contracts (policy, approvals, audit). */
  apiFor<C extends ContractSpec>(contract: C): ApiClient<C>;
  /** in-process: the running product. */
  switchboard: Switchboard | undefined;
  /** child-process: what the daemon wrote on stderr so far (its log); in-process: nothing. */
  logs(): string;
  /** child-process: what it wrote on stdout so far. */
  output(): string;
  /** An SDK client connected through `switchboard bridge <id>` spawned as a child process. */
  bridgeClient(serverId: string, options?: ClientOptions, clientName?: string): Promise<Client>;
  /** An SDK client connected to /mcp/<id> with the bearer token. */
  httpClient(serverId: string, options?: ClientOptions, clientName?: string): Promise<Client>;
  /** True while the daemon runs. */
  alive(): boolean;
  /** child-process: sends `signal` and resolves once the process is gone (stop() still removes the folder). */
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** The node binary that runs the repo's TypeScript (Node 24 strips types itself). */
export function nodeCommand(): string {
  return process.execPath;
}

/** An unconnected transport through `switchboard bridge <id>` on `dataDir`, as desktop clients spawn it. */
export function bridgeTransport(dataDir: string, serverId: string, extraArgs: string[] = ['--no-start']): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [SWITCHBOARD_BIN, 'bridge', serverId, '--data-dir', dataDir, ...extraArgs],
    // The SDK's default environment, as a client gives it, plus the suite's mark (test/support/global-setup.ts).
    env: { ...getDefaultEnvironment(), ...testRunEnvironment() },
    stderr: 'pipe',
  });
}

/** An SDK client at /mcp/<serverId> of a daemon listening at `baseUrl`. */
export async function connectHttpClient(baseUrl: string, clientToken: string, serverId: string, clientName: string, options?: ClientOptions): Promise<Client> {
  const client = new Client({ name: clientName, version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${serverId}`), {
    requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
  }));
  return client;
}

interface Running {
  info: DaemonInfo;
  switchboard: Switchboard | undefined;
  logs(): string;
  output(): string;
  alive(): boolean;
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const mode = options.mode ?? 'child-process';
  const fresh = options.data === undefined;
  const data = options.data ?? prepareDataDir(options, options.configuredPort ? await freePort() : 0);
  const removeFolder = () => {
    if (fresh) rmSync(data.dataDir, { recursive: true, force: true });
  };
  let running: Running;
  try {
    running = mode === 'in-process' ? await startInProcess(data.dataDir, options) : await startChild(data.dataDir, options);
  } catch (error) {
    removeFolder();
    throw error;
  }
  const { info } = running;
  const baseUrl = `http://127.0.0.1:${info.httpPort}`;
  const clients: Client[] = [];
  let stopping: Promise<void> | undefined;
  return {
    mode,
    dataDir: data.dataDir,
    pid: info.pid,
    httpPort: info.httpPort,
    socketPath: info.socketPath,
    apiToken: info.apiToken,
    clientToken: data.clientToken ?? '',
    baseUrl,
    api: createApiClient(serversContract, httpCallTransport(info)),
    apiFor: (contract) => createApiClient(contract, httpCallTransport(info)),
    switchboard: running.switchboard,
    logs: running.logs,
    output: running.output,
    alive: running.alive,
    kill: running.kill,
    async bridgeClient(serverId, clientOptions, clientName = 'bridge-test') {
      const client = new Client({ name: clientName, version: '1.0.0' }, clientOptions);
      await client.connect(bridgeTransport(data.dataDir, serverId));
      clients.push(client);
      return client;
    },
    async httpClient(serverId, clientOptions, clientName = 'http-test') {
      const client = await connectHttpClient(baseUrl, data.clientToken ?? '', serverId, clientName, clientOptions);
      clients.push(client);
      return client;
    },
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(clients.splice(0).map((client) => client.close()));
        await running.stop();
        removeFolder();
      })();
      return stopping;
    },
  };
}

async function startInProcess(dataDir: string, options: TestDaemonOptions): Promise<Running> {
  const { Switchboard } = await import('../../main/switchboard.ts');
  const switchboard = await Switchboard.start({
    dataDir,
    mode: 'headless',
    logger: silentLogger,
    httpPort: 0,
    watchConfig: options.watchConfig ?? false,
    ...(options.managedPath ? { managedPath: options.managedPath } : {}),
    ...(options.secretStore ? { secretStore: options.secretStore } : {}),
    ...(options.autoStart !== undefined ? { autoStart: options.autoStart } : {}),
  });
  let stopped = false;
  return {
    info: switchboard.info,
    switchboard,
    logs: () => '',
    output: () => '',
    alive: () => !stopped,
    kill: () => Promise.reject(new Error('an in-process daemon cannot be sent a signal: start it with mode "child-process"')),
    async stop() {
      await switchboard.stop();
      stopped = true;
    },
  };
}

async function startChild(dataDir: string, options: TestDaemonOptions): Promise<Running> {
  const portArgs = options.configuredPort ? [] : ['--port', String(options.port ?? 0)];
  const child: ChildProcess = spawn(process.execPath, [SWITCHBOARD_BIN, 'serve', '--data-dir', dataDir, ...portArgs, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr += text;
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    stdout += text;
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (alive()) child.kill(signal);
    await exited;
  };
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    child.kill('SIGTERM');
    // A daemon that does not stop is still ended (its servers then see their stdin close).
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  // A killed daemon leaves its daemon.json behind: wait for the one naming this process.
  let info: DaemonInfo | undefined;
  await until(() => {
    if (!alive()) throw new Error(`switchboard serve exited (code ${child.exitCode}, signal ${child.signalCode}) before listening`);
    try {
      const parsed = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as DaemonInfo;
      if (parsed.pid === child.pid && parsed.httpPort > 0) info = parsed;
    } catch {
      // not written yet (or half written)
    }
    return info !== undefined;
  }, { timeoutMs: options.startTimeoutMs ?? 30_000, what: 'switchboard serve to listen', intervalMs: 50 }).catch(async (error: unknown) => {
    await kill('SIGKILL');
    throw new Error(`${(error as Error).message}; its log:\n${stderr}`);
  });
  return { info: info!, switchboard: undefined, logs: () => stderr, output: () => stdout, alive, kill, stop };
}

/** Starts server-everything in its Streamable HTTP mode on a free loopback port. */
export async function startRemoteEverything(): Promise<{ url: string; stop(): Promise<void> }> {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const child = spawn(process.execPath, [EVERYTHING_SERVER, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${output}`)), 15_000);
    const onData = (text: Buffer) => {
      output += text.toString();
      if (output.includes('listening on port')) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`server-everything exited: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
