import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditForwarder, type ForwarderConfig } from '../../../main/forwarder/audit-forwarder.ts';
import { auditDbPath } from '../../../main/audit/database.ts';
import { FakeGateway, attr } from '../../support/gateway.ts';
import { createAuditHarness, driveCalls, type AuditHarness } from '../../support/audit-harness.ts';
import type { InventoryServer } from '../../../main/forwarder/inventory.ts';

let dir: string;
let gateway: FakeGateway;
let harness: AuditHarness;
let forwarder: AuditForwarder | undefined;
const children: ChildProcess[] = [];

const fast = (url: string, extra: Partial<ForwarderConfig> = {}): ForwarderConfig => ({ url, batchSize: 500, intervalMs: 20, backoff: { baseMs: 20, maxMs: 200 }, ...extra });

function makeForwarder(config: ForwarderConfig, extra: { inventory?: { listServers(): Promise<InventoryServer[]> }; token?: string } = {}): AuditForwarder {
  forwarder = new AuditForwarder({
    outbox: harness.outbox,
    identity: { ...harness.identity, serviceVersion: '0.1.0-test' },
    getToken: async () => extra.token ?? 'gateway-token',
    ...(extra.inventory ? { inventory: extra.inventory } : {}),
  }, config);
  return forwarder;
}

