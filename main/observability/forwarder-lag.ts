// Forwarder delivery lag for the metrics gauge: how old the oldest record still waiting for the
// gateway is. Read at scrape time through the outbox's partial index (only undelivered rows).
import type Database from 'better-sqlite3';

export function forwarderLag(db: Database.Database, now: () => number = Date.now): () => number {
  const oldest = db.prepare('SELECT ts FROM audit_records INDEXED BY audit_outbox WHERE delivery = 0 ORDER BY seq LIMIT 1');
  return () => {
    const row = oldest.get() as { ts: number } | undefined;
    return row === undefined ? 0 : Math.max(0, (now() - row.ts) / 1000);
  };
}
