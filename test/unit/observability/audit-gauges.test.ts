// The forwarder-lag and audit-size gauges on a real SQLite audit file: the lag is the age of the
// oldest record the gateway has not taken, 0 once every record is delivered; the size is the
// database and its WAL as they are on disk.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditDbPath } from '../../../main/audit/database.ts';
import { auditDatabaseBytes, forwarderLag } from '../../../main/observability/audit-gauges.ts';
import { createAuditHarness, driveCalls, type AuditHarness } from '../../support/audit-harness.ts';

let dir: string;
let harness: AuditHarness;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-gauges-'));
  harness = createAuditHarness(dir);
});
afterEach(() => {
  harness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit gauges', () => {
  it('reports the age of the oldest undelivered record, then 0 when all are delivered', async () => {
    await driveCalls(harness.interceptor, 5);
    harness.store.settle();
    const rows = harness.store.db.prepare('SELECT seq, ts FROM audit_records ORDER BY seq').all() as Array<{ seq: number; ts: number }>;
    expect(rows).toHaveLength(5);
    const now = rows[0]!.ts + 90_000;
    const lag = forwarderLag(harness.store.db, () => now);
    expect(lag()).toBe(90);
    harness.outbox.markDelivered([rows[0]!.seq, rows[1]!.seq]);
    expect(lag()).toBe((now - rows[2]!.ts) / 1000);
    harness.outbox.markDelivered(rows.map((row) => row.seq));
    expect(lag()).toBe(0);
  });

  it('counts the database and its write-ahead log, and 0 for a file that is not there', async () => {
    await driveCalls(harness.interceptor, 50);
    harness.store.settle();
    const path = auditDbPath(dir);
    const wal = statSync(`${path}-wal`).size;
    expect(wal).toBeGreaterThan(0);
    expect(auditDatabaseBytes(path)).toBe(statSync(path).size + wal);
    expect(auditDatabaseBytes(join(dir, 'missing.db'))).toBe(0);
  });
});
