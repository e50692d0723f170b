// The tables behind the fast Activity and Health queries (migration 6 in database.ts).
//
// audit_text: FTS5 with the trigram tokenizer over the columns the Activity free text searches
// (target, error message, rule, server id), keyed by audit_records.seq. Contentless (the text is in
// audit_records already) with contentless_delete, so retention deletes its rows by rowid.
//
// Two hourly rollups (hour = ts / 3,600,000) of the calls, each row with the call count and the
// latency summary of those calls (how many have a latency, their sum, min and max, and the bins of
// latency-bins.ts, encoded): audit_rollup by (server, target, outcome), small enough to sum 7 days
// of it fast; audit_rollup_client adds the client name and label and the decision, for the filters
// on those. Key columns hold '' for NULL (a primary key cannot hold NULL); readers turn '' back.
export const HOUR_MS = 3_600_000;

export interface RollupTable {
  readonly name: string;
  /** Key columns after `hour`. */
  readonly keys: readonly string[];
}

export const ROLLUP: RollupTable = { name: 'audit_rollup', keys: ['server_id', 'target', 'outcome'] };
export const ROLLUP_CLIENT: RollupTable = { name: 'audit_rollup_client', keys: ['server_id', 'target', 'outcome', 'client_name', 'client_label', 'decision'] };

/** audit_meta key: rows of audit_records with seq >= this value are in audit_text and the rollups. */
export const INDEX_FROM_SEQ = 'index_from_seq';

function rollupTableSql(table: RollupTable): string {
  return `CREATE TABLE ${table.name} (
    hour INTEGER NOT NULL,
    ${table.keys.map((k) => `${k} TEXT NOT NULL`).join(',\n    ')},
    calls INTEGER NOT NULL,
    lat_n INTEGER NOT NULL,
    lat_sum REAL NOT NULL,
    lat_min REAL,
    lat_max REAL,
    hist BLOB NOT NULL,
    PRIMARY KEY (hour, ${table.keys.join(', ')})
  ) WITHOUT ROWID;`;
}

export const MIGRATION_DERIVED_INDEXES = `
  CREATE VIRTUAL TABLE audit_text USING fts5(t_target, t_error, t_rule, t_server,
    content='', contentless_delete=1, tokenize='trigram case_sensitive 0');
  ${rollupTableSql(ROLLUP)}
  ${rollupTableSql(ROLLUP_CLIENT)}
  INSERT INTO audit_meta (key, value) SELECT '${INDEX_FROM_SEQ}', coalesce(max(seq), 0) + 1 FROM audit_records;
`;
