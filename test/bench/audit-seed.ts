// Realistic audit rows for the query benchmarks, written the way the daemon writes them: into the
// staging tables (audit_sessions, audit_inflight, audit_finished), then moved into audit_records by
// the store's merge (moveFinishedRows), which also maintains the full-text index and the rollups.
// 5 servers with 30 tools between them, 6 clients, 8 days, a mix of outcomes and latencies.
import type Database from 'better-sqlite3';
import { newRecordId } from '../../main/audit/record-id.ts';
import { moveFinishedRows } from '../../main/audit/store.ts';
import type { SqliteDatabase } from '../../main/audit/database.ts';

export const SEED_SERVERS: Readonly<Record<string, readonly string[]>> = {
  github: ['create_issue', 'list_issues', 'get_pull_request', 'merge_pull_request', 'search_code', 'create_branch', 'delete_branch'],
  filesystem: ['read_file', 'write_file', 'list_directory', 'search_files', 'move_file', 'delete_file'],
  postgres: ['query', 'list_tables', 'describe_table', 'execute'],
  slack: ['post_message', 'list_channels', 'search_messages', 'get_thread', 'upload_file'],
  jira: ['create_ticket', 'update_ticket', 'search_tickets', 'transition_ticket', 'add_comment', 'get_ticket', 'delete_ticket', 'assign_ticket'],
};
export const SEED_CLIENTS = ['claude-desktop', 'cursor', 'vscode', 'windsurf', 'claude-code', 'zed'];
const TOOLS = Object.entries(SEED_SERVERS).flatMap(([server, tools]) => tools.map((tool) => [server, tool] as const));
const ERRORS = ['request failed with status 500', 'rate limit exceeded, retry after 30s', 'permission denied for relation invoices',
  'ENOENT: no such file or directory', 'connection reset by peer', 'channel_not_found', 'quota exceeded for project acme-app'];

/** A deterministic pseudo-random stream (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export class AuditSeeder {
  private readonly db: SqliteDatabase;
  private readonly session: Database.Statement<unknown[]>;
  private readonly inflight: Database.Statement<unknown[]>;
  private readonly finished: Database.Statement<unknown[]>;
  private readonly move: () => number;
  private readonly random = rng(42);
  private nextSeq: number;
  private readonly sessionRefs = new Map<string, number>();

  constructor(db: SqliteDatabase, options: { index?: boolean } = {}) {
    this.db = db;
    this.session = db.prepare(`INSERT INTO audit_sessions (session_id, server_id, transport, client_name, client_version, client_label, os_user, device_id, sandbox)
      VALUES (?, ?, 'socket', ?, '1.2.0', ?, 'dev', 'device-1', 'not sandboxed')`);
    this.inflight = db.prepare(`INSERT INTO audit_inflight (id, ts, session_ref, request_id, method, target, arguments, arguments_truncated, capture_mode)
      VALUES (?, ?, ?, ?, 'tools/call', ?, ?, 0, 'redacted')`);
    this.finished = db.prepare(`INSERT INTO audit_finished (seq, inflight_seq, decision, rule, source, reason, approver, outcome, error_type, error_message,
      duration_ms, bytes_in, bytes_out, approval_wait_ms) VALUES (?, ?, ?, ?, 'managed', NULL, ?, ?, ?, ?, ?, 180, 900, ?)`);
    this.move = moveFinishedRows(db, options.index ?? true);
    this.nextSeq = (db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM audit_records').pluck().get() as number);
  }

  /** Stages `count` calls with times from `startMs`, `stepMs` apart (one transaction). */
  stage(count: number, startMs: number, stepMs: number): void {
    const r = this.random;
    this.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const ts = Math.floor(startMs + i * stepMs);
        // Skewed tool popularity: the first tools of the list are called most.
        const [server, tool] = TOOLS[Math.floor(TOOLS.length * r() ** 2)]!;
        const client = SEED_CLIENTS[Math.floor(SEED_CLIENTS.length * r())]!;
        const sessionKey = `${server}/${client}/${Math.floor(ts / 3_600_000)}`;
        let ref = this.sessionRefs.get(sessionKey);
        if (ref === undefined) {
          ref = Number(this.session.run(sessionKey, server, client, client === 'cursor' ? 'cursor-http' : 'bridge').lastInsertRowid);
          this.sessionRefs.set(sessionKey, ref);
        }
        const roll = r();
        const outcome = roll < 0.01 ? 'denied' : roll < 0.045 ? 'tool_error' : roll < 0.055 ? 'timeout' : roll < 0.06 ? 'protocol_error' : roll < 0.062 ? 'cancelled' : 'ok';
        const asked = outcome === 'ok' && roll > 0.97;
        // Log-normal latency around 40 ms with a long tail; timeouts at 30 s.
        const duration = outcome === 'timeout' ? 30_000 : outcome === 'denied' ? 0.2 : Math.round(Math.exp(3.7 + 1.1 * gaussian(r)) * 100) / 100;
        const inflightSeq = Number(this.inflight.run(newRecordId(ts), ts, ref, String(this.nextSeq), tool,
          `{"path":"/home/dev/project/src/module-${Math.floor(r() * 500)}.ts","query":"find usages of handler${Math.floor(r() * 800)}"}`).lastInsertRowid);
        this.finished.run(this.nextSeq++, inflightSeq, outcome === 'denied' ? 'deny' : asked ? 'ask' : 'allow',
          outcome === 'denied' ? `deny ${server}/delete_*` : asked ? `ask ${server}/*` : 'default', asked ? 'user:allow-once' : null, outcome,
          outcome === 'ok' || outcome === 'denied' ? null : outcome, outcome === 'tool_error' ? ERRORS[Math.floor(r() * ERRORS.length)]! : outcome === 'timeout' ? 'no answer within 30000 ms' : null,
          duration, asked ? 2000 + Math.floor(r() * 20_000) : null);
      }
    })();
  }

  /** The store's merge of everything staged; returns how many rows moved. */
  merge(): number {
    return this.move();
  }

  /** Stages and merges `rows` calls spread evenly over [startMs, endMs), `batch` per merge (as the store does). */
  fill(rows: number, startMs: number, endMs: number, batch = 1000): void {
    const step = (endMs - startMs) / rows;
    for (let done = 0; done < rows; done += batch) {
      const n = Math.min(batch, rows - done);
      this.stage(n, startMs + done * step, step);
      this.merge();
    }
  }
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
