// The audit tests' view of a real `switchboard serve`: a data folder prepared once (echo server,
// client token, gateway settings) that outlives the daemon, so a test can SIGKILL the process and
// start it again on the same folder; SDK clients over /mcp/<id> and `switchboard bridge`; the
// audit API; the CLI; and read-only looks at audit.db while the daemon writes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auditContract } from '../../shared/api/audit.ts';
import { createApiClient, type ApiClient } from '../../shared/api/define.ts';
import { serversContract } from '../../shared/api/servers.ts';
import { httpCallTransport } from '../../main/endpoints/daemon-client.ts';
import { auditDbPath } from '../../main/audit/database.ts';
import { EVERYTHING_SERVER, REPO_ROOT, SWITCHBOARD_BIN } from './daemon.ts';

export const ECHO_SERVER_PATH = join(REPO_ROOT, 'test/support/echo-server.ts');

export interface AuditDataDir {
  readonly dataDir: string;
  /** Accepted at /mcp/<id> as "Bearer <token>" (client name "audit-test"). */
  readonly clientToken: string;
}

/** server-everything over stdio, for its slow tool (trigger-long-running-operation). */
export const EVERYTHING_STDIO = { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } as const;

/** A fresh data folder whose config has the echo server (id "echo"), `extraServers` and, when given, a gateway. */
export function prepareAuditDataDir(gateway?: { url: string; credential?: string }, extraServers: readonly object[] = [], settings: object = {}): AuditDataDir {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-audit-'));
  const clientToken = `sbt_${randomBytes(24).toString('base64url')}`;
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({
    version: 1,
    servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [ECHO_SERVER_PATH] }, ...extraServers],
    tokens: [{ name: 'audit-test', sha256: createHash('sha256').update(clientToken).digest('hex'), createdAt: new Date().toISOString() }],
    settings: { httpPort: 0, ...(gateway ? { gateway } : {}), ...settings },
  }, null, 2), { mode: 0o600 });
  return { dataDir, clientToken };
}

export interface ServeProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly baseUrl: string;
  readonly audit: ApiClient<typeof auditContract>;
  readonly servers: ApiClient<typeof serversContract>;
  /** What the daemon wrote on stderr (its log). */
  logs(): string;
  alive(): boolean;
  /** Sends `signal` and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `switchboard serve` on `dataDir` and resolves once it listens (its own daemon.json is written). */
export async function startServe(dataDir: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [SWITCHBOARD_BIN, 'serve', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr += text;
  });
  child.stdout!.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (alive()) child.kill(signal);
    await exited;
  };

  // A killed daemon leaves its daemon.json behind: wait for the one naming this process.
  let info: { pid: number; httpPort: number; apiToken: string } | undefined;
  await until(() => {
    if (!alive()) throw new Error(`switchboard serve exited (code ${child.exitCode}, signal ${child.signalCode}) before listening:\n${stderr}`);
    try {
      const parsed = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { pid: number; httpPort: number; apiToken: string };
      if (parsed.pid === child.pid && parsed.httpPort > 0) info = parsed;
    } catch {
      // not written yet (or half written)
    }
    return info !== undefined;
  }, options.timeoutMs ?? 30_000, 'switchboard serve to listen').catch(async (error: unknown) => {
    await kill('SIGKILL');
    throw error;
  });
  const ready = info!;
  return {
    pid: ready.pid,
    httpPort: ready.httpPort,
    baseUrl: `http://127.0.0.1:${ready.httpPort}`,
    audit: createApiClient(auditContract, httpCallTransport(ready)),
    servers: createApiClient(serversContract, httpCallTransport(ready)),
    logs: () => stderr,
    alive,
    kill,
  };
}

/**
 * The processes of the upstream servers the daemon runs (probe and per-session). A daemon killed
 * with SIGKILL cannot stop them; a test that does so ends them by these ids.
 */
export async function upstreamPids(serve: ServeProcess): Promise<number[]> {
  const { servers } = await serve.servers['servers.list']({});
  return servers.flatMap((server) => [server.status.pid, ...server.sessions.map((session) => session.pid)]).filter((pid): pid is number => pid !== undefined);
}

