// The store's deferred indexing: a finished call is committed at once (audit_finished, next to its
// entry in audit_inflight) and moved into the indexed audit_records in batches. These tests check
// that the move loses nothing, keeps seq and order, happens on time, and survives a crash.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, MERGE_BATCH, MERGE_DELAY_MS, settleAuditFile, type AuditCompletion, type AuditEntry } from '../../../main/audit/store.ts';
import { MIGRATIONS, auditDbPath } from '../../../main/audit/database.ts';
import { AuditQueries } from '../../../main/audit/audit-queries.ts';
import { until } from '../../support/until.ts';

let dir: string;
let store: AuditStore;

function entry(i: number): AuditEntry {
  return {
    id: `rec-${i}`, time: 1_700_000_000_000 + i, sessionId: 's', requestId: String(i), serverId: 'github', transport: 'socket', clientName: 'cursor',
    clientVersion: '1', clientLabel: 'bridge', method: 'tools/call', target: `tool_${i % 3}`, arguments: `{"n":${i}}`, argumentsTruncated: false,
    captureMode: 'full', osUser: 'u', deviceId: 'd',
  };
}
const OK: AuditCompletion = {
  decision: 'allow', rule: 'default', source: 'user', reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null,
  durationMs: 1.5, bytesIn: 10, bytesOut: 20,
};

