import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditQueries, InvalidCursorError } from '../../../main/audit/audit-queries.ts';
import { AuditOutbox } from '../../../main/audit/audit-outbox.ts';
import { AuditRetention } from '../../../main/audit/audit-retention.ts';
import { AuditStore, type AuditCompletion, type AuditEntry } from '../../../main/audit/store.ts';
import { auditDbPath } from '../../../main/audit/database.ts';
import { newRecordId } from '../../../main/audit/record-id.ts';
import { PERCENTILE_RELATIVE_ERROR } from '../../../main/audit/latency-bins.ts';

let dir: string;
let store: AuditStore;
let queries: AuditQueries;
const T0 = 1_750_000_000_000;

function entry(i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: newRecordId(T0 + i * 1000), time: T0 + i * 1000, sessionId: 's', requestId: String(i), serverId: i % 2 ? 'github' : 'files',
    transport: 'socket', clientName: i % 3 ? 'cursor' : 'claude-desktop', clientVersion: '1', clientLabel: 'bridge', method: 'tools/call',
    target: `tool_${i % 4}`, arguments: null, argumentsTruncated: false, captureMode: 'none', osUser: 'u', deviceId: 'd', ...overrides,
  };
}
function done(i: number, overrides: Partial<AuditCompletion> = {}): AuditCompletion {
  return {
    decision: i % 5 === 0 ? 'deny' : 'allow', rule: i % 5 === 0 ? 'deny github/delete_*' : 'default', source: 'managed', reason: null, approver: null,
    outcome: i % 5 === 0 ? 'denied' : i % 7 === 0 ? 'tool_error' : 'ok', errorType: null, errorMessage: i % 7 === 0 ? `quota exceeded for job ${i}` : null,
    durationMs: i, bytesIn: 10, bytesOut: 20, ...overrides,
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-q-'));
  store = new AuditStore(auditDbPath(dir));
  queries = new AuditQueries(store.db);
  await Promise.all(Array.from({ length: 100 }, (_, i) => store.record(entry(i), done(i))));
  store.settle(); // these readers are built without the store's beforeRead hook
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditQueries', () => {
  it('pages newest first with a record-id cursor until the end', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = queries.list({ limit: 30, ...(cursor ? { cursor } : {}) });
      seen.push(...page.records.map((r) => r.requestId!));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => String(99 - i)));
    expect(() => queries.list({ cursor: 'nope' })).toThrow(InvalidCursorError);
  });

  it('filters by time range, server, tool, client, decision, outcome and text', () => {
    const ids = (q: Parameters<AuditQueries['list']>[0]): number[] => queries.list({ limit: 1000, ...q }).records.map((r) => Number(r.requestId)).sort((a, b) => a - b);
    expect(ids({ since: T0 + 10_000, until: T0 + 20_000 })).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(ids({ serverId: 'github', tool: 'tool_1' })).toEqual(Array.from({ length: 25 }, (_, k) => 1 + 4 * k));
    expect(ids({ client: 'claude-desktop', until: T0 + 10_000 })).toEqual([0, 3, 6, 9]);
    expect(ids({ decision: 'deny' })).toEqual(Array.from({ length: 20 }, (_, k) => 5 * k));
    expect(ids({ outcome: 'tool_error' })).toEqual([7, 14, 21, 28, 42, 49, 56, 63, 77, 84, 91, 98]);
    expect(ids({ text: 'QUOTA exceeded for job 42' })).toEqual([42]);
    expect(ids({ text: '100%_' })).toEqual([]);
    expect(ids({ since: T0 + 1_000_000 })).toEqual([]);
    expect(queries.count({ serverId: 'files' })).toBe(50);
    // 'ok' and 'allow' rows are left out of the outcome/decision indexes, not out of the results.
    const okIds = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 5 !== 0 && i % 7 !== 0);
    expect(ids({ outcome: 'ok' })).toEqual(okIds);
    expect(ids({ decision: 'allow' })).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 5 !== 0));
    expect(ids({ serverId: 'github', outcome: 'ok' })).toEqual(okIds.filter((i) => i % 2 === 1));
    expect(ids({ serverId: 'files', outcome: 'denied' })).toEqual(Array.from({ length: 10 }, (_, k) => 10 * k));
  });

  it('reads rare outcomes and decisions through their partial indexes', () => {
    const plan = (filter: Parameters<AuditQueries['list']>[0]): string => {
      const statements: string[] = [];
      const spy = new AuditQueries(Object.assign(Object.create(store.db), {
        prepare: (sql: string) => {
          statements.push(sql);
          return store.db.prepare(sql);
        },
      }));
      spy.list(filter);
      const sql = statements.at(-1)!;
      const params = [filter.serverId, filter.outcome ?? filter.decision].filter((v) => v !== undefined);
      return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, 51) as Array<{ detail: string }>).map((step) => step.detail).join(' | ');
    };
    expect(plan({ outcome: 'tool_error' })).toContain('USING INDEX audit_outcome');
    expect(plan({ decision: 'deny' })).toContain('USING INDEX audit_decision');
    expect(plan({ serverId: 'github', outcome: 'denied' })).toContain('USING INDEX audit_server_outcome');
  });

  it('computes counts and latency percentiles per server and tool', () => {
    const rows = queries.stats({ groupBy: 'server' });
    const github = rows.find((r) => r.serverId === 'github')!;
    expect(github.count).toBe(50);
    expect(github.denied).toBe(10);
    // Over whole hours the percentiles come from the rollups' histogram (latency-bins.ts): within its bound.
    expect(Math.abs(github.p50Ms! - 49)).toBeLessThanOrEqual(49 * PERCENTILE_RELATIVE_ERROR);
    expect(github.maxMs).toBe(99);
    const byTool = queries.stats({ groupBy: 'tool', serverId: 'files' });
    expect(byTool.map((r) => r.tool).sort()).toEqual(['tool_0', 'tool_2']);
  });

  it('buckets counts by time for charts', () => {
    const buckets = queries.timeline({ bucketMs: 10_000, since: T0, until: T0 + 30_000 });
    expect(buckets.map((b) => b.count)).toEqual([10, 10, 10]);
    expect(buckets[0]).toMatchObject({ start: T0, denied: 2, errors: 1 });
  });
});

