// Starts a real `switchboard serve` (a child process, as in production) on a temp data folder
// with HTTP port 0, and hands back where it listens, its tokens and SDK clients through
// both endpoints. Always call stop(): it ends the daemon (and so every server it spawned) and
// removes the folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApiClient, type ApiClient } from '../../shared/api/define.ts';
import { serversContract } from '../../shared/api/servers.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { freePort } from './free-port.ts';
import { httpCallTransport } from '../../main/endpoints/daemon-client.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SWITCHBOARD_BIN = join(REPO_ROOT, 'bin/switchboard.js');
export const EVERYTHING_SERVER = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const NEVER_ANSWERS_SERVER = join(REPO_ROOT, 'test/support/never-answers-server.ts');

export interface TestDaemonOptions {
  /** Servers written to config.json before the daemon starts (schema input: defaults apply). */
  servers?: Array<Partial<ServerConfig> & { id: string; transport: ServerConfig['transport'] }>;
  settings?: { requestTimeoutMs?: number };
  /** Listen on a fixed port written to settings.httpPort (URL links need one), not a free one picked per start. */
  configuredPort?: boolean;
  /** Extra environment for the daemon process. */
  env?: Record<string, string>;
  /** Extra `serve` arguments, e.g. ['--log-level', 'debug']. */
  args?: string[];
  startTimeoutMs?: number;
}

export interface TestDaemon {
  dataDir: string;
  pid: number;
  httpPort: number;
  socketPath: string;
  /** Bearer token for /api/<method>. */
  apiToken: string;
  /** A client token (name "test-client") accepted at /mcp/<id>. */
  clientToken: string;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  api: ApiClient<typeof serversContract>;
  /** What the daemon wrote on stderr so far (its log). */
  logs(): string;
  /** An SDK client connected through `switchboard bridge <id>` spawned as a child process. */
  bridgeClient(serverId: string, options?: ClientOptions, clientName?: string): Promise<Client>;
  /** An SDK client connected to /mcp/<id> with the bearer token. */
  httpClient(serverId: string, options?: ClientOptions, clientName?: string): Promise<Client>;
  /** True while the daemon process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** The node binary and flags that run the repo's TypeScript (Node 24 strips types itself). */
export function nodeCommand(): string {
  return process.execPath;
}

export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const clientToken = `sbt_${randomBytes(24).toString('base64url')}`;
  const httpPort = options.configuredPort ? await freePort() : 0;
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
    version: 1,
    servers: options.servers ?? [],
    tokens: [{ name: 'test-client', sha256: createHash('sha256').update(clientToken).digest('hex'), createdAt: new Date().toISOString() }],
    settings: { httpPort, ...options.settings },
  }, null, 2), { mode: 0o600 });

  let stderr = '';
  const portArgs = options.configuredPort ? [] : ['--port', '0'];
  const child: ChildProcess = spawn(process.execPath, [SWITCHBOARD_BIN, 'serve', '--data-dir', dataDir, ...portArgs, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr += text;
  });
  child.stdout!.resume();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const clients: Client[] = [];
  const stop = async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    if (!exited) {
      const gone = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let info: { pid: number; httpPort: number; socketPath: string; apiToken: string } | undefined;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const parsed = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8'));
      if (parsed.httpPort > 0) {
        info = parsed;
        break;
      }
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!info) {
    await stop();
    throw new Error(`switchboard serve did not start: ${stderr}`);
  }
  const ready = info;
  const baseUrl = `http://127.0.0.1:${ready.httpPort}`;
  return {
    dataDir,
    pid: ready.pid,
    httpPort: ready.httpPort,
    socketPath: ready.socketPath,
    apiToken: ready.apiToken,
    clientToken,
    baseUrl,
    api: createApiClient(serversContract, httpCallTransport(ready)),
    logs: () => stderr,
    alive: () => !exited,
    async bridgeClient(serverId, clientOptions, clientName = 'bridge-test') {
      const client = new Client({ name: clientName, version: '1.0.0' }, clientOptions);
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [SWITCHBOARD_BIN, 'bridge', serverId, '--data-dir', dataDir, '--no-start'],
        stderr: 'pipe',
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async httpClient(serverId, clientOptions, clientName = 'http-test') {
      const client = new Client({ name: clientName, version: '1.0.0' }, clientOptions);
      const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${serverId}`), {
        requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    stop,
  };
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
