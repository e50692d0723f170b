// Opens <dataDir>/audit.db and brings its schema up to date with versioned migrations kept in
// code (PRAGMA user_version). A database written by a newer app version is refused with a clear
// message rather than being misread or altered.
//
// Crash safety: WAL with synchronous=NORMAL. A transaction is committed once its frames are in
// the WAL file (the write() has returned); a process crash or SIGKILL after that keeps it, because
// the OS page cache still holds the frames and the next open replays the WAL. What NORMAL gives up
// is durability across an OS crash or power loss (the WAL is fsynced only at checkpoints), where
// the last transactions may be lost. So "a client saw the answer ⇒ its row exists" holds for every
// daemon crash, and for machine crashes it holds up to the last checkpoint. FULL would fsync every
// commit (milliseconds each on a laptop SSD) on the hot path of every tool call.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATION_DERIVED_INDEXES } from './audit-indexes-schema.ts';

export type SqliteDatabase = Database.Database;

export const AUDIT_DB_FILE = 'audit.db';

/** Numeric delivery states in the `delivery` column. */
export const Delivery = {
  Pending: 0,
  Delivered: 1,
  Failed: 2,
  Dropped: 3,
} as const;

export const DELIVERY_NAMES = ['pending', 'delivered', 'failed', 'dropped'] as const;

