// The derived indexes of migration 11 (full text + rollups) against direct computations over the
// rows of a real SQLite file: search semantics, stats/timeline/count/Health answers, retention, and
// the upgrade of a file that had rows before the migration.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditQueries } from '../../../main/audit/audit-queries.ts';
import { AuditOutbox } from '../../../main/audit/audit-outbox.ts';
import { AuditRetention } from '../../../main/audit/audit-retention.ts';
import { AuditIndexes } from '../../../main/audit/audit-indexes.ts';
import { HealthQueries } from '../../../main/audit/health-queries.ts';
import { PERCENTILE_RELATIVE_ERROR } from '../../../main/audit/latency-bins.ts';
import { AuditStore, type AuditCompletion, type AuditEntry } from '../../../main/audit/store.ts';
import { AUDIT_SCHEMA_VERSION, MIGRATIONS, auditDbPath } from '../../../main/audit/database.ts';
import { newRecordId } from '../../../main/audit/record-id.ts';
import type { AuditRow } from '../../../main/audit/audit-queries.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Not aligned to an hour, so every range has partial hours at its ends.
const T0 = 1_750_000_000_000 + 1_234_567;
const ROWS = 1500;
const STEP = 211_000; // ~3.7 days in all
const TOOLS = ['create_issue', 'list_issues', 'read_file', 'write_file', 'query'];
const SERVERS = ['github', 'files', 'postgres'];
const CLIENTS = ['cursor', 'claude-desktop', 'zed'];

let dir: string;
let store: AuditStore;

function entry(i: number): AuditEntry {
  return {
    id: newRecordId(T0 + i * STEP), time: T0 + i * STEP, sessionId: `s${i % 7}`, requestId: String(i), serverId: SERVERS[i % 3]!,
    transport: 'socket', clientName: CLIENTS[(i >> 1) % 3]!, clientVersion: '1', clientLabel: i % 4 === 0 ? 'ci-token' : 'bridge',
    method: 'tools/call', target: i % 50 === 0 ? null : TOOLS[(i * 7) % 5]!, arguments: null, argumentsTruncated: false, captureMode: 'none', osUser: 'u', deviceId: 'd',
  };
}

function done(i: number): AuditCompletion {
  const outcome = i % 17 === 0 ? 'denied' : i % 11 === 0 ? 'tool_error' : i % 23 === 0 ? 'timeout' : 'ok';
  const approvedBefore4 = i % 29 === 0; // approved, wait unknown: no latency
  return {
    decision: outcome === 'denied' ? 'deny' : approvedBefore4 ? 'ask' : 'allow', rule: outcome === 'denied' ? 'deny github/delete_*' : 'default', source: 'managed',
    reason: null, approver: approvedBefore4 ? 'user:allow-once' : null, outcome,
    errorType: outcome === 'tool_error' ? 'tool_error' : null,
    errorMessage: outcome === 'tool_error' ? `Permission denied for relation Invoices_${i % 3} (100%_off)` : outcome === 'timeout' ? 'no answer within 30000 ms' : null,
    // Spread over four decades, with repeats.
    durationMs: outcome === 'denied' ? 0.04 : Math.round(((i * 7919) % 10_007) ** 1.3) / 100 + (i % 3) / 10, bytesIn: 1, bytesOut: 2,
    approvalWaitMs: null,
  };
}

async function write(from: number, to: number, target: AuditStore = store): Promise<void> {
  await Promise.all(Array.from({ length: to - from }, (_, k) => target.record(entry(from + k), done(from + k))));
  target.settle();
}

function rows(db: Database.Database = store.db): AuditRow[] {
  return db.prepare('SELECT * FROM audit_records ORDER BY seq').all() as AuditRow[];
}

/** The Activity search as it was: a case-insensitive (ASCII) LIKE over four columns. */
function likeMatches(all: AuditRow[], text: string): string[] {
  const t = text.toLowerCase();
  return all.filter((r) => [r.target, r.error_message, r.rule, r.server_id].some((v) => v !== null && v.toLowerCase().includes(t)))
    .map((r) => r.id).reverse();
}

