// The outbox reads undelivered rows through its partial index whatever statistics SQLite has:
// after ANALYZE (PRAGMA optimize) the planner would otherwise walk every delivered row from the
// start of the table on each batch, and a large backlog would drain slower and slower.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditOutbox } from '../../../main/audit/audit-outbox.ts';
import { auditDbPath, openAuditDatabase, type SqliteDatabase } from '../../../main/audit/database.ts';
import { newRecordId } from '../../../main/audit/record-id.ts';

let dir: string;
let db: SqliteDatabase;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditOutbox', () => {
  it('takes pending rows in order through the outbox index, also after ANALYZE', () => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    db = openAuditDatabase(auditDbPath(dir));
    const insert = db.prepare(`INSERT INTO audit_records (id, ts, server_id, method, outcome, delivery) VALUES (?, ?, 's', 'tools/call', 'ok', ?)`);
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(newRecordId(i), i, i < 15_000 ? 1 : 0);
    })();
    db.exec('ANALYZE');
    const outbox = new AuditOutbox(db);
    const batch = outbox.take(100);
    expect(batch.map((row) => row.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 15_001 + i));
    expect(outbox.pendingCount()).toBe(5_000);
    // The plan of the outbox's own statement (its SQL, read from the prepared statement).
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 1) as Array<{ detail: string }>).map((step) => step.detail).join(' ');
    const takeSql = (outbox as unknown as { takeStmt: { source: string } }).takeStmt.source;
    expect(plan(takeSql)).toContain('USING INDEX audit_outbox');
    // Without the hint SQLite would walk the rowid from the start: why the hint is there.
    expect(plan(takeSql.replace(' INDEXED BY audit_outbox', ''))).not.toContain('audit_outbox');
  });
});
