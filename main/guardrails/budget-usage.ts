// A client's estimated tokens since a time, from the audit store: seeds the daily budget when
// the daemon starts (or a new day begins), so a restart does not reset what a client used.
import type { SqliteDatabase } from '../audit/database.ts';

export function auditTokenUsage(db: SqliteDatabase, settle: () => void): (client: string, sinceMs: number) => number {
  const stmt = db.prepare('SELECT coalesce(sum(coalesce(est_tokens_in, 0) + coalesce(est_tokens_out, 0)), 0) AS n FROM audit_records WHERE client_label = ? AND ts >= ?');
  return (client, sinceMs) => {
    settle();
    return (stmt.get(client, sinceMs) as { n: number }).n;
  };
}