/** What another process would see: rows per table, through its own read-only connection. */
function counts(): { records: number; finished: number; inflight: number } {
  const db = new Database(auditDbPath(dir), { readonly: true });
  try {
    const n = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { records: n('audit_records'), finished: n('audit_finished'), inflight: n('audit_inflight') };
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-store-'));
  store = new AuditStore(auditDbPath(dir));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditStore deferred indexing', () => {
  it('commits a finished call before indexing it, then indexes it within the merge delay', async () => {
    const call = await store.begin(entry(1));
    expect(counts()).toEqual({ records: 0, finished: 0, inflight: 1 });
    const seq = await store.finish(call, OK);
    // Committed (visible to another connection) the moment finish resolves, not yet indexed.
    expect(counts()).toEqual({ records: 0, finished: 1, inflight: 1 });
    await until(() => counts().records === 1, { timeoutMs: MERGE_DELAY_MS + 2000 });
    expect(counts()).toEqual({ records: 1, finished: 0, inflight: 0 });
    const row = store.db.prepare('SELECT seq, id, target, arguments, outcome, rule, bytes_out, delivery FROM audit_records').get();
    expect(row).toEqual({ seq, id: 'rec-1', target: 'tool_1', arguments: '{"n":1}', outcome: 'ok', rule: 'default', bytes_out: 20, delivery: 0 });
  });

  it('lets an in-process reader see every committed call at once through settle()', async () => {
    const queries = new AuditQueries(store.db, { beforeRead: () => void store.settle() });
    await Promise.all([1, 2, 3].map((i) => store.record(entry(i), OK)));
    expect(counts().records).toBe(0);
    expect(queries.list({}).records.map((r) => r.id)).toEqual(['rec-3', 'rec-2', 'rec-1']);
  });

  it('keeps the seq each call was given and the commit order across batches', async () => {
    const seqs: number[] = [];
    for (let batch = 0; batch < 3; batch++) {
      seqs.push(...await Promise.all(Array.from({ length: 5 }, (_, k) => store.record(entry(batch * 5 + k), OK))));
      if (batch === 1) store.settle();
    }
    store.settle();
    const rows = store.db.prepare('SELECT seq, id FROM audit_records ORDER BY seq').all() as Array<{ seq: number; id: string }>;
    expect(rows.map((r) => r.seq)).toEqual(seqs);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 15 }, (_, i) => `rec-${i}`));
    expect(new Set(seqs).size).toBe(15);
  });

  it('indexes a full batch at once, without waiting for the delay', async () => {
    await Promise.all(Array.from({ length: MERGE_BATCH }, (_, i) => store.record(entry(i), OK)));
    expect(counts()).toEqual({ records: MERGE_BATCH, finished: 0, inflight: 0 });
  });

  it('keeps the rows and reports the error when the move fails, and moves them once it can', async () => {
    const errors: string[] = [];
    store.onMergeError((error) => errors.push(error.message));
    await store.record(entry(1), OK);
    // A row already holding the id makes audit_records refuse the whole batch (UNIQUE id).
    store.db.prepare("INSERT INTO audit_records (seq, id, ts, server_id, method, outcome) VALUES (999999, 'rec-1', 0, 'x', 'tools/call', 'ok')").run();
    expect(store.settle()).toBe(false);
    expect(errors[0]).toMatch(/audit store .*audit\.db.*UNIQUE/);
    expect(counts()).toMatchObject({ finished: 1, inflight: 1 });
    store.db.prepare('DELETE FROM audit_records WHERE seq = 999999').run();
    expect(store.settle()).toBe(true);
    expect(store.db.prepare('SELECT id, outcome FROM audit_records').all()).toEqual([{ id: 'rec-1', outcome: 'ok' }]);
  });

  it('indexes what a killed process finished but had not indexed, and records its running calls as interrupted', () => {
    store.close();
    const storeModule = fileURLToPath(new URL('../../../main/audit/store.ts', import.meta.url));
    // A writer that finishes 50 calls, starts one more, and is SIGKILLed before its merge timer fires.
    const script = `
      import { AuditStore } from ${JSON.stringify(storeModule)};
      const store = AuditStore.open(${JSON.stringify(dir)});
      const e = (i) => ({ id: 'rec-' + i, time: i, sessionId: 's', requestId: String(i), serverId: 'github', transport: 'socket', clientName: null,
        clientVersion: null, clientLabel: null, method: 'tools/call', target: 't', arguments: null, argumentsTruncated: false, captureMode: 'none', osUser: 'u', deviceId: 'd' });
      const ok = { decision: 'allow', rule: null, source: null, reason: null, approver: null, outcome: 'ok', errorType: null, errorMessage: null, durationMs: 1, bytesIn: 1, bytesOut: 1 };
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.begin(e(i)).then((call) => store.finish(call, ok))));
      await store.begin(e(50));
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    expect(counts()).toEqual({ records: 0, finished: 50, inflight: 51 });

    store = AuditStore.open(dir);
    expect(store.recoverInterrupted()).toBe(1);
    const rows = store.db.prepare('SELECT id, outcome FROM audit_records ORDER BY seq').all() as Array<{ id: string; outcome: string }>;
    expect(rows).toHaveLength(51);
    expect(rows.slice(0, 50).every((r) => r.outcome === 'ok')).toBe(true);
    expect(rows[50]).toEqual({ id: 'rec-50', outcome: 'interrupted' });
    expect(counts()).toEqual({ records: 51, finished: 0, inflight: 0 });
  });

  it('at start, records only the calls that never finished as interrupted, even when indexing fails', async () => {
    const finished = await store.begin(entry(1));
    await store.finish(finished, OK);
    await store.begin(entry(2)); // still running when the process goes away
    // A row already holding id rec-1 makes every move fail, at close and at the next start.
    store.db.prepare("INSERT INTO audit_records (seq, id, ts, server_id, method, outcome) VALUES (999999, 'rec-1', 0, 'x', 'tools/call', 'ok')").run();
    store.close();
    store = AuditStore.open(dir);
    const errors: string[] = [];
    store.onMergeError((error) => errors.push(error.message));
    expect(store.recoverInterrupted()).toBe(1);
    expect(errors).toHaveLength(1);
    expect(counts()).toMatchObject({ finished: 2, inflight: 2 });
    store.db.prepare('DELETE FROM audit_records WHERE seq = 999999').run();
    expect(store.settle()).toBe(true);
    expect(store.db.prepare('SELECT id, outcome FROM audit_records ORDER BY seq').all()).toEqual([
      { id: 'rec-1', outcome: 'ok' },
      { id: 'rec-2', outcome: 'interrupted' },
    ]);
  });

  it('lets a reader in another process index what a running writer has finished', async () => {
    await Promise.all([1, 2].map((i) => store.record(entry(i), OK)));
    expect(settleAuditFile(auditDbPath(dir))).toBe(2);
    expect(counts()).toEqual({ records: 2, finished: 0, inflight: 0 });
    // The writer carries on: its next rows continue the seq after what the reader moved.
    const seq = await store.record(entry(3), OK);
    store.settle();
    expect(store.db.prepare('SELECT seq, id FROM audit_records ORDER BY seq').all().at(-1)).toEqual({ seq, id: 'rec-3' });
    expect(seq).toBe(3);
  });
});

describe('AuditStore session rows', () => {
  function sessions(): number {
    return (store.db.prepare('SELECT count(*) AS n FROM audit_sessions').get() as { n: number }).n;
  }
  const other = (i: number): AuditEntry => ({ ...entry(i), sessionId: 's2', serverId: 'filesystem', clientName: 'vscode', clientVersion: '2', transport: 'http', clientLabel: 'vscode' });

  it('writes what a session shares once, and joins it back into every record', async () => {
    await Promise.all([1, 2, 3].map((i) => store.record(entry(i), OK)));
    await store.record(other(4), OK);
    // Same session id, another client version (a reconnect): a new session row, never the old one's values.
    await store.record({ ...entry(5), clientVersion: '9' }, OK);
    expect(sessions()).toBe(3);
    store.settle();
    const rows = store.db.prepare('SELECT id, session_id, server_id, transport, client_name, client_version, client_label, os_user, device_id FROM audit_records ORDER BY seq').all();
    expect(rows).toEqual([
      ...[1, 2, 3].map((i) => ({ id: `rec-${i}`, session_id: 's', server_id: 'github', transport: 'socket', client_name: 'cursor', client_version: '1', client_label: 'bridge', os_user: 'u', device_id: 'd' })),
      { id: 'rec-4', session_id: 's2', server_id: 'filesystem', transport: 'http', client_name: 'vscode', client_version: '2', client_label: 'vscode', os_user: 'u', device_id: 'd' },
      { id: 'rec-5', session_id: 's', server_id: 'github', transport: 'socket', client_name: 'cursor', client_version: '9', client_label: 'bridge', os_user: 'u', device_id: 'd' },
    ]);
  });

  it('writes the session again after a commit that wrote it rolled back (disk full), so no record loses it', async () => {
    store.db.pragma('incremental_vacuum');
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    // The session row fits in its table's empty page; the call's 20 kB of arguments do not.
    await expect(store.record({ ...other(1), arguments: 'x'.repeat(20_000) }, OK)).rejects.toThrow(/SQLITE_FULL/);
    expect(sessions()).toBe(0);
    store.db.pragma('max_page_count = 1073741823');
    await store.record(other(2), OK);
    store.settle();
    expect(store.db.prepare('SELECT id, server_id, client_name FROM audit_records').all()).toEqual([{ id: 'rec-2', server_id: 'filesystem', client_name: 'vscode' }]);
  });

  it('at start, forgets the sessions of the last run once its calls are recorded', async () => {
    await store.record(entry(1), OK);
    await store.begin(other(2)); // still running when the process stops
    store.close();
    store = new AuditStore(auditDbPath(dir));
    store.recoverInterrupted();
    expect(sessions()).toBe(0);
    expect(store.db.prepare('SELECT id, outcome, server_id, client_name FROM audit_records ORDER BY seq').all()).toEqual([
      { id: 'rec-1', outcome: 'ok', server_id: 'github', client_name: 'cursor' },
      { id: 'rec-2', outcome: 'interrupted', server_id: 'filesystem', client_name: 'vscode' },
    ]);
  });

  it('upgrades a version 2 file with running calls: each keeps its session values and is recorded as interrupted', () => {
    store.close();
    rmSync(auditDbPath(dir));
    const old = new Database(auditDbPath(dir));
    old.pragma('journal_mode = WAL');
    for (const migration of MIGRATIONS.slice(0, 2)) old.exec(migration);
    old.pragma('user_version = 2');
    const insert = old.prepare(`INSERT INTO audit_inflight (id, ts, session_id, request_id, server_id, transport, client_name, client_version, client_label,
      method, target, arguments, arguments_truncated, capture_mode, os_user, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'tools/call', ?, '{}', 0, 'full', 'u', ?)`);
    insert.run('old-1', 1, 's', '1', 'github', 'socket', 'cursor', '1', 'bridge', 'a', 'd');
    insert.run('old-2', 2, null, '2', 'github', null, null, null, null, 'b', null);
    insert.run('old-3', 3, 's', '3', 'github', 'socket', 'cursor', '1', 'bridge', 'c', 'd');
    old.prepare(`INSERT INTO audit_finished (seq, inflight_seq, outcome) VALUES (1, 3, 'ok')`).run();
    old.close();

    store = new AuditStore(auditDbPath(dir));
    expect(store.recoverInterrupted()).toBe(2);
    expect(store.db.prepare('SELECT id, session_id, server_id, transport, client_name, target, device_id, outcome FROM audit_records ORDER BY seq').all()).toEqual([
      { id: 'old-3', session_id: 's', server_id: 'github', transport: 'socket', client_name: 'cursor', target: 'c', device_id: 'd', outcome: 'ok' },
      { id: 'old-1', session_id: 's', server_id: 'github', transport: 'socket', client_name: 'cursor', target: 'a', device_id: 'd', outcome: 'interrupted' },
      { id: 'old-2', session_id: null, server_id: 'github', transport: null, client_name: null, target: 'b', device_id: null, outcome: 'interrupted' },
    ]);
  });
});
