// The tables behind the fast Activity and Health queries (migration 11 in database.ts).
//
// audit_text: FTS5 with the trigram tokenizer over the columns the Activity free text searches
// (target, error message, rule, server id), keyed by audit_records.seq. Contentless (the text is in
// audit_records already) with contentless_delete, so retention deletes its rows by rowid.
//
// Rollups of the calls per hour (bucket = ts / 3,600,000) or per day (ts / 86,400,000, UTC), each row with the call count and the
// latency summary of those calls (how many have a latency, their sum, min and max, and the bins of
// latency-bins.ts, encoded): audit_rollup by (server, target, outcome) and hour, audit_rollup_day
// the same by day (7 days of it are read fast); audit_rollup_client by hour adds the client name and label and the decision, for the filters
// on those. Key columns hold '' for NULL (a primary key cannot hold NULL); readers turn '' back.
export const HOUR_MS = 3_600_000;

export const DAY_MS = 24 * HOUR_MS;

export interface RollupTable {
  readonly name: string;
  /** `bucket` is ts / HOUR_MS (hourly) or ts / DAY_MS (daily). */
  readonly daily: boolean;
  /** Key columns after `bucket`. */
  readonly keys: readonly string[];
}

export const ROLLUP: RollupTable = { name: 'audit_rollup', daily: false, keys: ['server_id', 'target', 'outcome'] };
/** The same per day: 7 days of it are a few hundred rows. */
export const ROLLUP_DAY: RollupTable = { name: 'audit_rollup_day', daily: true, keys: ['server_id', 'target', 'outcome'] };
export const ROLLUP_CLIENT: RollupTable = { name: 'audit_rollup_client', daily: false, keys: ['server_id', 'target', 'outcome', 'client_name', 'client_label', 'decision'] };
export const ROLLUPS: readonly RollupTable[] = [ROLLUP, ROLLUP_DAY, ROLLUP_CLIENT];

/** audit_meta key: rows of audit_records with seq >= this value are in audit_text and the rollups. */
export const INDEX_FROM_SEQ = 'index_from_seq';

function rollupTableSql(table: RollupTable): string {
  return `CREATE TABLE ${table.name} (
    bucket INTEGER NOT NULL,
    ${table.keys.map((k) => `${k} TEXT NOT NULL`).join(',\n    ')},
    calls INTEGER NOT NULL,
    lat_n INTEGER NOT NULL,
    lat_sum REAL NOT NULL,
    lat_min REAL,
    lat_max REAL,
    hist TEXT NOT NULL,
    PRIMARY KEY (bucket, ${table.keys.join(', ')})
  ) WITHOUT ROWID;`;
}

export const MIGRATION_DERIVED_INDEXES = `
  CREATE VIRTUAL TABLE audit_text USING fts5(t_target, t_error, t_rule, t_server,
    content='', contentless_delete=1, tokenize='trigram case_sensitive 0');
  -- Each merge writes a small segment; merging them 16 at a time instead of 4 makes the insert about
  -- three times cheaper (test/bench/audit-queries.ts), and a search reads a few more segments.
  INSERT INTO audit_text (audit_text, rank) VALUES ('automerge', 16);
  ${ROLLUPS.map(rollupTableSql).join('\n  ')}
  INSERT INTO audit_meta (key, value) SELECT '${INDEX_FROM_SEQ}', coalesce(max(seq), 0) + 1 FROM audit_records;
`;
