import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientCancelled, PROXY_STOPPING, ProxyErrorCode, ProxyStopping, type RelayResponse } from '../../../main/relay/interceptor.ts';
import { AuditInterceptor } from '../../../main/audit/audit-interceptor.ts';
import { AuditStore } from '../../../main/audit/store.ts';
import { AuditQueries } from '../../../main/audit/audit-queries.ts';
import { AUDIT_SCHEMA_VERSION, auditDbPath, openAuditDatabase } from '../../../main/audit/database.ts';
import { createAuditHarness, fakeUpstream, makeCallContext, makeSession, type AuditHarness } from '../../support/audit-harness.ts';

let dir: string;
let harness: AuditHarness;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-'));
  harness = createAuditHarness(dir);
});
afterEach(() => {
  harness.close();
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditInterceptor', () => {
  it('commits a pending row before the call goes upstream and completes it before answering', async () => {
    const session = makeSession({ serverId: 'github', transport: 'http', clientLabel: 'cursor' });
    const ctx = makeCallContext(session, 7, { name: 'create_issue', arguments: { title: 'hello', api_key: 'sk-live-0123456789abcdef' }, decision: { action: 'ask', rule: 'ask github/*', source: 'managed' }, approver: 'user:allow-once' });
    let seenDuringCall: string | undefined;
    const response = await harness.interceptor.handle(ctx, async (request) => {
      // Another connection (like the CLI) sees the committed row while the call runs.
      const reader = new Database(auditDbPath(dir), { readonly: true });
      seenDuringCall = (reader.prepare('SELECT target FROM audit_inflight WHERE request_id = ?').get('7') as { target: string }).target;
      reader.close();
      return fakeUpstream()(request);
    });
    expect(seenDuringCall).toBe('create_issue');
    expect('result' in response).toBe(true);
    const [record] = harness.queries.list({}).records;
    expect(record).toMatchObject({
      serverId: 'github', transport: 'http', clientName: 'claude-desktop', clientVersion: '0.9.2', clientLabel: 'cursor',
      sessionId: session.sessionId, requestId: '7', method: 'tools/call', target: 'create_issue', decision: 'ask', rule: 'ask github/*',
      source: 'managed', approver: 'user:allow-once', outcome: 'ok', errorType: null, delivery: 'pending', captureMode: 'redacted',
      deviceId: harness.identity.deviceId, osUser: harness.identity.osUser,
    });
    expect(record!.bytesIn).toBe(ctx.bytesIn);
    // Measured by the interceptor from the answer it returns, not left to whoever answered.
    expect(record!.bytesOut).toBe(Buffer.byteLength(JSON.stringify(response)));
    expect(record!.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(record!.arguments!)).toEqual({ title: 'hello', api_key: '[REDACTED]' });
  });

  it('classifies outcomes from the response', async () => {
    const session = makeSession();
    // The third element is why the relay aborted the call's signal, if it did.
    const cases: Array<[string, (id: number) => RelayResponse, Error | undefined]> = [
      ['tool_error', (id) => ({ jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text: 'repo not found' }] } }), undefined],
      ['protocol_error', (id) => ({ jsonrpc: '2.0', id, error: { code: -32602, message: 'bad params' } }), undefined],
      ['timeout', (id) => ({ jsonrpc: '2.0', id, error: { code: ProxyErrorCode.Timeout, message: 'no answer in 60 s' } }), undefined],
      ['denied', (id) => ({ jsonrpc: '2.0', id, error: { code: ProxyErrorCode.Denied, message: 'denied by deny github/delete_*' } }), undefined],
      ['cancelled', (id) => ({ jsonrpc: '2.0', id, error: { code: -32800, message: 'cancelled' } }), new ClientCancelled()],
      // The server crashed mid-call: the relay ends the call (and aborts its signal) itself; nobody cancelled it.
      ['protocol_error', (id) => ({ jsonrpc: '2.0', id, error: { code: ProxyErrorCode.ServerUnavailable, message: "server 'github' crashed (signal SIGKILL)" } }), new Error("server 'github' crashed")],
      // The daemon stopped: answered by the relay while upstream, or ended inside the chain (e.g. waiting for an approval).
      ['interrupted', (id) => ({ jsonrpc: '2.0', id, error: { code: ProxyErrorCode.ServerUnavailable, message: 'the daemon is stopping', data: { reason: PROXY_STOPPING } } }), new Error('the daemon is stopping')],
      ['interrupted', (id) => ({ jsonrpc: '2.0', id, error: { code: ProxyErrorCode.Denied, message: 'approval withdrawn' } }), new ProxyStopping('the daemon is stopping')],
    ];
    let id = 0;
    for (const [, answer, abortReason] of cases) {
      const controller = new AbortController();
      if (abortReason) controller.abort(abortReason);
      const ctx = makeCallContext(session, ++id, { signal: controller.signal });
      await harness.interceptor.handle(ctx, fakeUpstream((request) => answer(request.id as number)));
    }
    const outcomes = harness.queries.list({}).records.reverse().map((r) => r.outcome);
    expect(outcomes).toEqual(cases.map(([outcome]) => outcome));
    const toolError = harness.queries.list({ outcome: 'tool_error' }).records[0]!;
    expect(toolError.errorMessage).toBe('repo not found');
    expect(harness.queries.list({ outcome: 'timeout' }).records[0]!.errorType).toBe('timeout');
    expect(harness.queries.list({ outcome: 'protocol_error' }).records.map((record) => record.errorType)).toContain('server_unavailable');
    expect(harness.queries.list({ outcome: 'interrupted' }).records.map((record) => record.errorType)).toEqual(['daemon_stopped', 'daemon_stopped']);
  });

  it('records resources/read by URI (credentials redacted) and prompts/get by name', async () => {
    const session = makeSession();
    let ctx = makeCallContext(session, 1, { method: 'resources/read', uri: 'https://user:pa55word@example.com/doc?access_token=abc123' });
    await harness.interceptor.handle(ctx, fakeUpstream());
    ctx = makeCallContext(session, 2, { method: 'prompts/get', name: 'summarize', arguments: { topic: 'x' } });
    await harness.interceptor.handle(ctx, fakeUpstream());
    const [prompt, resource] = harness.queries.list({}).records;
    expect(resource!.target).not.toContain('pa55word');
    expect(resource!.target).not.toContain('abc123');
    expect(prompt).toMatchObject({ method: 'prompts/get', target: 'summarize' });
  });

  it("redacts with the policy's patterns as they are when each call is recorded", async () => {
    harness.close();
    let patterns: readonly string[] = ['acct-[0-9]+'];
    const store = new AuditStore(auditDbPath(dir));
    const queries = new AuditQueries(store.db, { beforeRead: () => void store.settle() });
    const interceptor = new AuditInterceptor({ store, identity: harness.identity, captureMode: () => 'full', redactPatterns: () => patterns });
    harness = { ...harness, store, close: () => store.close() };
    const session = makeSession();
    await interceptor.handle(makeCallContext(session, 1, { arguments: { q: 'acct-12345 and ref-9' } }), fakeUpstream());
    patterns = ['ref-[0-9]+'];
    await interceptor.handle(makeCallContext(session, 2, { arguments: { q: 'acct-12345 and ref-9' } }), fakeUpstream());
    patterns = ['ref-(9'];
    await interceptor.handle(makeCallContext(session, 3, { arguments: { q: 'acct-12345 and ref-9' } }), fakeUpstream());
    const byRequest = new Map(queries.list({}).records.map((record) => [record.requestId, record.arguments]));
    expect(byRequest.get('1')).toBe('{"q":"[REDACTED] and ref-9"}');
    expect(byRequest.get('2')).toBe('{"q":"acct-12345 and [REDACTED]"}');
    // A pattern that does not compile: no arguments rather than unredacted ones.
    expect(byRequest.get('3')).toBeNull();
  });

  it('notifies listeners of each record', async () => {
    const seen: string[] = [];
    const off = harness.interceptor.onRecord((record) => seen.push(`${record.target}:${record.outcome}`));
    const ctx = makeCallContext(makeSession(), 1, { name: 'search' });
    await harness.interceptor.handle(ctx, fakeUpstream());
    off();
    expect(seen).toEqual(['search:ok']);
  });

  it('fails closed when the store is full: the call never goes upstream', async () => {
    harness.store.db.pragma('incremental_vacuum'); // no free pages left in the file (a migration's dropped table)
    const pages = harness.store.db.pragma('page_count', { simple: true }) as number;
    harness.store.db.pragma(`max_page_count = ${pages}`);
    // Fill the last free space, down to small gaps in pages; the call's 8,000-character argument
    // then needs new (overflow) pages.
    const fill = harness.store.db.prepare('INSERT INTO audit_meta(key, value) VALUES (?, ?)');
    let filled = 0;
    for (const size of [2000, 200, 20]) {
      for (let i = 0; i < 1000; i++) {
        try {
          fill.run(`fill-${size}-${i}`, 'x'.repeat(size));
          filled++;
        } catch {
          break;
        }
      }
    }
    expect(filled).toBeGreaterThan(0);
    let upstreamCalls = 0;
    const ctx = makeCallContext(makeSession(), 1, { arguments: { big: 'y'.repeat(8000) } });
    const response = await harness.interceptor.handle(ctx, async (request) => {
      upstreamCalls++;
      return fakeUpstream()(request);
    });
    expect(upstreamCalls).toBe(0);
    expect('error' in response && response.error.code).toBe(ProxyErrorCode.FailClosed);
    expect('error' in response && response.error.message).toMatch(/audit store .*audit\.db.*SQLITE_FULL/);
  });

  it('fails closed when the database cannot be written (read-only file)', async () => {
    harness.close();
    chmodSync(auditDbPath(dir), 0o444);
    // As root the mode bits do not stop writes, so the connection is also opened read-only:
    // either way SQLite answers SQLITE_READONLY, as it does for a file the user cannot write.
    const store = new AuditStore(auditDbPath(dir), new Database(auditDbPath(dir), { readonly: true }));
    const interceptor = new AuditInterceptor({ store, identity: harness.identity, captureMode: () => 'redacted' });
    let upstreamCalls = 0;
    const ctx = makeCallContext(makeSession(), 1);
    const response = await interceptor.handle(ctx, async (request) => {
      upstreamCalls++;
      return fakeUpstream()(request);
    });
    store.close();
    expect(upstreamCalls).toBe(0);
    expect('error' in response && response.error.code).toBe(ProxyErrorCode.FailClosed);
    expect('error' in response && response.error.message).toMatch(/audit store .*SQLITE_READONLY/);
    chmodSync(auditDbPath(dir), 0o600);
    harness = createAuditHarness(dir);
  });
});

