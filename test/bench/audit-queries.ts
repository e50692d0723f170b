// Every Activity and Health query over a 1,000,000-row audit (AUDIT_QUERY_BENCH_ROWS), against the
// 50 ms goal; the merge throughput with the derived indexes (full text + rollups) and without; and
// the upgrade of a 1M-row file to migration 6 (its start, and the backfill steps that follow).
// Called by test/bench/run.ts; runnable alone: `node test/bench/audit-queries.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditQueries } from '../../main/audit/audit-queries.ts';
import { HealthQueries } from '../../main/audit/health-queries.ts';
import { AuditIndexes } from '../../main/audit/audit-indexes.ts';
import { MIGRATIONS, openAuditDatabase, type SqliteDatabase } from '../../main/audit/database.ts';
import { BACKFILL_STEP_ROWS } from '../../main/audit/index-backfill.ts';
import { AuditSeeder } from './audit-seed.ts';

export interface BenchResult { name: string; value: number; unit: string; goal?: string }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GOAL = '< 50';

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The median of `runs` timings of `run` (the first call, which prepares statements, is left out). */
function timed(run: () => unknown, runs = 5): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(elapsedMs(start));
  }
  return round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
}

/** Merge throughput (calls/s of the merge step alone), with and without the derived indexes, in alternating batches. */
function mergeBench(results: BenchResult[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-merge-'));
  const plain = openAuditDatabase(join(dir, 'plain.db'));
  const indexed = openAuditDatabase(join(dir, 'indexed.db'));
  try {
    const seeders = [new AuditSeeder(plain, { index: false }), new AuditSeeder(indexed, { index: true })];
    const spent = [0, 0];
    const batches = Number(process.env.AUDIT_MERGE_BENCH_BATCHES ?? 100);
    const start = Date.now() - 2 * DAY;
    for (let round = 0; round < batches + 10; round++) {
      for (const k of round % 2 ? [1, 0] : [0, 1]) {
        seeders[k]!.stage(1000, start + round * 1000 * 150, 150);
        const t = process.hrtime.bigint();
        seeders[k]!.merge();
        if (round >= 10) spent[k]! += elapsedMs(t); // the first rounds warm up
      }
    }
    const rate = spent.map((ms) => Math.round(batches * 1000 / (ms / 1000)));
    results.push({ name: 'audit merge: calls/s of the merge step (1,000-row batches), without full text and rollups (before)', value: rate[0]!, unit: 'calls/s' });
    results.push({ name: 'audit merge: calls/s of the merge step, with full text and rollups', value: rate[1]!, unit: 'calls/s' });
    results.push({ name: 'audit merge: cost per call added by full text and rollups', value: round((spent[1]! - spent[0]!) * 1000 / (batches * 1000)), unit: 'µs/call' });
    results.push({ name: 'audit merge: throughput ratio with / without', value: round(rate[1]! / rate[0]!), unit: '×' });
  } finally {
    plain.close();
    indexed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function queryBench(db: SqliteDatabase, now: number, results: BenchResult[]): void {
  const queries = new AuditQueries(db);
  const health = new HealthQueries(db, { beforeRead: () => undefined });
  const add = (name: string, run: () => unknown) => results.push({ name, value: timed(run), unit: 'ms', goal: GOAL });
  const page = (filter: Parameters<AuditQueries['list']>[0]) => () => queries.list({ limit: 50, ...filter });
  add('activity list: newest page, no filter', page({}));
  add('activity list: server', page({ serverId: 'jira' }));
  add('activity list: server + tool', page({ serverId: 'jira', tool: 'assign_ticket' }));
  add('activity list: client + last 24 h', page({ client: 'zed', since: now - DAY }));
  add('activity list: outcome denied (1%)', page({ outcome: 'denied' }));
  add('activity list: server + outcome tool_error', page({ serverId: 'postgres', outcome: 'tool_error' }));
  add('activity list: decision ask', page({ decision: 'ask' }));
  const second = queries.list({ serverId: 'slack', limit: 50 }).nextCursor ?? undefined;
  add('activity list: server, second page (cursor)', page({ serverId: 'slack', cursor: second }));
  add('activity text: common ("status 5")', page({ text: 'status 5' }));
  add('activity text: partial word ("ermissio")', page({ text: 'ermissio' }));
  add('activity text: rare (a tool name, "delete_branch")', page({ text: 'delete_branch' }));
  add('activity text: matching nothing ("no-such-text-anywhere")', page({ text: 'no-such-text-anywhere' }));
  add('activity text: matching nothing, server + last 7 days', page({ text: 'no-such-text', serverId: 'github', since: now - 7 * DAY }));
  add('activity text: in a 1-day window ("rate limit")', page({ text: 'rate limit', since: now - 2 * DAY, until: now - DAY }));
  add('activity stats: per tool, last 24 h', () => queries.stats({ groupBy: 'tool', since: now - DAY }));
  add('activity stats: per tool, last 7 days', () => queries.stats({ groupBy: 'tool', since: now - 7 * DAY }));
  add('activity stats: per server, all rows', () => queries.stats({ groupBy: 'server' }));
  add('activity stats: per tool, client filter, last 7 days', () => queries.stats({ groupBy: 'tool', client: 'cursor', since: now - 7 * DAY }));
  add('activity stats: per tool, last hour (rows only)', () => queries.stats({ groupBy: 'tool', since: now - HOUR }));
  add('activity timeline: hourly, last 7 days', () => queries.timeline({ since: now - 7 * DAY, bucketMs: HOUR }));
  add('activity timeline: 6-hourly, last 7 days (UI "7d")', () => queries.timeline({ since: now - 7 * DAY, bucketMs: 6 * HOUR }));
  add('activity timeline: hourly, last 24 h (UI "24h")', () => queries.timeline({ since: now - DAY, bucketMs: HOUR }));
  add('activity timeline: 5-minute, last hour (UI "1h")', () => queries.timeline({ since: now - HOUR, bucketMs: 5 * 60_000 }));
  add('activity timeline: 1-minute, last 15 min (UI "15m")', () => queries.timeline({ since: now - 15 * 60_000, bucketMs: 60_000 }));
  add('activity timeline: hourly, 7 days, server + client filter', () => queries.timeline({ since: now - 7 * DAY, bucketMs: HOUR, serverId: 'github', client: 'cursor' }));
  add('activity count: all rows', () => queries.count({}));
  add('activity count: server, last 24 h', () => queries.count({ serverId: 'filesystem', since: now - DAY }));
  add('health tools: last hour', () => health.tools({ sinceMs: now - HOUR }));
  add('health tools: last 24 h', () => health.tools({ sinceMs: now - DAY }));
  add('health tools: last 7 days', () => health.tools({ sinceMs: now - 7 * DAY }));
  add('health tools: one server, last 24 h', () => health.tools({ sinceMs: now - DAY, serverId: 'github' }));
  add('health window: 1 h, server', () => health.window({ serverId: 'github', sinceMs: now - HOUR, thresholdMs: 500 }));
  add('health window: 6 h, server + tool glob', () => health.window({ serverId: 'jira', toolGlob: '*_ticket', sinceMs: now - 6 * HOUR, thresholdMs: 500 }));
  add('health window: 30 days, server', () => health.window({ serverId: 'filesystem', sinceMs: now - 30 * DAY, thresholdMs: 250 }));
}

/** A 1M-row file written before migration 6: the daemon's start (the migration) and the backfill steps after it. */
function upgradeBench(path: string, db: SqliteDatabase, rows: number, results: BenchResult[]): void {
  db.exec(`DROP TABLE audit_text; DROP TABLE audit_rollup; DROP TABLE audit_rollup_day; DROP TABLE audit_rollup_client; DELETE FROM audit_meta WHERE key = 'index_from_seq';
    PRAGMA user_version = ${MIGRATIONS.length - 1};`);
  db.close();
  let start = process.hrtime.bigint();
  const upgraded = openAuditDatabase(path);
  results.push({ name: `audit upgrade of a ${rows.toLocaleString('en')}-row file to migration 6: open + migrate (daemon start)`, value: round(elapsedMs(start)), unit: 'ms' });
  const indexes = new AuditIndexes(upgraded);
  let longest = 0;
  let steps = 0;
  start = process.hrtime.bigint();
  for (;;) {
    const t = process.hrtime.bigint();
    const n = indexes.backfillStep(BACKFILL_STEP_ROWS);
    longest = Math.max(longest, elapsedMs(t));
    if (n === 0) break;
    steps++;
  }
  results.push({ name: `audit upgrade: backfill of the derived indexes, ${steps} steps of ${BACKFILL_STEP_ROWS} rows, total (in the background)`, value: round(elapsedMs(start) / 1000), unit: 's' });
  results.push({ name: 'audit upgrade: longest backfill step, as the daemon runs them (it is busy this long at most)', value: round(longest), unit: 'ms' });
  upgraded.close();
}

export async function runAuditQueriesBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  mergeBench(results);
  const rows = Number(process.env.AUDIT_QUERY_BENCH_ROWS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-queries-'));
  const path = join(dir, 'audit.db');
  const db = openAuditDatabase(path);
  try {
    const now = Date.now();
    const start = process.hrtime.bigint();
    new AuditSeeder(db).fill(rows, now - 8 * DAY, now);
    results.push({ name: `audit queries: fill of ${rows.toLocaleString('en')} rows over 8 days through the merge (setup)`, value: round(elapsedMs(start) / 1000), unit: 's' });
    db.pragma('optimize');
    queryBench(db, now, results);
    upgradeBench(path, db, rows, results);
  } finally {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.main) {
  for (const r of await runAuditQueriesBench()) console.log(`${r.name}: ${r.value} ${r.unit}${r.goal ? ` (goal ${r.goal})` : ''}`);
}
