// Writes audit rows. A call is written twice: `begin` puts its entry in audit_inflight before the
// call goes upstream (so no call ever reaches a server unrecorded, and a crash mid-call leaves a
// row that the next start records as `interrupted`), and `finish` writes its outcome to
// audit_finished before the answer goes back to the client. What every call of a client session
// shares (server, client, transport, OS user, device) is written once, in audit_sessions.
//
// Group commit: writes queued during one turn of the event loop are committed together in one
// transaction on setImmediate, and each caller's promise resolves only after that commit. The
// cost of a commit (writing the touched pages to the WAL) is then shared by every call that was
// running at the same time, while "the client saw it ⇒ the row is committed" still holds.
//
// Deferred indexing: neither table written on the hot path has a secondary index. Finished calls
// (entry joined with outcome) move into the indexed audit_records in batches (settle(): at most
// MERGE_DELAY_MS after they are written, at once when MERGE_BATCH are waiting, and before any
// in-process read), so the pages of audit_records' eight indexes are written once per batch
// instead of once per call. Nothing is lost by the delay: audit_finished is committed, and the
// next start moves what a crash left.
import Database from 'better-sqlite3';
import type { AuditDecisionSchema, AuditOutcome, CaptureMode } from '../../shared/audit.ts';
import type { z } from 'zod';
import { AUDIT_SCHEMA_VERSION, AuditMeta, Delivery, auditDbPath, openAuditDatabase, type SqliteDatabase } from './database.ts';
import { AuditIndexes } from './audit-indexes.ts';
import { WalCheckpointer, type CheckpointCounts, type CheckpointResult } from './wal-checkpointer.ts';

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
  /** How the server ran for this session (main/sandbox/sandbox-state.ts); null when unknown. */
  readonly sandbox?: string | null;
  /** The profile of a federated session; null on a server's own endpoint. */
  readonly profile?: string | null;
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
  /** Without the approval wait. */
  readonly durationMs: number | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
  /** How long a person was waited for; null when nobody was asked. */
  readonly approvalWaitMs?: number | null;
  /** The server's lifecycle when the call was decided (main/lifecycle/); null when unknown. */
  readonly lifecycleState?: string | null;
  readonly lifecycleMessage?: string | null;
  readonly lifecycleLatestVersion?: string | null;
  readonly lifecycleReplacement?: string | null;
  /** The proxy span of the call (W3C hex ids) when tracing is on. */
  readonly traceId?: string | null;
  readonly spanId?: string | null;
  /** Content guardrails: rule labels, detector names and flags, each comma-separated; estimated tokens. */
  readonly guardrailRule?: string | null;
  readonly detectors?: string | null;
  readonly guardrailFlags?: string | null;
  readonly estTokensIn?: number | null;
  readonly estTokensOut?: number | null;
  /** The flow guardrail rule that decided (rate limit, breaker, idempotency, cache). */
  readonly guardRule?: string | null;
  readonly replayed?: boolean | null;
  readonly cacheHit?: boolean | null;
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

const ENTRY_COLUMNS = `id, ts, session_id, request_id, server_id, transport, client_name, client_version, client_label,
  method, target, arguments, arguments_truncated, capture_mode, os_user, device_id, sandbox, profile`;
