// The time a person takes to approve a call is recorded apart from the call's duration, and kept
// out of latency figures: `audit stats` once showed p95 4,579 ms for a tool that answers in 3 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditInterceptor } from '../../../main/audit/audit-interceptor.ts';
import { AuditQueries } from '../../../main/audit/audit-queries.ts';
import { AUDIT_SCHEMA_VERSION, auditDbPath, MIGRATIONS } from '../../../main/audit/database.ts';
import { loadDeviceIdentity } from '../../../main/audit/device-identity.ts';
import { newRecordId } from '../../../main/audit/record-id.ts';
import { AuditStore, type AuditCompletion, type AuditEntry } from '../../../main/audit/store.ts';
import { fakeUpstream, makeCallContext, makeSession } from '../../support/audit-harness.ts';

let dir: string;
let store: AuditStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-wait-'));
  store = new AuditStore(auditDbPath(dir));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_750_000_000_000;
const entry = (i: number): AuditEntry => ({
  id: newRecordId(T0 + i), time: T0 + i, sessionId: 's', requestId: String(i), serverId: 'everything', transport: 'http', clientName: 'c',
  clientVersion: '1', clientLabel: 'bridge', method: 'tools/call', target: 'echo', arguments: null, argumentsTruncated: false, captureMode: 'none', osUser: 'u', deviceId: 'd',
});
const done = (overrides: Partial<AuditCompletion>): AuditCompletion => ({
  decision: 'allow', rule: 'default', source: 'default', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
  durationMs: 3, bytesIn: 10, bytesOut: 20, ...overrides,
});

describe('approval wait', () => {
  it('the audit interceptor records the wait apart and leaves it out of durationMs', async () => {
    let now = 1000;
    const interceptor = new AuditInterceptor({ store, identity: loadDeviceIdentity(dir), captureMode: () => 'none', clock: () => now });
    const ctx = makeCallContext(makeSession(), 1, { name: 'echo', decision: { action: 'ask', rule: 'ask-echo', source: 'managed' } });
    await interceptor.handle(ctx, async (request) => {
      // What the policy link does: a person answers after 4,576 ms, then the server takes 3 ms.
      now += 4576;
      ctx.approvalWaitMs = 4576;
      ctx.approver = 'user:allow-once';
      now += 3;
      return fakeUpstream()(request);
    });
    const [record] = new AuditQueries(store.db, { beforeRead: () => void store.settle() }).list({}).records;
    expect(record).toMatchObject({ approver: 'user:allow-once', durationMs: 3, approvalWaitMs: 4576 });

    const plain = makeCallContext(makeSession(), 2, { name: 'echo' });
    await interceptor.handle(plain, async (request) => {
      now += 5;
      return fakeUpstream()(request);
    });
    const latest = new AuditQueries(store.db, { beforeRead: () => void store.settle() }).list({}).records[0];
    expect(latest).toMatchObject({ durationMs: 5, approvalWaitMs: null });
  });

  it('stats measure latency without approval waits, and skip approved rows recorded before the wait was', async () => {
    await store.record(entry(1), done({ approver: 'user:allow-once', durationMs: 3, approvalWaitMs: 4576 }));
    await store.record(entry(2), done({ durationMs: 5 }));
    await store.record(entry(3), done({ durationMs: 4 }));
    store.settle();
    // A row from before migration 4: approved, its duration includes the wait, no wait recorded.
    store.db.prepare('UPDATE audit_records SET approver = ?, duration_ms = ? WHERE request_id = ?').run('user:allow-once', 4579, '3');
    const [row] = new AuditQueries(store.db).stats({ groupBy: 'tool' });
    expect(row).toMatchObject({ serverId: 'everything', tool: 'echo', count: 3, maxMs: 5 });
    expect(row!.p95Ms).toBeLessThanOrEqual(5);
  });

  it('migration 4 adds approval_wait_ms to a version 3 file, keeping its rows (their wait unknown)', () => {
    const file = join(dir, 'v3.db');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 3)) old.exec(sql);
    old.pragma('user_version = 3');
    old.prepare(`INSERT INTO audit_records (id, ts, server_id, method, outcome, duration_ms, approver) VALUES ('r1', 1, 'x', 'tools/call', 'ok', 4579, 'user:allow-once')`).run();
    old.close();
    const upgraded = new AuditStore(file);
    try {
      expect(upgraded.db.pragma('user_version', { simple: true })).toBe(AUDIT_SCHEMA_VERSION);
      expect(AUDIT_SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
      expect(new AuditQueries(upgraded.db).list({}).records[0]).toMatchObject({ id: 'r1', durationMs: 4579, approvalWaitMs: null });
      expect(new AuditQueries(upgraded.db).stats({})[0]).toMatchObject({ count: 1, maxMs: null });
    } finally {
      upgraded.close();
    }
  });
});
