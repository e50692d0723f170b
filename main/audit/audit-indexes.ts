// Keeps the derived indexes (audit-indexes-schema.ts: the full-text index audit_text and the hourly
// audit_rollup) equal to what audit_records holds from seq `index_from_seq` on:
// - the merge of finished calls into audit_records (store.ts) indexes the rows it moved, in its
//   transaction: one FTS insert and one grouped rollup upsert per batch, nothing per call;
// - retention deletes rows through here: their FTS rows go, and the rollups of the hours they were
//   in are recomputed from the rows left (so min and max stay exact), the days' from their hours;
// - rows that were in audit_records before migration 6 are indexed by backfillStep, newest first,
//   a bounded number per transaction (index-backfill.ts runs the steps in the daemon). Until it has
//   reached the oldest row, isComplete() is false and the queries read audit_records directly.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.ts';
import { HOUR_MS, INDEX_FROM_SEQ, ROLLUP, ROLLUP_DAY, ROLLUPS, type RollupTable } from './audit-indexes-schema.ts';
import { LATENCY_BINS, addEncoded, binOf, encodeBins } from './latency-bins.ts';

/**
 * A row's latency as the Activity stats count it: none for a pending row, nor for an approved row
 * written before migration 4 (its duration includes the approval wait).
 */
export const LATENCY_SQL = "CASE WHEN outcome = 'pending' OR (approver IS NOT NULL AND approval_wait_ms IS NULL) THEN NULL ELSE duration_ms END";

/**
 * The daemon's own records (an SLO alert: method "switchboard/…") are events, not calls: the
 * rollups, and every query that adds the rows of partial hours to them, leave them out.
 */
export const CALL_ROWS_SQL = "method NOT LIKE 'switchboard/%'";

function rollupUpsertSql(table: RollupTable): string {
  const keys = table.keys;
  const minMax = (c: string, f: 'min' | 'max') =>
    `${c} = CASE WHEN ${c} IS NULL THEN excluded.${c} WHEN excluded.${c} IS NULL THEN ${c} ELSE ${f}(${c}, excluded.${c}) END`;
  return `INSERT INTO ${table.name} (bucket, ${keys.join(', ')}, calls, lat_n, lat_sum, lat_min, lat_max, hist)
    VALUES (?, ${keys.map(() => '?').join(', ')}, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, lat_n = lat_n + excluded.lat_n, lat_sum = lat_sum + excluded.lat_sum,
      ${minMax('lat_min', 'min')}, ${minMax('lat_max', 'max')}, hist = ${HIST_ADD}(hist, excluded.hist)`;
}

const HIST_ADD = 'audit_latency_hist_add';

/** The columns read from each indexed row, in this order. */
const SOURCE_COLUMNS = `ts / ${HOUR_MS}, server_id, ifnull(target, ''), outcome, ifnull(client_name, ''), ifnull(client_label, ''), ifnull(decision, ''), ${LATENCY_SQL}`;
type SourceRow = [hour: number, server: string, target: string, outcome: string, clientName: string, clientLabel: string, decision: string, lat: number | null];
const SOURCE_KEYS = ['server_id', 'target', 'outcome', 'client_name', 'client_label', 'decision'];

interface Group {
  readonly values: readonly unknown[];
  calls: number;
  latN: number;
  latSum: number;
  latMin: number | null;
  latMax: number | null;
  readonly bins: number[];
}

function newGroup(values: readonly unknown[]): Group {
  return { values, calls: 0, latN: 0, latSum: 0, latMin: null, latMax: null, bins: new Array<number>(LATENCY_BINS).fill(0) };
}

/** Sums rows into rollup groups (in JS: cheaper than SQLite's GROUP BY on a 1,000-row batch) and upserts them. */
class RollupWriter {
  private readonly upsert: Database.Statement;
  private readonly pick: (row: SourceRow) => unknown[];

  constructor(db: SqliteDatabase, table: RollupTable) {
    this.upsert = db.prepare(rollupUpsertSql(table));
    const at = table.keys.map((k) => SOURCE_KEYS.indexOf(k) + 1);
    this.pick = table.daily
      ? (row) => [Math.floor(row[0] / 24), ...at.map((i) => row[i])]
      : (row) => [row[0], ...at.map((i) => row[i])];
  }