function allIds(): string[] {
  return (harness.store.db.prepare('SELECT id FROM audit_records ORDER BY seq').all() as Array<{ id: string }>).map((r) => r.id);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fwd-'));
  gateway = new FakeGateway();
  await gateway.start();
  harness = createAuditHarness(dir);
});
afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  harness.close();
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditForwarder against a real HTTP gateway', () => {
  it('delivers every record exactly once by id after an outage (duplicates only from a lost acknowledgement)', async () => {
    gateway.expectedToken = 'gateway-token';
    await gateway.down();
    const fwd = makeForwarder(fast(gateway.url));
    fwd.start();
    await driveCalls(harness.interceptor, 10_000, { concurrency: 32 });
    expect(fwd.status().lastError?.message).toMatch(/cannot reach the gateway/);
    expect(fwd.status().backlog).toBe(10_000);

    gateway.enqueue({ kind: 'status', status: 200 }, { kind: 'drop-ack' });
    await gateway.up();
    const ids = allIds();
    await gateway.waitFor(() => ids.every((id) => gateway.received.has(id)), 60_000, 'all 10,000 records');
    await new Promise((resolve) => setTimeout(resolve, 100));

    const droppedAck = new Set(gateway.requests.find((r) => r.status === 'dropped')!.uids);
    expect(droppedAck.size).toBe(500);
    expect(gateway.uniqueCount()).toBe(10_000);
    for (const uid of gateway.duplicates()) expect(droppedAck.has(uid)).toBe(true);
    for (const [uid, n] of gateway.received) expect(n).toBeLessThanOrEqual(droppedAck.has(uid) ? 2 : 1);
    expect(gateway.requests.filter((r) => r.status === 200).every((r) => r.contentEncoding === 'gzip' && r.authorization === 'Bearer gateway-token')).toBe(true);
    const status = fwd.status();
    expect(status.backlog).toBe(0);
    expect(status.lastSuccessAt).not.toBeNull();

    // The OTLP shape: resource and semantic-convention attributes.
    const record = gateway.records.find((r) => attr(r, 'log.record.uid') === ids[0])!;
    expect(attr(record, 'mcp.method.name')).toBe('tools/call');
    expect(attr(record, 'gen_ai.tool.name')).toBe('create_issue');
    expect(attr(record, 'mcp.session.id')).toBeTruthy();
    expect(attr(record, 'mcp_switchboard.outcome')).toBe('ok');
    const resource = Object.fromEntries(gateway.resources[0]!.map((a) => [a.key, a.value.stringValue]));
    expect(resource['service.name']).toBe('mcp-switchboard');
    expect(resource['host.id']).toBe(harness.identity.deviceId);
    expect(resource['user.name']).toBe(harness.identity.osUser);
  }, 120_000);

  it('waits as Retry-After says on 429, retries a 503, and surfaces a 400 without losing the batch', async () => {
    await driveCalls(harness.interceptor, 30);
    gateway.enqueue(
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 200 },
      { kind: 'status', status: 400, body: '{"error":"schema mismatch in batch"}' },
    );
    const fwd = makeForwarder(fast(gateway.url, { batchSize: 10 }));
    fwd.start();
    const ids = allIds();
    await gateway.waitFor(() => gateway.requests.length >= 5, 20_000, 'five requests');
    await gateway.waitFor(() => ids.slice(20).every((id) => gateway.received.has(id)), 20_000, 'the third batch');

    const [first, second] = gateway.requests;
    expect(first!.status).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900); // Retry-After: 1 second, loosely
    expect(gateway.requests[1]!.status).toBe(503);
    expect(gateway.requests[3]!.status).toBe(400);
    const refused = gateway.requests[3]!.uids;
    expect(refused.every((uid) => !gateway.received.has(uid))).toBe(true);

    const status = fwd.status();
    expect(status.failed).toBe(10);
    expect(status.lastError).toMatchObject({ status: 400 });
    expect(status.lastError!.message).toMatch(/schema mismatch in batch/);
    const failedRows = harness.store.db.prepare("SELECT count(*) AS n FROM audit_records WHERE delivery = 2").get() as { n: number };
    expect(failedRows.n).toBe(10);

    // A config change (or the next start) gives the refused batch another chance.
    fwd.configure(fast(gateway.url, { batchSize: 10 }));
    await gateway.waitFor(() => refused.every((uid) => gateway.received.has(uid)), 20_000, 'the refused batch');
    expect(gateway.uniqueCount()).toBe(30);
    expect(fwd.status().failed).toBe(0);
  }, 60_000);

  it('records partial success and reports records dropped by the backlog cap', async () => {
    await driveCalls(harness.interceptor, 80);
    gateway.enqueue({ kind: 'partial', rejected: 3, message: 'attribute too long' });
    const fwd = makeForwarder(fast(gateway.url, { batchSize: 100, maxBacklog: 50 }));
    fwd.start();
    await gateway.waitFor(() => gateway.requests.length >= 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const status = fwd.status();
    expect(status.rejectedTotal).toBe(3);
    expect(status.droppedTotal).toBe(30);
    expect(status.lastError!.message).toMatch(/rejected 3 records.*attribute too long/);
    const dropped = gateway.records.find((r) => r.eventName === 'mcp_switchboard.audit.dropped')!;
    expect(attr(dropped, 'mcp_switchboard.dropped.count')).toBe('30');
    expect(gateway.uniqueCount()).toBe(51);
    expect(harness.outbox.droppedUnreported()).toBe(0);
  });

  it('sends an inventory of servers on start and when it changes', async () => {
    let servers: InventoryServer[] = [
      { id: 'github', transport: 'stdio', enabled: true, command: 'npx', args: ['-y', '@modelcontextprotocol/server-github', '--token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'], package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-github', version: '1.2.3' }, tools: [{ name: 'create_issue', description: 'Create an issue' }], policyStatus: 'allowed' },
      { id: 'remote', transport: 'streamable-http', enabled: true, url: 'https://mcp.example.com/mcp', tools: null, policyStatus: 'allowed' },
    ];
    const fwd = makeForwarder(fast(gateway.url), { inventory: { listServers: async () => servers } });
    fwd.start();
    const inventory = () => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.inventory.server');
    await gateway.waitFor(() => inventory().length === 2, 10_000, 'the inventory');
    const github = inventory().find((r) => attr(r, 'mcp_switchboard.server.id') === 'github')!;
    expect(attr(github, 'mcp_switchboard.package.version')).toBe('1.2.3');
    expect(JSON.stringify(attr(github, 'mcp_switchboard.server.tool.names'))).toContain('create_issue');
    expect(JSON.stringify(attr(github, 'mcp_switchboard.server.tool.description_sha256'))).toContain(createHash('sha256').update('Create an issue').digest('hex'));
    expect(JSON.stringify(github)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    servers = servers.slice(0, 1);
    fwd.inventoryChanged();
    await gateway.waitFor(() => inventory().length === 3, 10_000, 'the changed inventory');
    expect(fwd.status().inventorySentAt).not.toBeNull();
  });

  it('never lets planted secrets reach SQLite files or the gateway', async () => {
    const secrets = ['sk-live-51H8abcdefghijklmnop', 'ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8', 'xoxb-2222222222-abcdefghijkl', 'hunter2-plain-password', 'AKIAIOSFODNN7EXAMPLE', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLXZhbHVlLTEyMw'];
    await driveCalls(harness.interceptor, 20, {
      call: (i) => ({
        arguments: {
          api_key: secrets[0], headers: { Authorization: `Bearer ${secrets[1]}` }, note: `use ${secrets[2]} and ${secrets[4]}`,
          nested: [{ password: secrets[3] }], jwt_in_text: `token is ${secrets[5]}`, i,
        },
      }),
    });
    const fwd = makeForwarder(fast(gateway.url));
    fwd.start();
    const ids = allIds();
    await gateway.waitFor(() => ids.every((id) => gateway.received.has(id)), 10_000);
    await fwd.stop();
    harness.store.flush();
    const files = readdirSync(dir).filter((f) => f.startsWith('audit.db'));
    expect(files).toContain('audit.db-wal');
    const haystacks = [...files.map((f) => readFileSync(join(dir, f))), ...gateway.rawBodies];
    for (const secret of secrets) for (const bytes of haystacks) expect(bytes.includes(secret)).toBe(false);
    // The arguments are still there, redacted.
    expect(Buffer.concat(gateway.rawBodies).toString()).toContain('[REDACTED]');
  });

  it('delivers every answered call after a SIGKILL mid-batch and a restart', async () => {
    // The third batch hangs at the gateway (received, never acknowledged) when the daemon is killed.
    gateway.enqueue({ kind: 'status', status: 200 }, { kind: 'status', status: 200 }, { kind: 'hang' });
    harness.close();
    const answered = new Set<string>();
    const child = startChild({ CALLS: '400' }, (line) => {
      const match = /^answered (\d+)$/.exec(line);
      if (match) answered.add(match[1]!);
    });
    await gateway.waitFor(() => gateway.hungCount > 0, 30_000, 'a batch in flight');
    await until(() => answered.size >= 150, 30_000, 'calls answered');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    gateway.release();
    expect(answered.size).toBeLessThan(400); // killed while calls were running

    const restarted = startChild({ CALLS: '0' }, () => {});
    const reader = new Database(auditDbPath(dir), { readonly: true });
    try {
      const rows = reader.prepare("SELECT id, request_id FROM audit_records WHERE session_id LIKE 'child-%'").all() as Array<{ id: string; request_id: string }>;
      const byRequest = new Set(rows.map((r) => r.request_id));
      for (const requestId of answered) expect(byRequest.has(requestId)).toBe(true);
      await gateway.waitFor(() => rows.every((r) => gateway.received.has(r.id)), 30_000, 'every row at the gateway');
    } finally {
      reader.close();
      restarted.kill('SIGTERM');
      await new Promise((resolve) => restarted.once('exit', resolve));
    }
    harness = createAuditHarness(dir);
    const interrupted = harness.queries.list({ outcome: 'interrupted', limit: 1000 }).records;
    for (const record of interrupted) expect(gateway.received.has(record.id)).toBe(true);
  }, 90_000);
});

function startChild(env: Record<string, string>, onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../support/audit-forwarder-child.ts')], {
    env: { ...process.env, DATA_DIR: dir, GATEWAY_URL: gateway.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
