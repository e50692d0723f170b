// The audit tests' data folder and what they read: a folder prepared once (echo server, client
// token, gateway settings) that outlives the daemon (test/support/daemon.ts, child-process mode),
// so a test can SIGKILL the process and start another on the same folder; the audit API; and
// read-only looks at audit.db while the daemon writes it.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auditContract } from '../../shared/api/audit.ts';
import type { ApiClient } from '../../shared/api/define.ts';
import { auditDbPath } from '../../main/audit/database.ts';
import { EVERYTHING_SERVER, REPO_ROOT, prepareDataDir, type TestDaemon, type TestDataDir } from './daemon.ts';

export const ECHO_SERVER_PATH = join(REPO_ROOT, 'test/support/echo-server.ts');

export type AuditDataDir = TestDataDir;

/** server-everything over stdio, for its slow tool (trigger-long-running-operation). */
export const EVERYTHING_STDIO = { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } as const;

/** A fresh data folder whose config has the echo server (id "echo"), `extraServers` and, when given, a gateway; its client is "audit-test". */
export function prepareAuditDataDir(gateway?: { url: string; credential?: string }, extraServers: readonly object[] = [], settings: object = {}): AuditDataDir {
  return prepareDataDir({
    prefix: 'switchboard-audit-',
    tokenName: 'audit-test',
    servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [ECHO_SERVER_PATH] }, ...extraServers],
    settings: { ...(gateway ? { gateway } : {}), ...settings },
  });
}

/** A daemon with its audit API at hand. */
export type AuditDaemon = TestDaemon & { readonly audit: ApiClient<typeof auditContract> };

export function withAuditApi(daemon: TestDaemon): AuditDaemon {
  return Object.assign(daemon, { audit: daemon.apiFor(auditContract) });
}

/**
 * The processes of the upstream servers the daemon runs (probe and per-session). A daemon killed
 * with SIGKILL cannot stop them; a test that does so ends them by these ids.
 */
export async function upstreamPids(daemon: TestDaemon): Promise<number[]> {
  const { servers } = await daemon.api['servers.list']({});
  return servers.flatMap((server) => [server.status.pid, ...server.sessions.map((session) => session.pid)]).filter((pid): pid is number => pid !== undefined);
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
