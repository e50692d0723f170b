// The audit's gauges, read at scrape time: how late the forwarder is (the age of the oldest record
// still waiting for the gateway, through the outbox's partial index of undelivered rows) and how
// much disk the audit takes (the database with its write-ahead log).
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';

export function forwarderLag(db: Database.Database, now: () => number = Date.now): () => number {
  const oldest = db.prepare('SELECT ts FROM audit_records INDEXED BY audit_outbox WHERE delivery = 0 ORDER BY seq LIMIT 1');
  return () => {
    const row = oldest.get() as { ts: number } | undefined;
    return row === undefined ? 0 : Math.max(0, (now() - row.ts) / 1000);
  };
}

/** Bytes of the audit database and its WAL; a file that is not there counts 0. */
export function auditDatabaseBytes(path: string): number {
  return fileSize(path) + fileSize(`${path}-wal`);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
