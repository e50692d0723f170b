// Read side of the audit store for the UI and the CLI: filtered keyset pages (newest first),
// per-server/tool counts with latency percentiles, and time buckets for charts.
//
// Ordering is by seq (the rowid, insertion order). Every single-column index ends in the rowid,
// so a filter plus "seq < cursor ORDER BY seq DESC" is one index range walk. A time range is
// turned into a seq range with two O(log n) lookups on the ts index, relying on rows being
// inserted in time order; `ts` is also checked on each row so a clock step cannot leak rows in.
//
// Free text is a case-insensitive substring of a few short columns (target, error, rule, server).
// Terms of 3 characters or more are looked up in the trigram full-text index audit_text (migration
// 6), walked newest first by rowid (= seq) and stopped at the page size. Same matches as the LIKE
// it replaces, except that case folding now covers non-ASCII letters too (LIKE folded only A-Z).
// Shorter terms, and every term while the index is still being built for an upgraded database,
// use that LIKE, walked newest first (a term that matches nothing walks the whole filtered range).
//
// Stats, timeline and counts without free text read the hourly rollups for the whole hours of the
// range and the rows for the partial hours at its ends (rollup-reader.ts): counts are exact,
// percentiles within 9.6% (latency-bins.ts). A timeline bucket that is not a multiple of an hour,
// or a range without a whole hour, reads rows only.
import type Database from 'better-sqlite3';
import {
  AuditFilterSchema, AuditQuerySchema, AuditStatsQuerySchema, AuditTimelineQuerySchema,
  type AuditFilter, type AuditPage, type AuditQuery, type AuditRecord, type AuditStatsQuery, type AuditStatsRow,
  type AuditTimelineBucket, type AuditTimelineQuery, type CaptureMode,
} from '../../shared/audit.ts';
import { DELIVERY_NAMES, type SqliteDatabase } from './database.ts';
import { RollupReader, isError } from './rollup-reader.ts';
import { addSummary, emptySummary, percentileOf, type LatencySummary } from './latency-bins.ts';

export interface AuditRow {
  seq: number;
  id: string;
  ts: number;
  session_id: string | null;
  request_id: string | null;
  server_id: string;
  transport: string | null;
  client_name: string | null;
  client_version: string | null;
  client_label: string | null;
  method: string;
  target: string | null;
  arguments: string | null;
  arguments_truncated: number;
  capture_mode: string | null;
  decision: string | null;
  rule: string | null;
  source: string | null;
  reason: string | null;
  approver: string | null;
  outcome: string;
  error_type: string | null;
  error_message: string | null;
  duration_ms: number | null;
  bytes_in: number | null;
  bytes_out: number | null;
  /** Absent in rows of readers that select fixed columns. */
  approval_wait_ms?: number | null;
  /** Null for rows written before migration 7 or with tracing off. */
  trace_id?: string | null;
  span_id?: string | null;
  os_user: string | null;
  device_id: string | null;
  /** Null for rows written before migration 4. */
  sandbox?: string | null;
  /** Null for rows written before migration 6, or when the server's lifecycle was unknown. */
  lifecycle_state?: string | null;
  lifecycle_message?: string | null;
  lifecycle_latest_version?: string | null;
  lifecycle_replacement?: string | null;
  /** Null for rows written before migration 8. */
  guardrail_rule?: string | null;
  detectors?: string | null;
  guardrail_flags?: string | null;
  est_tokens_in?: number | null;
  est_tokens_out?: number | null;
  /** Null for rows written before migration 9. */
  guard_rule?: string | null;
  replayed?: number | null;
  cache_hit?: number | null;
  /** Null for rows written before migration 10 and for sessions on a server's own endpoint. */
  profile?: string | null;
  delivery: number;
}