function latency(r: AuditRow): number | null {
  return r.outcome === 'pending' || (r.approver !== null && r.approval_wait_ms == null) ? null : r.duration_ms;
}

function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function expectClose(actual: number | null, exact: number | null): void {
  if (exact === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact)).toBeLessThanOrEqual(exact * PERCENTILE_RELATIVE_ERROR + 0.05 + 1e-9);
}

interface Filter { since?: number; until?: number; serverId?: string; client?: string; outcome?: string; decision?: string }

function select(all: AuditRow[], f: Filter): AuditRow[] {
  return all.filter((r) => (f.since === undefined || r.ts >= f.since) && (f.until === undefined || r.ts < f.until)
    && (f.serverId === undefined || r.server_id === f.serverId) && (f.client === undefined || r.client_name === f.client || r.client_label === f.client)
    && (f.outcome === undefined || r.outcome === f.outcome) && (f.decision === undefined || r.decision === f.decision));
}

/** Stats as a direct computation over the rows. */
function directStats(all: AuditRow[], f: Filter, groupBy: 'tool' | 'server') {
  const groups = new Map<string, AuditRow[]>();
  for (const r of select(all, f)) {
    const key = `${r.server_id}/${groupBy === 'tool' ? r.target : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return new Map([...groups].map(([key, list]) => {
    const lat = list.map(latency).filter((v): v is number => v !== null);
    return [key, {
      count: list.length, errors: list.filter((r) => !['ok', 'denied', 'pending'].includes(r.outcome)).length, denied: list.filter((r) => r.outcome === 'denied').length,
      p50: nearestRank(lat, 0.5), p95: nearestRank(lat, 0.95), p99: nearestRank(lat, 0.99), max: lat.length ? Math.max(...lat) : null,
    }];
  }));
}

/** Every answer the rollups give, compared with the same answer computed from the rows. */
function checkAgainstRows(db: Database.Database): void {
  const all = rows(db);
  const queries = new AuditQueries(db);
  const health = new HealthQueries(db, { beforeRead: () => undefined });
  const lastTs = all[all.length - 1]!.ts;
  const filters: Filter[] = [
    {},
    { since: T0 + 5 * HOUR + 777 },
    { since: T0 + 10 * HOUR + 1, until: lastTs - 7 * HOUR - 5 },
    { since: T0 + DAY + 3, serverId: 'github' },
    { since: T0 + 2 * HOUR, client: 'ci-token' },
    { since: T0 + 2 * HOUR, client: 'zed', outcome: 'tool_error' },
    { until: T0 + 2 * DAY + 9, decision: 'ask' },
  ];
  for (const f of filters) {
    for (const groupBy of ['tool', 'server'] as const) {
      const expected = directStats(all, f, groupBy);
      const actual = queries.stats({ ...f, groupBy } as Parameters<AuditQueries['stats']>[0]);
      expect(actual.length).toBe(expected.size);
      for (const row of actual) {
        const e = expected.get(`${row.serverId}/${groupBy === 'tool' ? row.tool : ''}`)!;
        expect({ filter: f, count: row.count, errors: row.errors, denied: row.denied, max: row.maxMs })
          .toEqual({ filter: f, count: e.count, errors: e.errors, denied: e.denied, max: e.max });
        expectClose(row.p50Ms, e.p50);
        expectClose(row.p95Ms, e.p95);
        expectClose(row.p99Ms, e.p99);
      }
    }
    expect(queries.count(f as Parameters<AuditQueries['count']>[0])).toBe(select(all, f).length);
    for (const bucketMs of [HOUR, 6 * HOUR, DAY, 60_000]) {
      const expected = new Map<number, { start: number; count: number; errors: number; denied: number }>();
      for (const r of select(all, f)) {
        const start = Math.floor(r.ts / bucketMs) * bucketMs;
        const b = expected.get(start) ?? { start, count: 0, errors: 0, denied: 0 };
        b.count++;
        if (r.outcome === 'denied') b.denied++;
        else if (r.outcome !== 'ok' && r.outcome !== 'pending') b.errors++;
        expected.set(start, b);
      }
      expect(queries.timeline({ ...f, bucketMs } as Parameters<AuditQueries['timeline']>[0])).toEqual([...expected.values()].sort((a, b) => a.start - b.start));
    }
  }
  // Health: per tool, and one window with an edge threshold (exact) and a glob.
  const since = T0 + 3 * HOUR + 5;
  const tools = health.tools({ sinceMs: since });
  const expected = directStats(all, { since }, 'tool');
  expect(tools.length).toBe(expected.size);
  for (const t of tools) {
    const list = select(all, { since, serverId: t.serverId }).filter((r) => r.target === t.tool);
    expect(t.calls).toBe(list.length);
    expect(t.ok).toBe(list.filter((r) => r.outcome === 'ok').length);
    const errors: Record<string, number> = {};
    for (const r of list) if (r.outcome !== 'ok') errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
    expect(t.errors).toEqual(errors);
    expect(t.authFailures).toBe(0);
    const e = expected.get(`${t.serverId}/${t.tool}`)!;
    expectClose(t.p50, e.p50);
    expectClose(t.p95, e.p95);
    expectClose(t.p99, e.p99);
  }
  const windowRows = select(all, { since: T0 + 7 * HOUR + 13, serverId: 'files' }).filter((r) => r.target !== null && /^(read|write)_/.test(r.target));
  expect(health.window({ serverId: 'files', toolGlob: '*_file', sinceMs: T0 + 7 * HOUR + 13, thresholdMs: 500 })).toEqual({
    calls: windowRows.length,
    failed: windowRows.filter((r) => r.outcome !== 'ok' && r.outcome !== 'denied').length,
    slowerThan: windowRows.filter((r) => (latency(r) ?? 0) > 500).length,
  });
}

/** The rollup tables hold exactly what a recomputation from the rows gives. */
function checkRollupTables(db: Database.Database): void {
  const recomputed = (bucketMs: number, keys: string[]) => db.prepare(`SELECT ts / ${bucketMs} AS bucket, ${keys.map((k) => `ifnull(${k}, '') AS ${k}`).join(', ')},
    count(*) AS calls, count(lat) AS lat_n, min(lat) AS lat_min, max(lat) AS lat_max FROM (SELECT *, CASE WHEN outcome = 'pending' OR (approver IS NOT NULL AND approval_wait_ms IS NULL)
    THEN NULL ELSE duration_ms END AS lat FROM audit_records) GROUP BY ${Array.from({ length: keys.length + 1 }, (_, i) => i + 1).join(', ')} ORDER BY ${Array.from({ length: keys.length + 1 }, (_, i) => i + 1).join(', ')}`).all();
  const stored = (table: string, keys: string[]) => db.prepare(`SELECT bucket, ${keys.join(', ')}, calls, lat_n, lat_min, lat_max FROM ${table}
    ORDER BY ${Array.from({ length: keys.length + 1 }, (_, i) => i + 1).join(', ')}`).all();
  const coarse = ['server_id', 'target', 'outcome'];
  expect(stored('audit_rollup', coarse)).toEqual(recomputed(HOUR, coarse));
  expect(stored('audit_rollup_day', coarse)).toEqual(recomputed(DAY, coarse));
  const detail = [...coarse, 'client_name', 'client_label', 'decision'];
  expect(stored('audit_rollup_client', detail)).toEqual(recomputed(HOUR, detail));
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-idx-'));
  store = new AuditStore(auditDbPath(dir));
  await write(0, ROWS);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('full-text search (audit_text, trigram)', () => {
  it('finds what the LIKE search found: substrings, partial words, any case, nothing for a miss', () => {
    const queries = new AuditQueries(store.db);
    const all = rows();
    const search = (text: string) => {
      const found: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = queries.list({ text, limit: 200, ...(cursor ? { cursor } : {}) });
        found.push(...page.records.map((r) => r.id));
        if (!page.nextCursor) return found;
        cursor = page.nextCursor;
      }
    };
    for (const text of ['ermission denied', 'INVOICES_2', 'invoices_', 'ssue', 'create_issue', 'githu', 'delete_*', '100%_off', 'no answer within', 'o', 'ti', 'nothing-like-this', '"quoted"']) {
      const expected = likeMatches(all, text);
      expect({ text, found: search(text) }).toEqual({ text, found: expected });
    }
    expect(likeMatches(all, 'ermission denied').length).toBeGreaterThan(10);
    // The index answers terms of 3+ characters (a full scan would give the same ids: make sure it is used).
    const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT audit_records.* FROM audit_text JOIN audit_records ON audit_records.seq = audit_text.rowid WHERE audit_text MATCH ? ORDER BY audit_text.rowid DESC').all('"x"') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/VIRTUAL TABLE INDEX/);
    // Stats, timeline, count and export with free text see the same rows.
    const term = 'ermission';
    const matching = all.filter((r) => likeMatches([r], term).length > 0);
    expect(queries.count({ text: term })).toBe(matching.length);
    expect([...queries.iterate({ text: term })].map((r) => r.id)).toEqual(matching.map((r) => r.id));
    expect(queries.stats({ text: term, groupBy: 'server' }).reduce((n, s) => n + s.count, 0)).toBe(matching.length);
  });
});

describe('rollups', () => {
  it('answer stats, timeline, count and Health as a direct computation over the rows does (percentiles within the stated bound)', () => {
    checkRollupTables(store.db);
    checkAgainstRows(store.db);
  });

  it('stay consistent with retention deletes, and the search forgets deleted rows', () => {
    const retention = new AuditRetention(store.db, new AuditOutbox(store.db), 97);
    const all = rows();
    // Cut in the middle of an hour, with several chunks.
    const cutoff = all[Math.floor(ROWS / 3)]!.ts + 1;
    const { deleted } = retention.prune({ maxAgeMs: 10 * DAY }, cutoff + 10 * DAY);
    expect(deleted).toBe(all.filter((r) => r.ts < cutoff).length);
    checkRollupTables(store.db);
    checkAgainstRows(store.db);
    const left = rows();
    expect((store.db.prepare('SELECT count(*) FROM audit_text').pluck().get() as number)).toBe(left.length);
    const queries = new AuditQueries(store.db);
    for (const text of ['Invoices_1', 'ssue', 'no answer']) expect(queries.list({ text, limit: 1000 }).records.map((r) => r.id)).toEqual(likeMatches(left, text));
  });
});

describe('migration 11 on a file with rows', () => {
  it('starts at once, answers from the rows until the backfill is done, then from the indexes, with new calls merged meanwhile', async () => {
    // A file from just before the derived indexes (the last migration).
    const file = join(dir, 'before-indexes.db');
    const old = new Database(file);
    const before = MIGRATIONS.length - 1;
    for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    const columns = Object.keys(rows()[0]!).filter((c) => c !== 'seq');
    const insert = old.prepare(`INSERT INTO audit_records (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    const existing = rows().slice(0, 1000);
    old.transaction(() => { for (const r of existing) insert.run(r); })();
    old.close();

    const upgraded = new AuditStore(file);
    try {
      expect(upgraded.db.pragma('user_version', { simple: true })).toBe(AUDIT_SCHEMA_VERSION);
      const indexes = new AuditIndexes(upgraded.db);
      expect(indexes.isComplete()).toBe(false);
      checkAgainstRows(upgraded.db);
      const queries = new AuditQueries(upgraded.db);
      expect(queries.list({ text: 'ermission', limit: 1000 }).records.map((r) => r.id)).toEqual(likeMatches(rows(upgraded.db), 'ermission'));

      // Steps, with new calls arriving between them.
      expect(indexes.backfillStep(300)).toBe(300);
      await write(1000, 1200, upgraded);
      checkAgainstRows(upgraded.db);
      let steps = 0;
      while (indexes.backfillStep(300) > 0) steps++;
      expect(steps).toBe(3);
      expect(indexes.isComplete()).toBe(true);
      checkRollupTables(upgraded.db);
      checkAgainstRows(upgraded.db);
      expect(queries.list({ text: 'ermission', limit: 1000 }).records.map((r) => r.id)).toEqual(likeMatches(rows(upgraded.db), 'ermission'));
    } finally {
      upgraded.close();
    }
  });
});