describe('AuditRetention and AuditOutbox', () => {
  it('prunes by age and counts undelivered rows it deletes as dropped', () => {
    const outbox = new AuditOutbox(store.db);
    outbox.markDelivered(outbox.take(10).map((r) => r.seq));
    const retention = new AuditRetention(store.db, outbox, 7);
    const result = retention.prune({ maxAgeMs: 60_000 }, T0 + 80_000);
    expect(result.deleted).toBe(20);
    expect(result.undeliveredDeleted).toBe(10);
    expect(outbox.droppedTotal()).toBe(10);
    expect(queries.count()).toBe(80);
  });

  it('prunes the oldest rows beyond audit.maxRows, in chunks, counting undelivered ones as dropped', () => {
    const outbox = new AuditOutbox(store.db);
    outbox.markDelivered(outbox.take(50).map((r) => r.seq));
    const retention = new AuditRetention(store.db, outbox, 7);
    const result = retention.prune({ maxRows: 30 });
    expect(result).toEqual({ deleted: 70, undeliveredDeleted: 20 });
    expect(outbox.droppedTotal()).toBe(20);
    expect(queries.count()).toBe(30);
    expect(queries.list({ limit: 1000 }).records.map((r) => Number(r.requestId)).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => 70 + i));
    expect(retention.prune({ maxRows: 30 }).deleted).toBe(0);
  });

  it('prunes the oldest rows by size', async () => {
    const outbox = new AuditOutbox(store.db);
    await Promise.all(Array.from({ length: 3000 }, (_, i) => store.record(entry(100 + i, { arguments: JSON.stringify({ text: 'z'.repeat(300) }) }), done(100 + i))));
    const retention = new AuditRetention(store.db, outbox, 500);
    const before = retention.usedBytes();
    const result = retention.prune({ maxBytes: Math.floor(before / 2) });
    expect(result.deleted).toBeGreaterThan(0);
    expect(retention.usedBytes()).toBeLessThanOrEqual(before / 2);
    const oldest = queries.list({ limit: 1000, since: 0 }).records.at(-1)!;
    expect(Number(oldest.requestId)).toBeGreaterThan(100);
  });

  it('caps the backlog by dropping the oldest undelivered rows and counting them', () => {
    const outbox = new AuditOutbox(store.db);
    expect(outbox.enforceCap(60, 15)).toBe(40);
    expect(outbox.pendingCount()).toBe(60);
    expect(outbox.droppedUnreported()).toBe(40);
    expect(outbox.take(1)[0]!.request_id).toBe('40');
    outbox.acknowledgeDropped(40);
    expect(outbox.droppedUnreported()).toBe(0);
    expect(outbox.droppedTotal()).toBe(40);
  });
});