export function rowToRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    time: row.ts,
    sessionId: row.session_id,
    requestId: row.request_id,
    serverId: row.server_id,
    transport: row.transport,
    clientName: row.client_name,
    clientVersion: row.client_version,
    clientLabel: row.client_label,
    method: row.method,
    target: row.target,
    arguments: row.arguments,
    argumentsTruncated: row.arguments_truncated === 1,
    captureMode: row.capture_mode as CaptureMode | null,
    decision: row.decision as AuditRecord['decision'],
    rule: row.rule,
    source: row.source,
    reason: row.reason,
    approver: row.approver,
    outcome: row.outcome as AuditRecord['outcome'],
    errorType: row.error_type,
    errorMessage: row.error_message,
    durationMs: row.duration_ms,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    approvalWaitMs: row.approval_wait_ms ?? null,
    osUser: row.os_user,
    deviceId: row.device_id,
    sandbox: row.sandbox ?? null,
    lifecycleState: row.lifecycle_state ?? null,
    lifecycleMessage: row.lifecycle_message ?? null,
    lifecycleLatestVersion: row.lifecycle_latest_version ?? null,
    lifecycleReplacement: row.lifecycle_replacement ?? null,
    guardrailRule: row.guardrail_rule ?? null,
    detectors: row.detectors ?? null,
    guardrailFlags: row.guardrail_flags ?? null,
    estTokensIn: row.est_tokens_in ?? null,
    estTokensOut: row.est_tokens_out ?? null,
    guardRule: row.guard_rule ?? null,
    replayed: row.replayed === undefined || row.replayed === null ? null : row.replayed === 1,
    cacheHit: row.cache_hit === undefined || row.cache_hit === null ? null : row.cache_hit === 1,
    profile: row.profile ?? null,
    delivery: DELIVERY_NAMES[row.delivery] ?? 'pending',
  };
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`unknown cursor "${cursor}" (the record may have been pruned); start again without a cursor`);
    this.name = 'InvalidCursorError';
  }
}

interface Where {
  /** The FROM clause: audit_records, joined with audit_text for a full-text search. */
  from: string;
  /** The expression of the row's seq (audit_text.rowid in a full-text search, so the index walks in order). */
  seq: string;
  sql: string;
  params: unknown[];
}

const FTS_FROM = 'audit_text JOIN audit_records ON audit_records.seq = audit_text.rowid';
/** The trigram index finds substrings of at least this many characters. */
const MIN_FTS_CHARS = 3;

export class AuditQueries {
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly beforeRead: () => void;
  private readonly rollups: RollupReader;

  /** `beforeRead` runs before each query: the daemon passes AuditStore.settle, so reads see every committed row. */
  constructor(db: SqliteDatabase, options: { beforeRead?: () => void } = {}) {
    this.db = db;
    this.beforeRead = options.beforeRead ?? (() => undefined);
    this.rollups = new RollupReader(db);
  }

  get(id: string): AuditRecord | null {
    const row = this.stmt('SELECT * FROM audit_records WHERE id = ?').get(id) as AuditRow | undefined;
    return row ? rowToRecord(row) : null;
  }

  list(query: AuditQuery): AuditPage {
    const q = AuditQuerySchema.parse(query);
    const where = this.where(q);
    if (where === null) return { records: [], nextCursor: null };
    if (q.cursor !== undefined) {
      const seq = this.seqOf(q.cursor);
      where.sql += ` AND ${where.seq} < ?`;
      where.params.push(seq);
    }
    const rows = this.stmt(`SELECT audit_records.* FROM ${where.from} WHERE ${where.sql} ORDER BY ${where.seq} DESC LIMIT ?`).all(...where.params, q.limit + 1) as AuditRow[];
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return { records: page.map(rowToRecord), nextCursor: more ? page[page.length - 1]!.id : null };
  }

  /** Up to `limit` matching records oldest first, after the record `cursor` (export chunks). */
  listAscending(filter: AuditFilter, limit: number, cursor?: string): AuditRecord[] {
    const where = this.where(AuditFilterSchema.parse(filter));
    if (where === null) return [];
    if (cursor !== undefined) {
      where.sql += ` AND ${where.seq} > ?`;
      where.params.push(this.seqOf(cursor));
    }
    const rows = this.stmt(`SELECT audit_records.* FROM ${where.from} WHERE ${where.sql} ORDER BY ${where.seq} ASC LIMIT ?`).all(...where.params, limit) as AuditRow[];
    return rows.map(rowToRecord);
  }