describe('audit database', () => {
  it('refuses a database from a newer app version with a clear message', () => {
    harness.close();
    const raw = new Database(auditDbPath(dir));
    raw.pragma(`user_version = ${AUDIT_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openAuditDatabase(auditDbPath(dir))).toThrow(/newer than this app understands/);
    expect(() => openAuditDatabase(auditDbPath(dir), { readonly: true })).toThrow(/newer than this app understands/);
    const fixed = new Database(auditDbPath(dir));
    fixed.pragma(`user_version = ${AUDIT_SCHEMA_VERSION}`);
    fixed.close();
    harness = createAuditHarness(dir);
  });

  it('marks calls left in flight by a crash as interrupted on the next start', async () => {
    const call = await harness.store.begin({
      id: 'id-1', time: Date.now(), sessionId: 's', requestId: '1', serverId: 'x', transport: 'socket', clientName: null, clientVersion: null,
      clientLabel: 'bridge', method: 'tools/call', target: 't', arguments: null, argumentsTruncated: false, captureMode: 'none', osUser: 'u', deviceId: 'd',
    });
    expect(call.inflightSeq).toBeGreaterThan(0);
    harness.close();
    harness = createAuditHarness(dir); // recoverInterrupted runs here, as the daemon does at start
    const record = new AuditQueries(harness.store.db).get('id-1')!;
    expect(record.outcome).toBe('interrupted');
    expect(record.delivery).toBe('pending');
  });
});