/** An SDK client at /mcp/<serverId> of a running daemon. */
export async function httpMcpClient(serve: ServeProcess, data: AuditDataDir, serverId: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${serve.baseUrl}/mcp/${serverId}`), {
    requestInit: { headers: { authorization: `Bearer ${data.clientToken}` } },
  }));
  return client;
}

/** An SDK client through `switchboard bridge <serverId>`, spawned the way desktop clients do. */
export async function bridgeMcpClient(data: AuditDataDir, serverId: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StdioClientTransport({
    command: process.execPath,
    args: [SWITCHBOARD_BIN, 'bridge', serverId, '--data-dir', data.dataDir, '--no-start'],
    stderr: 'pipe',
  }));
  return client;
}

/** Runs the `switchboard` CLI on the data folder; resolves with its exit code and output. */
export function runCli(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SWITCHBOARD_BIN, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface AuditRowView {
  id: string;
  method: string;
  target: string | null;
  arguments: string | null;
  outcome: string;
  delivery: number;
  client_name: string | null;
  transport: string | null;
  bytes_in: number | null;
  bytes_out: number | null;
}

/**
 * The committed rows of audit.db as they are now (read-only: WAL lets the daemon keep writing),
 * both those already indexed and those finished since (audit_finished with their entry in
 * audit_inflight and its session in audit_sessions, moved into audit_records in batches).
 */
export function readAuditRows(dataDir: string): AuditRowView[] {
  const db = new Database(auditDbPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT id, method, target, arguments, outcome, delivery, client_name, transport, bytes_in, bytes_out FROM (
        SELECT seq, id, method, target, arguments, outcome, delivery, client_name, transport, bytes_in, bytes_out FROM audit_records
        UNION ALL
        SELECT f.seq, i.id, i.method, i.target, i.arguments, f.outcome, 0, s.client_name, s.transport, f.bytes_in, f.bytes_out
        FROM audit_finished f JOIN audit_inflight i ON i.seq = f.inflight_seq JOIN audit_sessions s ON s.ref = i.session_ref
      ) ORDER BY seq`).all() as AuditRowView[];
  } finally {
    db.close();
  }
}

/** Targets (tool names) of the calls the daemon has recorded as running now (audit_inflight). */
export function readInflightTargets(dataDir: string): string[] {
  const db = new Database(auditDbPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT target FROM audit_inflight WHERE seq NOT IN (SELECT inflight_seq FROM audit_finished) ORDER BY seq').all() as Array<{ target: string | null }>).map((row) => row.target ?? '');
  } finally {
    db.close();
  }
}

/** The `text` argument the echo server was called with, from a row's captured arguments. */
export function echoText(row: Pick<AuditRowView, 'arguments'>): string | undefined {
  if (!row.arguments) return undefined;
  try {
    return (JSON.parse(row.arguments) as { text?: string }).text;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once `predicate` holds, checking every 20 ms (for state that announces no event, such
 * as rows in another process's database); rejects after `timeoutMs` naming `what`.
 */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `total` echo calls spread over `clients`, one call at a time per client, each with the text
 * `${prefix}${n}`, and adds to `answered` the text of every call whose answer a client saw (echoed
 * back intact) as it comes. With `stopOnError` a client stops at its first failure (the daemon
 * was killed) instead of throwing.
 */
export async function driveEchoCalls(clients: readonly Client[], total: number, options: { answered?: Set<string>; prefix?: string; stopOnError?: boolean } = {}): Promise<Set<string>> {
  const prefix = options.prefix ?? 'call-';
  const answered = options.answered ?? new Set<string>();
  let next = 0;
  await Promise.all(clients.map(async (client) => {
    while (next < total) {
      const text = `${prefix}${next++}`;
      let result;
      try {
        result = await client.callTool({ name: 'echo', arguments: { text } });
      } catch (error) {
        if (options.stopOnError) return;
        throw error;
      }
      const echoed = (result.content as Array<{ type: string; text?: string }>)[0]?.text;
      if (echoed !== text) throw new Error(`call ${text} answered ${JSON.stringify(result)}`);
      answered.add(text);
    }
  }));
  return answered;
}