/** The entry columns that are the same for every call of a client session (audit_sessions). */
const SESSION_COLUMNS = 'session_id, server_id, transport, client_name, client_version, client_label, os_user, device_id, sandbox, profile';
const SESSION_SQL = `INSERT INTO audit_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const BEGIN_SQL = `INSERT INTO audit_inflight (id, ts, session_ref, request_id, method, target, arguments, arguments_truncated, capture_mode)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const COMPLETION_COLUMNS = 'decision, rule, source, reason, approver, outcome, error_type, error_message, duration_ms, bytes_in, bytes_out, approval_wait_ms, lifecycle_state, lifecycle_message, lifecycle_latest_version, lifecycle_replacement, trace_id, span_id, guardrail_rule, detectors, guardrail_flags, est_tokens_in, est_tokens_out, guard_rule, replayed, cache_hit';
// seq continues after both tables (audit_finished's rows are newer than every merged one).
const NEXT_SEQ_SQL = 'SELECT coalesce((SELECT max(seq) FROM audit_finished), (SELECT max(seq) FROM audit_records), 0) + 1';
const FINISH_SQL = `INSERT INTO audit_finished (seq, inflight_seq, ${COMPLETION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const sessionColumns = new Set(SESSION_COLUMNS.split(', '));
const MERGE_SQL = `INSERT INTO audit_records (seq, ${ENTRY_COLUMNS}, ${COMPLETION_COLUMNS}, delivery)
  SELECT f.seq, ${ENTRY_COLUMNS.split(',').map((c) => c.trim()).map((c) => `${sessionColumns.has(c) ? 's' : 'i'}.${c}`).join(', ')},
    ${COMPLETION_COLUMNS.split(',').map((c) => `f.${c.trim()}`).join(', ')}, ${Delivery.Pending}
  FROM audit_finished f JOIN audit_inflight i ON i.seq = f.inflight_seq JOIN audit_sessions s ON s.ref = i.session_ref ORDER BY f.seq`;

/**
 * Prepares the move of every row of audit_finished into audit_records (one transaction); it returns
 * how many moved. `index` false leaves out the derived indexes: only for the benchmark's "before".
 */
export function moveFinishedRows(db: SqliteDatabase, index = true): () => number {
  const merge = db.prepare(MERGE_SQL);
  const indexes = index ? new AuditIndexes(db) : null;
  const firstFinished = db.prepare('SELECT min(seq) FROM audit_finished').pluck();
  const endInflight = db.prepare('DELETE FROM audit_inflight WHERE seq IN (SELECT inflight_seq FROM audit_finished)');
  const clear = db.prepare('DELETE FROM audit_finished');
  return db.transaction(() => {
    const from = firstFinished.get() as number | null;
    const moved = merge.run().changes;
    // The moved rows are the newest (audit_finished's seqs follow audit_records'): index them.
    if (moved > 0 && from !== null) indexes?.indexRange(from, Number.MAX_SAFE_INTEGER);
    endInflight.run();
    clear.run();
    return moved;
  });
}

function finishedCount(db: SqliteDatabase): number {
  return (db.prepare('SELECT count(*) AS n FROM audit_finished').get() as { n: number }).n;
}

/**
 * For readers in another process (the CLI) while a daemon may be writing: indexes the rows the
 * daemon has finished but not yet moved, so a list shows every committed call. Leaves the file
 * alone when it cannot be opened for writing or its schema is not this version's; returns how
 * many rows moved.
 */
export function settleAuditFile(path: string): number {
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    if (db.pragma('user_version', { simple: true }) !== AUDIT_SCHEMA_VERSION) return 0;
    const waiting = finishedCount(db);
    return waiting > 0 ? moveFinishedRows(db)() : 0;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** Finished rows wait at most this long before they are indexed. */
export const MERGE_DELAY_MS = 50;
/** This many waiting rows are indexed at once, without waiting for the delay. */
export const MERGE_BATCH = 1000;
/** How often (at most) the WAL is checkpointed, after a merge. */
export const CHECKPOINT_INTERVAL_MS = 1000;

export class AuditStore {
  readonly path: string;
  readonly db: SqliteDatabase;
  readonly meta: AuditMeta;
  private readonly beginStmt: Database.Statement<unknown[]>;
  private readonly sessionStmt: Database.Statement<unknown[]>;
  /** Session id → its row in audit_sessions (with the values it was written with). */
  private readonly sessionRefs = new Map<string | null, SessionRow>();
  /** Session rows written by the transaction now open: forgotten if it rolls back. */
  private newSessions: Array<string | null> = [];
  private readonly finishStmt: Database.Statement<unknown[]>;
  private readonly nextSeqStmt: Database.Statement<unknown[]>;
  /** The seq the next finished call gets: counted here (this store is the file's only writer), read again after any failed write. */
  private nextSeq: number;
  private readonly moveFinished: () => number;
  private queue: Op[] = [];
  /** Rows in audit_finished, not yet in audit_records. */
  private unmerged: number;
  private mergeTimer: NodeJS.Timeout | undefined;
  private lastCheckpointAt = 0;
  private readonly checkpointer: WalCheckpointer;
  private readonly mergeErrorListeners = new Set<(error: Error) => void>();
  private scheduled = false;
  private closed = false;

  constructor(path: string, db: SqliteDatabase = openAuditDatabase(path)) {
    this.path = path;
    this.db = db;
    this.meta = new AuditMeta(db);
    this.beginStmt = db.prepare(BEGIN_SQL);
    this.sessionStmt = db.prepare(SESSION_SQL);
    this.finishStmt = db.prepare(FINISH_SQL);
    this.nextSeqStmt = db.prepare(NEXT_SEQ_SQL).pluck();
    this.nextSeq = this.nextSeqStmt.get() as number;
    this.moveFinished = moveFinishedRows(db);
    this.unmerged = finishedCount(db);
    this.checkpointer = new WalCheckpointer(path, {
      checkpointHere: () => (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointCounts[])[0]!,
    });
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

  /** Called when moving finished rows into audit_records fails (they stay where they are, and are moved later). */
  onMergeError(listener: (error: Error) => void): () => void {
    this.mergeErrorListeners.add(listener);
    return () => this.mergeErrorListeners.delete(listener);
  }

  /**
   * Moves finished rows into the indexed audit_records now, so that a read sees every committed
   * row. In-process readers (queries, outbox, retention) call it first; it costs nothing when
   * there is nothing to move. Returns false when the move failed (see onMergeError).
   */
  settle(): boolean {
    if (this.mergeTimer) {
      clearTimeout(this.mergeTimer);
      this.mergeTimer = undefined;
    }
    if (this.unmerged === 0 || this.closed) return true;
    try {
      this.moveFinished();
      this.unmerged = 0;
      this.checkpointIfDue();
      return true;
    } catch (error) {
      for (const listener of this.mergeErrorListeners) listener(new AuditWriteError(this.path, error));
      this.scheduleMerge();
      return false;
    }
  }

  /**
   * Rows left in flight by a previous run (the daemon stopped mid-call) become `interrupted`
   * and are forwarded. Only the daemon calls this, at start, before serving calls.
   */
  recoverInterrupted(): number {
    const markInterrupted = this.db.transaction(() => {
      const notFinished = 'seq NOT IN (SELECT inflight_seq FROM audit_finished)';
      // Already recorded under its id (cannot happen today; a safety for older files).
      this.db.prepare(`DELETE FROM audit_inflight WHERE ${notFinished} AND id IN (SELECT id FROM audit_records)`).run();
      const stranded = this.db.prepare(`SELECT seq FROM audit_inflight WHERE ${notFinished} ORDER BY seq`).pluck().all() as number[];
      for (const inflightSeq of stranded) {
        this.finishStmt.run(this.nextSeq++, inflightSeq, null, null, null, null, null, 'interrupted', 'daemon_stopped',
          'the daemon stopped before the call finished; its result is unknown', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
      }
      return stranded.length;
    });
    let interrupted: number;
    try {
      interrupted = markInterrupted.immediate();
    } finally {
      this.nextSeq = this.nextSeqStmt.get() as number;
    }
    this.unmerged = finishedCount(this.db);
    this.settle();
    // Sessions of the previous run that no running call refers to any more.
    this.sessionRefs.clear();
    this.db.prepare('DELETE FROM audit_sessions WHERE ref NOT IN (SELECT session_ref FROM audit_inflight)').run();
    return interrupted;
  }

  /** Commits whatever is queued now and indexes it (tests, shutdown). */
  flush(): void {
    this.commit();
    this.settle();
  }

  /** Each finished WAL checkpoint (tests, diagnostics). */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    return this.checkpointer.onCheckpoint(listener);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.checkpointer.close();
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
    const unmergedBefore = this.unmerged;
    try {
      this.db.transaction(() => {
        for (let i = 0; i < ops.length; i++) results[i] = this.apply(ops[i]!);
      })();
      this.newSessions = [];
    } catch {
      this.unmerged = unmergedBefore;
      this.forgetNewSessions();
      this.nextSeq = this.nextSeqStmt.get() as number;
      // Something in the batch failed (disk full, read-only file…): retry each write alone so one
      // bad write does not fail the others; those that fail again are rejected (fail closed).
      for (let i = 0; i < ops.length; i++) {
        try {
          results[i] = this.applyAlone(ops[i]!);
        } catch (error) {
          results[i] = -1;
          ops[i]!.reject(new AuditWriteError(this.path, error));
        }
      }
    }
    for (let i = 0; i < ops.length; i++) if (results[i]! >= 0) ops[i]!.resolve(results[i]!);
    if (this.unmerged >= MERGE_BATCH) this.settle();
    else if (this.unmerged > 0) this.scheduleMerge();
  }

  /**
   * Copies the WAL into the database file at most once per CHECKPOINT_INTERVAL_MS, after a merge
   * rather than inside a call's commit (SQLite's automatic checkpoint, left only as a backstop at
   * a much larger WAL, would run in whichever commit crosses the threshold), and on a worker
   * thread (WalCheckpointer) so that its fsyncs do not stall the event loop. PASSIVE never waits
   * for readers such as the CLI.
   */
  private checkpointIfDue(): void {
    const now = Date.now();
    if (now - this.lastCheckpointAt < CHECKPOINT_INTERVAL_MS) return;
    this.lastCheckpointAt = now;
    this.checkpointer.request();
  }

  private scheduleMerge(): void {
    if (this.mergeTimer || this.closed) return;
    this.mergeTimer = setTimeout(() => {
      this.mergeTimer = undefined;
      this.settle();
    }, MERGE_DELAY_MS);
    this.mergeTimer.unref();
  }

  /** One op in its own transaction: a complete row (`record`) is two statements, both or neither. */
  private applyAlone(op: Op): number {
    const before = this.unmerged;
    try {
      const seq = this.db.transaction(() => this.apply(op))();
      this.newSessions = [];
      return seq;
    } catch (error) {
      this.unmerged = before;
      this.forgetNewSessions();
      this.nextSeq = this.nextSeqStmt.get() as number;
      throw error;
    }
  }

  private forgetNewSessions(): void {
    for (const sessionId of this.newSessions) this.sessionRefs.delete(sessionId);
    this.newSessions = [];
  }

  private apply(op: Op): number {
    if (op.kind === 'begin') return this.insertEntry(op.entry);
    const inflightSeq = op.kind === 'finish' ? op.call.inflightSeq : this.insertEntry(op.entry);
    const c = op.completion;
    const seq = this.nextSeq++;
    this.finishStmt.run(
      seq, inflightSeq, c.decision, c.rule, c.source, c.reason, c.approver, c.outcome, c.errorType, c.errorMessage, c.durationMs, c.bytesIn, c.bytesOut,
      c.approvalWaitMs ?? null, c.lifecycleState ?? null, c.lifecycleMessage ?? null, c.lifecycleLatestVersion ?? null, c.lifecycleReplacement ?? null, c.traceId ?? null, c.spanId ?? null, c.guardrailRule ?? null, c.detectors ?? null, c.guardrailFlags ?? null, c.estTokensIn ?? null, c.estTokensOut ?? null, c.guardRule ?? null, flag(c.replayed), flag(c.cacheHit),
    );
    this.unmerged++;
    return seq;
  }

  private insertEntry(e: AuditEntry): number {
    return Number(this.beginStmt.run(
      e.id, e.time, this.sessionRef(e), e.requestId, e.method, e.target, e.arguments, e.argumentsTruncated ? 1 : 0, e.captureMode,
    ).lastInsertRowid);
  }

  /** The audit_sessions row of the entry's session, written on its first call (in the open transaction). */
  private sessionRef(e: AuditEntry): number {
    const known = this.sessionRefs.get(e.sessionId);
    if (known !== undefined && sameSession(known, e)) return known.ref;
    const ref = Number(this.sessionStmt.run(
      e.sessionId, e.serverId, e.transport, e.clientName, e.clientVersion, e.clientLabel, e.osUser, e.deviceId, e.sandbox ?? null, e.profile ?? null,
    ).lastInsertRowid);
    if (this.sessionRefs.size >= MAX_CACHED_SESSIONS) this.sessionRefs.clear();
    this.sessionRefs.set(e.sessionId, { ref, serverId: e.serverId, transport: e.transport, clientName: e.clientName, clientVersion: e.clientVersion, clientLabel: e.clientLabel, osUser: e.osUser, deviceId: e.deviceId, sandbox: e.sandbox ?? null, profile: e.profile ?? null });
    this.newSessions.push(e.sessionId);
    return ref;
  }
}

/** Sessions remembered at most (a forgotten one is written again on its next call). */
const MAX_CACHED_SESSIONS = 4096;

interface SessionRow {
  readonly ref: number;
  readonly serverId: string;
  readonly transport: string | null;
  readonly clientName: string | null;
  readonly clientVersion: string | null;
  readonly clientLabel: string | null;
  readonly osUser: string | null;
  readonly deviceId: string | null;
  readonly sandbox: string | null;
  readonly profile: string | null;
}

function sameSession(row: SessionRow, e: AuditEntry): boolean {
  return row.serverId === e.serverId && row.transport === e.transport && row.clientName === e.clientName && row.clientVersion === e.clientVersion
    && row.clientLabel === e.clientLabel && row.osUser === e.osUser && row.deviceId === e.deviceId && row.sandbox === (e.sandbox ?? null) && row.profile === (e.profile ?? null);
}

function flag(value: boolean | null | undefined): number | null {
  return value === undefined || value === null ? null : value ? 1 : 0;
}