export const MIGRATIONS: ReadonlyArray<string> = [
  // 1: the records table, the indexes behind the UI's filters, the outbox index and a key/value table.
  `
  CREATE TABLE audit_records (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    session_id TEXT,
    request_id TEXT,
    server_id TEXT NOT NULL,
    transport TEXT,
    client_name TEXT,
    client_version TEXT,
    client_label TEXT,
    method TEXT NOT NULL,
    target TEXT,
    arguments TEXT,
    arguments_truncated INTEGER NOT NULL DEFAULT 0,
    capture_mode TEXT,
    decision TEXT,
    rule TEXT,
    source TEXT,
    reason TEXT,
    approver TEXT,
    outcome TEXT NOT NULL,
    error_type TEXT,
    error_message TEXT,
    duration_ms REAL,
    bytes_in INTEGER,
    bytes_out INTEGER,
    os_user TEXT,
    device_id TEXT,
    delivery INTEGER NOT NULL DEFAULT 0
  );
  -- Every index ends in the rowid (seq), so "WHERE server_id = ? AND seq < ? ORDER BY seq DESC"
  -- is one index range walk: keyset pagination by any single filter without composite indexes.
  CREATE INDEX audit_ts ON audit_records(ts);
  CREATE INDEX audit_server ON audit_records(server_id);
  CREATE INDEX audit_target ON audit_records(target);
  CREATE INDEX audit_client ON audit_records(client_name);
  CREATE INDEX audit_outcome ON audit_records(outcome);
  CREATE INDEX audit_decision ON audit_records(decision);
  -- "errors of this server", the UI's most common two-filter page.
  CREATE INDEX audit_server_outcome ON audit_records(server_id, outcome);
  -- The outbox: only undelivered rows are in this index, so draining never scans delivered ones.
  CREATE INDEX audit_outbox ON audit_records(seq) WHERE delivery = 0;
  -- Calls running now: written before the call goes upstream, moved into audit_records with
  -- their outcome when they finish (one insert into the indexed table per call instead of an
  -- insert plus an update of the indexed outcome/decision/delivery columns). A crash leaves them
  -- here; the next start records them as interrupted.
  CREATE TABLE audit_inflight (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    session_id TEXT,
    request_id TEXT,
    server_id TEXT NOT NULL,
    transport TEXT,
    client_name TEXT,
    client_version TEXT,
    client_label TEXT,
    method TEXT NOT NULL,
    target TEXT,
    arguments TEXT,
    arguments_truncated INTEGER NOT NULL DEFAULT 0,
    capture_mode TEXT,
    os_user TEXT,
    device_id TEXT
  );
  CREATE TABLE audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: a finished call is written as its completion only (audit_finished), next to its entry
  // already in audit_inflight; neither table has a secondary index, so a call's commits write two
  // or three pages instead of one per index of audit_records. The store joins them into
  // audit_records in batches (AuditStore.settle), where the index maintenance of many rows shares
  // the same pages. `seq` is the record's seq in audit_records, assigned here and kept by the move.
  `
  CREATE TABLE audit_finished (
    seq INTEGER PRIMARY KEY,
    inflight_seq INTEGER NOT NULL,
    decision TEXT,
    rule TEXT,
    source TEXT,
    reason TEXT,
    approver TEXT,
    outcome TEXT NOT NULL,
    error_type TEXT,
    error_message TEXT,
    duration_ms REAL,
    bytes_in INTEGER,
    bytes_out INTEGER
  );
  `,
  // 3: the columns that stay the same for a whole client session (session, server, transport,
  // client, OS user, device) are written once per session in audit_sessions, and a running call's
  // write-ahead row carries a reference to them: 9 values bound per call instead of 16. The move
  // into audit_records joins them back, so audit_records (and every reader of it) is unchanged.
  `
  CREATE TABLE audit_sessions (
    ref INTEGER PRIMARY KEY,
    session_id TEXT,
    server_id TEXT NOT NULL,
    transport TEXT,
    client_name TEXT,
    client_version TEXT,
    client_label TEXT,
    os_user TEXT,
    device_id TEXT
  );
  CREATE TABLE audit_calls (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    session_ref INTEGER NOT NULL,
    request_id TEXT,
    method TEXT NOT NULL,
    target TEXT,
    arguments TEXT,
    arguments_truncated INTEGER NOT NULL DEFAULT 0,
    capture_mode TEXT
  );
  INSERT INTO audit_sessions (session_id, server_id, transport, client_name, client_version, client_label, os_user, device_id)
    SELECT DISTINCT session_id, server_id, transport, client_name, client_version, client_label, os_user, device_id FROM audit_inflight;
  INSERT INTO audit_calls (seq, id, ts, session_ref, request_id, method, target, arguments, arguments_truncated, capture_mode)
    SELECT i.seq, i.id, i.ts, s.ref, i.request_id, i.method, i.target, i.arguments, i.arguments_truncated, i.capture_mode
    FROM audit_inflight i JOIN audit_sessions s ON s.session_id IS i.session_id AND s.server_id = i.server_id
      AND s.transport IS i.transport AND s.client_name IS i.client_name AND s.client_version IS i.client_version
      AND s.client_label IS i.client_label AND s.os_user IS i.os_user AND s.device_id IS i.device_id;
  DROP TABLE audit_inflight;
  ALTER TABLE audit_calls RENAME TO audit_inflight;
  -- Most calls succeed and are allowed: the indexes behind the outcome and decision filters leave
  -- those rows out (audit-queries.ts repeats the condition so SQLite uses them), which spares three
  -- of nine index writes per record. A filter on 'ok' or 'allow' walks the newest rows instead,
  -- where such rows are the many.
  DROP INDEX audit_outcome;
  DROP INDEX audit_decision;
  DROP INDEX audit_server_outcome;
  CREATE INDEX audit_outcome ON audit_records(outcome) WHERE outcome <> 'ok';
  CREATE INDEX audit_decision ON audit_records(decision) WHERE decision <> 'allow';
  CREATE INDEX audit_server_outcome ON audit_records(server_id, outcome) WHERE outcome <> 'ok';
  `,
  // 4: how long a call waited for a person's approval, apart from duration_ms, which from now on
  // leaves the wait out (latency is the proxy's and the server's time, not a human's). Rows written
  // before have no wait recorded: latency figures skip those that were approved (approver set).
  `
  ALTER TABLE audit_finished ADD COLUMN approval_wait_ms REAL;
  ALTER TABLE audit_records ADD COLUMN approval_wait_ms REAL;
  `,
  // 5: how the server ran for the session ("bwrap network=none", "not sandboxed", "remote"; see
  // main/sandbox/sandbox-state.ts), written once per session and joined into every record.
  `
  ALTER TABLE audit_sessions ADD COLUMN sandbox TEXT;
  ALTER TABLE audit_records ADD COLUMN sandbox TEXT;
  `,
  // 6: the server's lifecycle when the call was decided (main/lifecycle/): its state (active,
  // deprecated, decommissioned, deleted), the message, the registry's latest version and the
  // replacement policy names. Null when nothing is known about the server's lifecycle.
  `
  ALTER TABLE audit_finished ADD COLUMN lifecycle_state TEXT;
  ALTER TABLE audit_finished ADD COLUMN lifecycle_message TEXT;
  ALTER TABLE audit_finished ADD COLUMN lifecycle_latest_version TEXT;
  ALTER TABLE audit_finished ADD COLUMN lifecycle_replacement TEXT;
  ALTER TABLE audit_records ADD COLUMN lifecycle_state TEXT;
  ALTER TABLE audit_records ADD COLUMN lifecycle_message TEXT;
  ALTER TABLE audit_records ADD COLUMN lifecycle_latest_version TEXT;
  ALTER TABLE audit_records ADD COLUMN lifecycle_replacement TEXT;
  `,
  // 7: the proxy span of the call (tracing on), so the audit record and the trace can be joined.
  `
  ALTER TABLE audit_finished ADD COLUMN trace_id TEXT;
  ALTER TABLE audit_finished ADD COLUMN span_id TEXT;
  ALTER TABLE audit_records ADD COLUMN trace_id TEXT;
  ALTER TABLE audit_records ADD COLUMN span_id TEXT;
  `,
  // 8: content guardrails (main/guardrails/): the rules that acted, the detectors that fired (names
  // only, never a matched value), flags ("budget-80", "result-truncated"), and the estimated tokens
  // (UTF-8 bytes / 4) of the request and of the result as returned.
  `
  ALTER TABLE audit_finished ADD COLUMN guardrail_rule TEXT;
  ALTER TABLE audit_finished ADD COLUMN detectors TEXT;
  ALTER TABLE audit_finished ADD COLUMN guardrail_flags TEXT;
  ALTER TABLE audit_finished ADD COLUMN est_tokens_in INTEGER;
  ALTER TABLE audit_finished ADD COLUMN est_tokens_out INTEGER;
  ALTER TABLE audit_records ADD COLUMN guardrail_rule TEXT;
  ALTER TABLE audit_records ADD COLUMN detectors TEXT;
  ALTER TABLE audit_records ADD COLUMN guardrail_flags TEXT;
  ALTER TABLE audit_records ADD COLUMN est_tokens_in INTEGER;
  ALTER TABLE audit_records ADD COLUMN est_tokens_out INTEGER;
  `,
  // 9: the flow guardrails (main/guardrails/): the rule of a rate limit, breaker, idempotency or
  // cache decision, and whether the answer was replayed or served from the cache (0/1).
  `
  ALTER TABLE audit_finished ADD COLUMN guard_rule TEXT;
  ALTER TABLE audit_finished ADD COLUMN replayed INTEGER;
  ALTER TABLE audit_finished ADD COLUMN cache_hit INTEGER;
  ALTER TABLE audit_records ADD COLUMN guard_rule TEXT;
  ALTER TABLE audit_records ADD COLUMN replayed INTEGER;
  ALTER TABLE audit_records ADD COLUMN cache_hit INTEGER;
  `,
  // 10: the profile of a federated session (/mcp, `bridge --profile`), written once per session and
  // joined into every record; null for a session on one server's own endpoint.
  `
  ALTER TABLE audit_sessions ADD COLUMN profile TEXT;
  ALTER TABLE audit_records ADD COLUMN profile TEXT;
  `,
  // 11: derived indexes for the Activity and Health queries (main/audit/audit-indexes.ts): a
  // trigram full-text index of the searched columns and hourly rollups with a latency histogram,
  // both written by the merge into audit_records. Rows already there are indexed later, newest
  // first, in small steps (index_from_seq: rows from this seq on are indexed); until then the
  // queries read the rows themselves.
  MIGRATION_DERIVED_INDEXES,
];

export const AUDIT_SCHEMA_VERSION = MIGRATIONS.length;

export class AuditDatabaseVersionError extends Error {
  constructor(path: string, found: number) {
    super(`the audit database ${path} has schema version ${found}, newer than this app understands (${AUDIT_SCHEMA_VERSION}); update MCP Switchboard, or move the file away to start a new one`);
    this.name = 'AuditDatabaseVersionError';
  }
}

export interface OpenAuditDatabaseOptions {
  readonly readonly?: boolean;
}

export function auditDbPath(dataDir: string): string {
  return join(dataDir, AUDIT_DB_FILE);
}

/** Opens (creating and migrating when writable) the audit database at `path`. */
export function openAuditDatabase(path: string, options: OpenAuditDatabaseOptions = {}): SqliteDatabase {
  if (options.readonly) {
    let db: SqliteDatabase;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new Error(`cannot open the audit database ${path}: ${(error as Error).message}`, { cause: error });
    }
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > AUDIT_SCHEMA_VERSION) {
      db.close();
      throw new AuditDatabaseVersionError(path, version);
    }
    if (version < AUDIT_SCHEMA_VERSION) {
      db.close();
      throw new Error(`the audit database ${path} has schema version ${version}; start the daemon once to upgrade it`);
    }
    return db;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > AUDIT_SCHEMA_VERSION) throw new AuditDatabaseVersionError(path, version);
    if (version === 0) db.pragma('auto_vacuum = INCREMENTAL'); // must precede the first table
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The store checkpoints after its merges (AuditStore); this is only the backstop, and the
    // WAL file is cut back to 16 MiB after a checkpoint lets it restart.
    db.pragma(`wal_autocheckpoint = 20000`);
    db.pragma('journal_size_limit = 16777216');
    db.pragma('temp_store = MEMORY');
    migrate(db, version);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: SqliteDatabase, from: number): void {
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/** Small persistent key/value state (forwarder counters, last error, inventory hash). */
export class AuditMeta {
  private readonly getStmt: Database.Statement<[string], { value: string }>;
  private readonly setStmt: Database.Statement<[string, string]>;

  constructor(db: SqliteDatabase) {
    this.getStmt = db.prepare('SELECT value FROM audit_meta WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO audit_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  getNumber(key: string): number {
    const value = Number(this.get(key) ?? 0);
    return Number.isFinite(value) ? value : 0;
  }

  set(key: string, value: string | number): void {
    this.setStmt.run(key, String(value));
  }

  add(key: string, delta: number): void {
    if (delta !== 0) this.set(key, this.getNumber(key) + delta);
  }
}