  write(rows: readonly SourceRow[]): void {
    const groups = new Map<string, Group>();
    for (const row of rows) {
      const values = this.pick(row);
      const key = values.join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = newGroup(values);
        groups.set(key, group);
      }
      group.calls++;
      const lat = row[7];
      if (lat !== null) {
        group.latN++;
        group.latSum += lat;
        group.latMin = group.latMin === null ? lat : Math.min(group.latMin, lat);
        group.latMax = group.latMax === null ? lat : Math.max(group.latMax, lat);
        group.bins[binOf(lat)]!++;
      }
    }
    this.upsertAll(groups.values());
  }

  upsertAll(groups: Iterable<Group>): void {
    for (const g of groups) this.upsert.run(...g.values, g.calls, g.latN, g.latSum, g.latMin, g.latMax, encodeBins(g.bins));
  }
}

/** The SQL function the rollup upserts merge histograms with, on this connection. */
function registerHistogramFunctions(db: SqliteDatabase): void {
  db.function(HIST_ADD, { deterministic: true }, (a: unknown, b: unknown) => {
    const bins = new Array<number>(LATENCY_BINS).fill(0);
    addEncoded(bins, a as string | null);
    addEncoded(bins, b as string | null);
    return encodeBins(bins);
  });
}

/** The derived indexes cover every row of audit_records (a read, for any connection). */
export function derivedIndexesComplete(db: SqliteDatabase): boolean {
  const from = Number((db.prepare(`SELECT value FROM audit_meta WHERE key = '${INDEX_FROM_SEQ}'`).pluck().get() as string | undefined) ?? 1);
  return db.prepare('SELECT 1 FROM audit_records WHERE seq < ? LIMIT 1').pluck().get(from) === undefined;
}

export class AuditIndexes {
  private readonly db: SqliteDatabase;
  private readonly fromStmt: Database.Statement;
  private readonly setFromStmt: Database.Statement;
  private readonly belowStmt: Database.Statement;
  private readonly textInsert: Database.Statement;
  private readonly rollups: RollupWriter[];
  private readonly dayWriter: RollupWriter;
  private readonly hoursOfDay: Database.Statement;
  private readonly dayDelete: Database.Statement;
  private readonly rowsByRange: Database.Statement;
  private readonly rowsByHour: Database.Statement;
  private readonly textDelete: Database.Statement;
  private readonly hoursOf: Database.Statement;
  private readonly rowsDelete: Database.Statement;
  private readonly hourDelete: Database.Statement[];
  private readonly stepBound: Database.Statement;

  constructor(db: SqliteDatabase) {
    this.db = db;
    registerHistogramFunctions(db);
    this.fromStmt = db.prepare(`SELECT value FROM audit_meta WHERE key = '${INDEX_FROM_SEQ}'`).pluck();
    this.setFromStmt = db.prepare(`UPDATE audit_meta SET value = ? WHERE key = '${INDEX_FROM_SEQ}'`);
    this.belowStmt = db.prepare('SELECT 1 FROM audit_records WHERE seq < ? LIMIT 1').pluck();
    this.textInsert = db.prepare(`INSERT INTO audit_text (rowid, t_target, t_error, t_rule, t_server)
      SELECT seq, target, error_message, rule, server_id FROM audit_records WHERE seq BETWEEN ? AND ?`);
    this.rollups = ROLLUPS.map((t) => new RollupWriter(db, t));
    this.dayWriter = this.rollups[ROLLUPS.indexOf(ROLLUP_DAY)]!;
    this.hoursOfDay = db.prepare(`SELECT server_id, target, outcome, calls, lat_n, lat_sum, lat_min, lat_max, hist FROM ${ROLLUP.name} WHERE bucket >= ? AND bucket < ?`).raw(true);
    this.dayDelete = db.prepare(`DELETE FROM ${ROLLUP_DAY.name} WHERE bucket = ?`);
    this.rowsByRange = db.prepare(`SELECT ${SOURCE_COLUMNS} FROM audit_records WHERE seq BETWEEN ? AND ? AND ${CALL_ROWS_SQL}`).raw(true);
    this.rowsByHour = db.prepare(`SELECT ${SOURCE_COLUMNS} FROM audit_records WHERE ts >= ? AND ts < ? AND seq >= ? AND ${CALL_ROWS_SQL}`).raw(true);
    this.textDelete = db.prepare('DELETE FROM audit_text WHERE rowid IN (SELECT seq FROM audit_records WHERE seq BETWEEN ? AND ?)');
    this.hoursOf = db.prepare(`SELECT DISTINCT ts / ${HOUR_MS} FROM audit_records WHERE seq BETWEEN ? AND ?`).pluck();
    this.rowsDelete = db.prepare('DELETE FROM audit_records WHERE seq <= ?');
    this.hourDelete = ROLLUPS.filter((t) => !t.daily).map((t) => db.prepare(`DELETE FROM ${t.name} WHERE bucket = ?`));
    this.stepBound = db.prepare('SELECT min(seq) AS lowest, count(*) AS n FROM (SELECT seq FROM audit_records WHERE seq < ? ORDER BY seq DESC LIMIT ?)');
  }

