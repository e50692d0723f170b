// Writes audit rows. A call is written twice: `begin` puts it in audit_inflight before the call
// goes upstream (so no call ever reaches a server unrecorded, and a crash mid-call leaves a row
// that the next start records as `interrupted`), and `finish` moves it into audit_records with its
// outcome before the answer goes back to the client.
//
// Group commit: writes queued during one turn of the event loop are committed together in one
// transaction on setImmediate, and each caller's promise resolves only after that commit. The
// cost of a commit (writing the touched pages to the WAL) is then shared by every call that was
// running at the same time, while "the client saw it ⇒ the row is committed" still holds.
import type Database from 'better-sqlite3';
import type { AuditDecisionSchema, AuditOutcome, CaptureMode } from '../../shared/audit.ts';
import type { z } from 'zod';
import { AuditMeta, Delivery, auditDbPath, openAuditDatabase, type SqliteDatabase } from './database.ts';

/** What is known when the call arrives. */
export interface AuditEntry {
  readonly id: string;
  readonly time: number;
  readonly sessionId: string | null;
  readonly requestId: string | null;
  readonly serverId: string;
  readonly transport: string | null;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  readonly clientLabel: string | null;
  readonly method: string;
  readonly target: string | null;
  readonly arguments: string | null;
  readonly argumentsTruncated: boolean;
  readonly captureMode: CaptureMode | null;
  readonly osUser: string | null;
  readonly deviceId: string | null;
}

/** What is known when the answer goes back. */
export interface AuditCompletion {
  readonly decision: z.infer<typeof AuditDecisionSchema> | null;
  readonly rule: string | null;
  readonly source: string | null;
  readonly reason: string | null;
  readonly approver: string | null;
  readonly outcome: AuditOutcome;
  readonly errorType: string | null;
  readonly errorMessage: string | null;
  readonly durationMs: number | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
}

