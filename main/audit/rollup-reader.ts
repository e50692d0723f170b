// Answers counts, latency summaries and time buckets over a time range from the daily and hourly rollups
// (audit-indexes-schema.ts) for the whole days and hours inside the range, and from audit_records itself for
// the partial hours at its two ends, so counts are exact and only percentiles are approximate
// (latency-bins.ts states the bound). The coarse rollup serves queries without a client or decision
// filter; audit_rollup_client the others. Callers check `ready()` first: before the derived indexes
// cover every row (a database being upgraded) everything is read from the rows.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.ts';
import { DAY_MS, HOUR_MS, ROLLUP, ROLLUP_CLIENT, ROLLUP_DAY } from './audit-indexes-schema.ts';
import { CALL_ROWS_SQL, derivedIndexesComplete, LATENCY_SQL } from './audit-indexes.ts';
import { LATENCY_BINS, addDuration, addEncoded, countAbove, emptySummary, encodeBins, type LatencySummary } from './latency-bins.ts';

export interface RollupFilter {
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly serverId?: string | undefined;
  /** Exact target. */
  readonly tool?: string | undefined;
  /** SQLite GLOB over the target (`*`, `?`, `[...]`, case-sensitive). */
  readonly toolGlob?: string | undefined;
  /** Client name or client label. */
  readonly client?: string | undefined;
  readonly decision?: string | undefined;
  readonly outcome?: string | undefined;
}

export interface OutcomeGroup {
  readonly serverId: string;
  /** Null when grouped by server, or for calls without a target. */
  readonly tool: string | null;
  readonly outcome: string;
  calls: number;
  readonly latency: LatencySummary;
  /** Calls slower than the threshold asked for (0 without one). */
  slower: number;
}

export interface CountBucket {
  start: number;
  count: number;
  errors: number;
  denied: number;
}

/** Outcomes that are neither success, nor a denial, nor unfinished: what the Activity page calls errors. */
export function isError(outcome: string): boolean {
  return outcome !== 'ok' && outcome !== 'denied' && outcome !== 'pending';
}

interface Range {
  readonly from: number;
  readonly to: number;
}

interface Parts {
  /** Whole days [from, to) read from the daily rollup. */
  readonly days: Range | null;
  /** Whole hours read from an hourly rollup. */
  readonly hours: Range[];
  /** ts ranges [from, to) read from the rows. */
  readonly raw: Range[];
}

const FAR = 8.64e15;
const HIST_SUM = 'audit_latency_hist_sum';

/** Splits [since, until) into whole days (when `useDays`), whole hours and partial hours. */
function split(since: number | undefined, until: number | undefined, useRollups: boolean, useDays: boolean): Parts {
  const lo = since ?? -FAR;
  const hi = until ?? FAR;
  if (hi <= lo) return { days: null, hours: [], raw: [] };
  if (!useRollups) return { days: null, hours: [], raw: [{ from: lo, to: hi }] };
  const hFrom = since === undefined ? -FAR : Math.ceil(since / HOUR_MS);
  const hTo = until === undefined ? FAR : Math.floor(until / HOUR_MS);
  if (hFrom >= hTo) return { days: null, hours: [], raw: [{ from: lo, to: hi }] };
  const raw: Range[] = [];
  if (since !== undefined && since < hFrom * HOUR_MS) raw.push({ from: since, to: hFrom * HOUR_MS });
  if (until !== undefined && hTo * HOUR_MS < until) raw.push({ from: hTo * HOUR_MS, to: until });
  const dFrom = since === undefined ? -FAR : Math.ceil(hFrom / 24);
  const dTo = until === undefined ? FAR : Math.floor(hTo / 24);
  if (!useDays || dFrom >= dTo) return { days: null, hours: [{ from: hFrom, to: hTo }], raw };
  const hours: Range[] = [];
  if (since !== undefined && hFrom < dFrom * 24) hours.push({ from: hFrom, to: dFrom * 24 });
  if (until !== undefined && dTo * 24 < hTo) hours.push({ from: dTo * 24, to: hTo });
  return { days: { from: dFrom, to: dTo }, hours, raw };
}