  /** Rows with seq >= this are indexed. */
  indexedFrom(): number {
    return Number(this.fromStmt.get() ?? 1);
  }

  /** Every row of audit_records is indexed (the queries may use the derived tables). */
  isComplete(): boolean {
    return this.belowStmt.get(this.indexedFrom()) === undefined;
  }

  /** Indexes rows [fromSeq, toSeq] that were just written to audit_records (call inside the writer's transaction). */
  indexRange(fromSeq: number, toSeq: number): void {
    this.textInsert.run(fromSeq, toSeq);
    this.writeRollups(this.rowsByRange.all(fromSeq, toSeq) as SourceRow[]);
  }

  private writeRollups(rows: SourceRow[], daily = true): void {
    for (const rollup of this.rollups) if (daily || rollup !== this.dayWriter) rollup.write(rows);
  }

  /** Deletes the rows with seq <= maxSeq with their index entries (call inside a transaction); returns how many rows went. */
  deleteThrough(maxSeq: number): number {
    const from = this.indexedFrom();
    const hours = maxSeq >= from ? (this.hoursOf.all(from, maxSeq) as number[]) : [];
    if (maxSeq >= from) this.textDelete.run(from, maxSeq);
    const deleted = this.rowsDelete.run(maxSeq).changes;
    for (const hour of hours) {
      for (const stmt of this.hourDelete) stmt.run(hour);
      this.writeRollups(this.rowsByHour.all(hour * HOUR_MS, (hour + 1) * HOUR_MS, from) as SourceRow[], false);
    }
    // A day's rollup is the sum of its hours.
    for (const day of new Set(hours.map((hour) => Math.floor(hour / 24)))) {
      this.dayDelete.run(day);
      const groups = new Map<string, Group>();
      for (const row of this.hoursOfDay.iterate(day * 24, day * 24 + 24) as IterableIterator<[string, string, string, number, number, number, number | null, number | null, string]>) {
        const key = `${row[0]}\u0000${row[1]}\u0000${row[2]}`;
        let g = groups.get(key);
        if (!g) {
          g = newGroup([day, row[0], row[1], row[2]]);
          groups.set(key, g);
        }
        g.calls += row[3];
        g.latN += row[4];
        g.latSum += row[5];
        if (row[6] !== null) g.latMin = g.latMin === null ? row[6] : Math.min(g.latMin, row[6]);
        if (row[7] !== null) g.latMax = g.latMax === null ? row[7] : Math.max(g.latMax, row[7]);
        addEncoded(g.bins, row[8]);
      }
      this.dayWriter.upsertAll(groups.values());
    }
    return deleted;
  }

  /** Indexes up to `limit` not yet indexed rows (the newest of them) in one transaction; 0 when none are left. */
  backfillStep(limit: number): number {
    return this.db.transaction(() => {
      const from = this.indexedFrom();
      const { lowest, n } = this.stepBound.get(from, limit) as { lowest: number | null; n: number };
      if (lowest === null) return 0;
      this.indexRange(lowest, from - 1);
      this.setFromStmt.run(String(lowest));
      return n;
    }).immediate();
  }

  /**
   * Forgets the derived indexes and marks every row as not indexed, for rows written into
   * audit_records by other means than the merge (the benchmark's bulk fill, tests); backfillStep
   * then indexes them.
   */
  reset(): void {
    this.db.transaction(() => {
      this.db.exec("INSERT INTO audit_text (audit_text) VALUES ('delete-all'); " + ROLLUPS.map((t) => `DELETE FROM ${t.name};`).join(' '));
      this.setFromStmt.run(String((this.db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM audit_records').pluck().get() as number)));
    })();
  }
}