/** The audit store could not write: the caller must fail closed. */
export class AuditWriteError extends Error {
  readonly code: string;
  constructor(path: string, cause: unknown) {
    const code = typeof (cause as { code?: unknown })?.code === 'string' ? (cause as { code: string }).code : 'SQLITE_ERROR';
    super(`the audit store ${path} cannot record the call (${code}: ${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = 'AuditWriteError';
    this.code = code;
  }
}

/** A call recorded by `begin` and not finished yet. */
export interface InflightCall {
  readonly inflightSeq: number;
  readonly entry: AuditEntry;
}

type Op =
  | { kind: 'begin'; entry: AuditEntry; resolve: (seq: number) => void; reject: (error: unknown) => void }
  | { kind: 'finish'; call: InflightCall; completion: AuditCompletion; resolve: (seq: number) => void; reject: (error: unknown) => void }
  | { kind: 'record'; entry: AuditEntry; completion: AuditCompletion; resolve: (seq: number) => void; reject: (error: unknown) => void };

const INSERT_SQL = `INSERT INTO audit_records (
  id, ts, session_id, request_id, server_id, transport, client_name, client_version, client_label,
  method, target, arguments, arguments_truncated, capture_mode, os_user, device_id,
  decision, rule, source, reason, approver, outcome, error_type, error_message, duration_ms, bytes_in, bytes_out, delivery
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const ENTRY_COLUMNS = `id, ts, session_id, request_id, server_id, transport, client_name, client_version, client_label,
  method, target, arguments, arguments_truncated, capture_mode, os_user, device_id`;
const BEGIN_SQL = `INSERT INTO audit_inflight (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const END_INFLIGHT_SQL = 'DELETE FROM audit_inflight WHERE seq = ?';

export class AuditStore {
  readonly path: string;
  readonly db: SqliteDatabase;
  readonly meta: AuditMeta;
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly beginStmt: Database.Statement<unknown[]>;
  private readonly endInflightStmt: Database.Statement<unknown[]>;
  private queue: Op[] = [];
  private scheduled = false;
  private closed = false;
  private readonly commitListeners = new Set<() => void>();

  constructor(path: string, db: SqliteDatabase = openAuditDatabase(path)) {
    this.path = path;
    this.db = db;
    this.meta = new AuditMeta(db);
    this.insertStmt = db.prepare(INSERT_SQL);
    this.beginStmt = db.prepare(BEGIN_SQL);
    this.endInflightStmt = db.prepare(END_INFLIGHT_SQL);
  }

  static open(dataDir: string): AuditStore {
    return new AuditStore(auditDbPath(dataDir));
  }

  /** Records that a call arrived; resolves once committed. */
  async begin(entry: AuditEntry): Promise<InflightCall> {
    const inflightSeq = await this.enqueue((resolve, reject) => ({ kind: 'begin', entry, resolve, reject }));
    return { inflightSeq, entry };
  }

  /** Records the call's outcome (its row in audit_records); resolves with the row's seq once committed. */
  finish(call: InflightCall, completion: AuditCompletion): Promise<number> {
    return this.enqueue((resolve, reject) => ({ kind: 'finish', call, completion, resolve, reject }));
  }

  /** Writes a complete row at once: attempts blocked before they became calls (e.g. a denied server start). */
  record(entry: AuditEntry, completion: AuditCompletion): Promise<number> {
    return this.enqueue((resolve, reject) => ({ kind: 'record', entry, completion, resolve, reject }));
  }

  /** Called after each commit that made rows ready to forward (the forwarder wakes up). */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Rows left in flight by a previous run (the daemon stopped mid-call) become `interrupted`
   * and are forwarded. Only the daemon calls this, at start, before serving calls.
   */
  recoverInterrupted(): number {
    return this.db.transaction(() => {
      const moved = this.db.prepare(`INSERT INTO audit_records (${ENTRY_COLUMNS}, outcome, error_type, error_message, delivery)
        SELECT ${ENTRY_COLUMNS}, 'interrupted', 'daemon_stopped', 'the daemon stopped before the call finished; its result is unknown', ${Delivery.Pending}
        FROM audit_inflight WHERE id NOT IN (SELECT id FROM audit_records) ORDER BY seq`).run().changes;
      this.db.prepare('DELETE FROM audit_inflight').run();
      return moved;
    }).immediate();
  }

  /** Commits whatever is queued now (tests, shutdown). */
  flush(): void {
    this.commit();
  }

  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.db.close();
  }

  private enqueue(make: (resolve: (seq: number) => void, reject: (error: unknown) => void) => Op): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.closed) {
        reject(new AuditWriteError(this.path, new Error('the audit store is closed')));
        return;
      }
      this.queue.push(make(resolve, reject));
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  private commit(): void {
    this.scheduled = false;
    const ops = this.queue;
    if (ops.length === 0) return;
    this.queue = [];
    const results: number[] = new Array(ops.length);
    try {
      this.db.transaction(() => {
        for (let i = 0; i < ops.length; i++) results[i] = this.apply(ops[i]!);
      })();
    } catch {
      // Something in the batch failed (disk full, read-only file…): retry each write alone so one
      // bad write does not fail the others; those that fail again are rejected (fail closed).
      for (let i = 0; i < ops.length; i++) {
        try {
          results[i] = this.apply(ops[i]!);
        } catch (error) {
          results[i] = -1;
          ops[i]!.reject(new AuditWriteError(this.path, error));
        }
      }
    }
    for (let i = 0; i < ops.length; i++) if (results[i]! >= 0) ops[i]!.resolve(results[i]!);
    for (const listener of this.commitListeners) listener();
  }

  private apply(op: Op): number {
    if (op.kind === 'begin') {
      const e = op.entry;
      return Number(this.beginStmt.run(
        e.id, e.time, e.sessionId, e.requestId, e.serverId, e.transport, e.clientName, e.clientVersion, e.clientLabel,
        e.method, e.target, e.arguments, e.argumentsTruncated ? 1 : 0, e.captureMode, e.osUser, e.deviceId,
      ).lastInsertRowid);
    }
    const e = op.kind === 'finish' ? op.call.entry : op.entry;
    const c = op.completion;
    const info = this.insertStmt.run(
      e.id, e.time, e.sessionId, e.requestId, e.serverId, e.transport, e.clientName, e.clientVersion, e.clientLabel,
      e.method, e.target, e.arguments, e.argumentsTruncated ? 1 : 0, e.captureMode, e.osUser, e.deviceId,
      c.decision, c.rule, c.source, c.reason, c.approver, c.outcome, c.errorType, c.errorMessage, c.durationMs, c.bytesIn, c.bytesOut,
      Delivery.Pending,
    );
    if (op.kind === 'finish') this.endInflightStmt.run(op.call.inflightSeq);
    return Number(info.lastInsertRowid);
  }
}