export class RollupReader {
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: SqliteDatabase) {
    this.db = db;
    db.aggregate(HIST_SUM, {
      start: () => new Array<number>(LATENCY_BINS).fill(0),
      step: (bins: number[], hist: unknown) => addEncoded(bins, hist as string | null),
      result: (bins: number[]) => encodeBins(bins),
    });
  }

  /** The rollups and the full-text index cover every row. */
  ready(): boolean {
    return derivedIndexesComplete(this.db);
  }

  /** True when the range holds at least one whole hour (the rollups save work). */
  static coversWholeHours(since: number | undefined, until: number | undefined): boolean {
    return split(since, until, true, false).hours.length > 0;
  }

  /** Counts and latency per (server[, tool], outcome); `useRollups` false reads every row. */
  groups(filter: RollupFilter, groupBy: 'server' | 'tool', options: { useRollups: boolean; thresholdMs?: number }): OutcomeGroup[] {
    const detailed = this.needsClientRollup(filter);
    const parts = split(filter.since, filter.until, options.useRollups, !detailed);
    const groups = new Map<string, OutcomeGroup>();
    const group = (serverId: string, tool: string | null, outcome: string): OutcomeGroup => {
      const t = groupBy === 'tool' ? tool : null;
      const key = `${serverId}\u0000${t ?? '\u0001'}\u0000${outcome}`;
      let g = groups.get(key);
      if (!g) {
        g = { serverId, tool: t, outcome, calls: 0, latency: emptySummary(), slower: 0 };
        groups.set(key, g);
      }
      return g;
    };
    const ranges: Array<[string, Range]> = [
      ...(parts.days ? [[ROLLUP_DAY.name, parts.days] as [string, Range]] : []),
      ...parts.hours.map((r) => [detailed ? ROLLUP_CLIENT.name : ROLLUP.name, r] as [string, Range]),
    ];
    const { where, params } = this.filterSql(filter);
    for (const [table, range] of ranges) {
      // Summed in SQLite: a few rows per group come back instead of one per hour and key.
      const sql = `SELECT server_id, ${groupBy === 'tool' ? 'target' : "''"}, outcome, sum(calls), sum(lat_n), min(lat_min), max(lat_max), ${HIST_SUM}(hist)
        FROM ${table} WHERE bucket >= ? AND bucket < ?${where} GROUP BY 1, 2, 3`;
      for (const row of this.stmt(sql).raw(true).iterate(range.from, range.to, ...params) as IterableIterator<[string, string, string, number, number, number | null, number | null, string]>) {
        const g = group(row[0], row[1] === '' ? null : row[1], row[2]);
        g.calls += row[3];
        const l = g.latency;
        l.n += row[4];
        if (row[5] !== null) l.min = l.min === null ? row[5] : Math.min(l.min, row[5]);
        if (row[6] !== null) l.max = l.max === null ? row[6] : Math.max(l.max, row[6]);
        addEncoded(l.bins, row[7]);
      }
    }
    if (options.thresholdMs !== undefined) for (const g of groups.values()) g.slower = countAbove(g.latency.bins, options.thresholdMs);
    const sql = `SELECT server_id, target, outcome, ${LATENCY_SQL} FROM audit_records INDEXED BY audit_ts WHERE ts >= ? AND ts < ? AND ${CALL_ROWS_SQL}${where}`;
    for (const range of parts.raw) {
      for (const row of this.stmt(sql).raw(true).iterate(range.from, range.to, ...params) as IterableIterator<[string, string | null, string, number | null]>) {
        const g = group(row[0], row[1], row[2]);
        g.calls++;
        if (row[3] !== null) {
          addDuration(g.latency, row[3]);
          if (options.thresholdMs !== undefined && row[3] > options.thresholdMs) g.slower++;
        }
      }
    }
    return [...groups.values()];
  }

  /** Calls, errors and denials per bucket of `bucketMs` (a multiple of an hour for the rollups to help). */
  buckets(filter: RollupFilter, bucketMs: number): CountBucket[] {
    const detailed = this.needsClientRollup(filter);
    const parts = split(filter.since, filter.until, bucketMs % HOUR_MS === 0, !detailed && bucketMs % DAY_MS === 0);
    const buckets = new Map<number, CountBucket>();
    const add = (start: number, count: number, errors: number, denied: number) => {
      const b = buckets.get(start);
      if (b) {
        b.count += count;
        b.errors += errors;
        b.denied += denied;
      } else {
        buckets.set(start, { start, count, errors, denied });
      }
    };
    const { where, params } = this.filterSql(filter);
    const ranges: Array<[string, number, Range]> = [
      ...(parts.days ? [[ROLLUP_DAY.name, DAY_MS, parts.days] as [string, number, Range]] : []),
      ...parts.hours.map((r) => [detailed ? ROLLUP_CLIENT.name : ROLLUP.name, HOUR_MS, r] as [string, number, Range]),
    ];
    for (const [table, unit, range] of ranges) {
      const sql = `SELECT (bucket * ${unit} / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start, sum(calls),
        sum(CASE WHEN outcome NOT IN ('ok', 'denied', 'pending') THEN calls ELSE 0 END), sum(CASE WHEN outcome = 'denied' THEN calls ELSE 0 END)
        FROM ${table} WHERE bucket >= ? AND bucket < ?${where} GROUP BY start`;
      for (const row of this.stmt(sql).raw(true).all(bucketMs, bucketMs, range.from, range.to, ...params) as Array<[number, number, number, number]>) {
        add(row[0], row[1], row[2], row[3]);
      }
    }
    const sql = `SELECT (ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS start, count(*),
      sum(outcome NOT IN ('ok', 'denied', 'pending')), sum(outcome = 'denied')
      FROM audit_records INDEXED BY audit_ts WHERE ts >= ? AND ts < ? AND ${CALL_ROWS_SQL}${where} GROUP BY start`;
    for (const range of parts.raw) {
      for (const row of this.stmt(sql).raw(true).all(bucketMs, bucketMs, range.from, range.to, ...params) as Array<[number, number, number, number]>) {
        add(row[0], row[1], row[2], row[3]);
      }
    }
    return [...buckets.values()].filter((b) => b.count > 0).sort((a, b) => a.start - b.start);
  }

  /** Client and decision are only in audit_rollup_client (hourly). */
  private needsClientRollup(filter: RollupFilter): boolean {
    return filter.client !== undefined || filter.decision !== undefined;
  }

  /** " AND …" clauses for the filter's columns, the same on a rollup and on audit_records. */
  private filterSql(f: RollupFilter): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.serverId !== undefined) { clauses.push('server_id = ?'); params.push(f.serverId); }
    if (f.tool !== undefined) { clauses.push('target = ?'); params.push(f.tool); }
    if (f.toolGlob !== undefined) { clauses.push('target GLOB ?'); params.push(f.toolGlob); }
    if (f.client !== undefined) { clauses.push('(client_name = ? OR client_label = ?)'); params.push(f.client, f.client); }
    if (f.decision !== undefined) { clauses.push('decision = ?'); params.push(f.decision); }
    if (f.outcome !== undefined) { clauses.push('outcome = ?'); params.push(f.outcome); }
    return { where: clauses.map((c) => ` AND ${c}`).join(''), params };
  }

  private stmt(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