  /** Streams matching rows oldest first, for export; the caller must finish or return the iterator. */
  *iterate(filter: AuditFilter = {}): Generator<AuditRecord> {
    const f = AuditFilterSchema.parse(filter);
    const where = this.where(f);
    if (where === null) return;
    this.beforeRead();
    const stmt = this.db.prepare(`SELECT audit_records.* FROM ${where.from} WHERE ${where.sql} ORDER BY ${where.seq} ASC`);
    for (const row of stmt.iterate(...where.params) as IterableIterator<AuditRow>) yield rowToRecord(row);
  }

  stats(query: AuditStatsQuery): AuditStatsRow[] {
    const q = AuditStatsQuerySchema.parse(query);
    if (this.rollupsServe(q)) return this.statsFromRollups(q);
    const where = this.where(q);
    if (where === null) return [];
    const byTool = q.groupBy === 'tool';
    // Latency leaves out waits for approval: duration_ms does since migration 4; an approved row
    // written before (approver set, no wait recorded) has it mixed in, so it is left out.
    const sql = `SELECT server_id, ${byTool ? 'target' : 'NULL'} AS target, outcome,
      CASE WHEN approver IS NOT NULL AND approval_wait_ms IS NULL THEN NULL ELSE duration_ms END FROM ${where.from} WHERE ${where.sql}`;
    const groups = new Map<string, { serverId: string; tool: string | null; count: number; errors: number; denied: number; durations: number[] }>();
    for (const row of this.stmt(sql).raw(true).iterate(...where.params) as IterableIterator<[string, string | null, string, number | null]>) {
      const key = `${row[0]}\u0000${row[1] ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = { serverId: row[0], tool: row[1], count: 0, errors: 0, denied: 0, durations: [] };
        groups.set(key, group);
      }
      group.count++;
      if (row[2] === 'denied') group.denied++;
      else if (row[2] !== 'ok' && row[2] !== 'pending') group.errors++;
      if (row[3] !== null && row[2] !== 'pending') group.durations.push(row[3]);
    }
    return [...groups.values()]
      .map((g) => {
        const sorted = Float64Array.from(g.durations).sort();
        return {
          serverId: g.serverId, tool: g.tool, count: g.count, errors: g.errors, denied: g.denied,
          p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), p99Ms: percentile(sorted, 0.99),
          maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
        };
      })
      .sort((a, b) => b.count - a.count);
  }

  timeline(query: AuditTimelineQuery): AuditTimelineBucket[] {
    const q = AuditTimelineQuerySchema.parse(query);
    if (q.bucketMs % 3_600_000 === 0 && this.rollupsServe(q)) return this.rollups.buckets(q, q.bucketMs);
    const where = this.where(q);
    if (where === null) return [];
    const sql = `SELECT (ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start, count(*) AS count,
      sum(outcome NOT IN ('ok', 'denied', 'pending')) AS errors, sum(outcome = 'denied') AS denied
      FROM ${where.from} WHERE ${where.sql} GROUP BY start ORDER BY start`;
    return this.stmt(sql).all(q.bucketMs, q.bucketMs, ...where.params) as AuditTimelineBucket[];
  }

  count(filter: AuditFilter = {}): number {
    const f = AuditFilterSchema.parse(filter);
    if (this.rollupsServe(f)) return this.rollups.groups(f, 'server', { useRollups: true }).reduce((n, g) => n + g.calls, 0);
    const where = this.where(f);
    if (where === null) return 0;
    return (this.stmt(`SELECT count(*) AS n FROM ${where.from} WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  private seqOf(id: string): number {
    const row = this.stmt('SELECT seq FROM audit_records WHERE id = ?').get(id) as { seq: number } | undefined;
    if (!row) throw new InvalidCursorError(id);
    return row.seq;
  }

  /** Null when the time range holds no rows at all. */
  private where(f: AuditFilter): Where | null {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const fts = f.text !== undefined && [...f.text].length >= MIN_FTS_CHARS && this.rollups.ready();
    const seq = fts ? 'audit_text.rowid' : 'seq';
    if (f.since !== undefined) {
      const first = this.stmt('SELECT seq FROM audit_records WHERE ts >= ? ORDER BY ts ASC LIMIT 1').get(f.since) as { seq: number } | undefined;
      if (!first) return null;
      clauses.push(`${seq} >= ? AND ts >= ?`);
      params.push(first.seq, f.since);
    }
    if (f.until !== undefined) {
      const last = this.stmt('SELECT seq FROM audit_records WHERE ts < ? ORDER BY ts DESC LIMIT 1').get(f.until) as { seq: number } | undefined;
      if (!last) return null;
      clauses.push(`${seq} <= ? AND ts < ?`);
      params.push(last.seq, f.until);
    }
    if (f.serverId !== undefined) { clauses.push('server_id = ?'); params.push(f.serverId); }
    if (f.tool !== undefined) { clauses.push('target = ?'); params.push(f.tool); }
    if (f.client !== undefined) { clauses.push('(client_name = ? OR client_label = ?)'); params.push(f.client, f.client); }
    // The outcome and decision indexes leave out 'ok' and 'allow' rows (database.ts, migration 3);
    // SQLite uses a partial index only when the query states its condition in so many words.
    if (f.decision !== undefined) { clauses.push(f.decision === 'allow' ? 'decision = ?' : "decision = ? AND decision <> 'allow'"); params.push(f.decision); }
    if (f.outcome !== undefined) { clauses.push(f.outcome === 'ok' ? 'outcome = ?' : "outcome = ? AND outcome <> 'ok'"); params.push(f.outcome); }
    if (fts) {
      // A phrase of trigrams: the term as a substring of one of the columns.
      clauses.push('audit_text MATCH ?');
      params.push(`"${f.text!.replace(/"/g, '""')}"`);
    } else if (f.text !== undefined) {
      const like = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push("(target LIKE ? ESCAPE '\\' OR error_message LIKE ? ESCAPE '\\' OR rule LIKE ? ESCAPE '\\' OR server_id LIKE ? ESCAPE '\\')");
      params.push(like, like, like, like);
    }
    return { from: fts ? FTS_FROM : 'audit_records', seq, sql: clauses.length ? clauses.join(' AND ') : '1', params };
  }

  /** The rollups can answer: no free text, the derived indexes are complete, and the range has a whole hour. */
  private rollupsServe(f: AuditFilter): boolean {
    this.beforeRead();
    return f.text === undefined && RollupReader.coversWholeHours(f.since, f.until) && this.rollups.ready();
  }

  private statsFromRollups(q: AuditFilter & { groupBy: 'server' | 'tool' }): AuditStatsRow[] {
    const rows = new Map<string, { serverId: string; tool: string | null; count: number; errors: number; denied: number; latency: LatencySummary }>();
    for (const g of this.rollups.groups(q, q.groupBy, { useRollups: true })) {
      const key = `${g.serverId}\u0000${g.tool ?? '\u0001'}`;
      let row = rows.get(key);
      if (!row) {
        row = { serverId: g.serverId, tool: g.tool, count: 0, errors: 0, denied: 0, latency: emptySummary() };
        rows.set(key, row);
      }
      row.count += g.calls;
      if (g.outcome === 'denied') row.denied += g.calls;
      else if (isError(g.outcome)) row.errors += g.calls;
      addSummary(row.latency, g.latency);
    }
    return [...rows.values()]
      .map((r) => ({
        serverId: r.serverId, tool: r.tool, count: r.count, errors: r.errors, denied: r.denied,
        p50Ms: percentileOf(r.latency, 0.5), p95Ms: percentileOf(r.latency, 0.95), p99Ms: percentileOf(r.latency, 0.99), maxMs: r.latency.max,
      }))
      .sort((a, b) => b.count - a.count);
  }

  private stmt(sql: string): Database.Statement {
    this.beforeRead();
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index]!;
}
