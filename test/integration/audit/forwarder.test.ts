// The forwarder on its own against a real HTTP gateway (test/support/gateway.ts): partial
// success, the backlog cap, the inventory, and "Retry now". The Done-when items (outage, SIGKILL,
// 429/503/400, secrets) run through a real `switchboard serve` in through-daemon.test.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditForwarder, type ForwarderConfig } from '../../../main/forwarder/audit-forwarder.ts';
import { otlpLogsEndpoint } from '../../../main/forwarder/gateway-url.ts';
import { FakeGateway, attr } from '../../support/gateway.ts';
import { createAuditHarness, driveCalls, type AuditHarness } from '../../support/audit-harness.ts';
import { until } from '../../support/until.ts';
import type { InventoryServer } from '../../../main/forwarder/inventory.ts';

let dir: string;
let gateway: FakeGateway;
let harness: AuditHarness;
let forwarder: AuditForwarder | undefined;

const fast = (url: string, extra: Partial<ForwarderConfig> = {}): ForwarderConfig => ({ url, batchSize: 500, intervalMs: 20, backoff: { baseMs: 20, maxMs: 200 }, ...extra });

function makeForwarder(config: ForwarderConfig, extra: { inventory?: { listServers(): Promise<InventoryServer[]> }; token?: string; random?: () => number } = {}): AuditForwarder {
  forwarder = new AuditForwarder({
    outbox: harness.outbox,
    identity: { ...harness.identity, serviceVersion: '0.1.0-test' },
    getToken: async () => extra.token ?? 'gateway-token',
    ...(extra.inventory ? { inventory: extra.inventory } : {}),
    ...(extra.random ? { random: extra.random } : {}),
  }, config);
  return forwarder;
}

function allIds(): string[] {
  harness.store.settle();
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
  harness.close();
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditForwarder against a real HTTP gateway', () => {
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

  it('sends the inventory again only when it differs, and looks again soon while a server is still starting', async () => {
    const tools: InventoryServer['tools'] = [{ name: 'echo', description: 'Returns its text argument' }];
    let server: InventoryServer = { id: 'echo', transport: 'stdio', enabled: true, command: 'node', args: ['echo.js'], tools: null, policyStatus: 'allowed' };
    let looks = 0;
    const fwd = makeForwarder(fast(gateway.url), { inventory: { listServers: async () => (looks++, [server]) } });
    fwd.start();
    const inventory = () => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.inventory.server');
    await gateway.waitFor(() => inventory().length === 1, 10_000, 'the inventory at start');
    expect(attr(inventory()[0]!, 'mcp_switchboard.server.tool.names')).toBeUndefined();
    // Nothing announces that the server came up: the forwarder looks again by itself.
    server = { ...server, tools };
    await gateway.waitFor(() => inventory().length === 2, 10_000, 'the inventory with tools');
    expect(JSON.stringify(attr(inventory()[1]!, 'mcp_switchboard.server.tool.names'))).toContain('echo');
    // Announced changes that change nothing send nothing.
    const before = looks;
    fwd.inventoryChanged();
    fwd.inventoryChanged();
    await until(() => looks > before, { timeoutMs: 10_000, what: 'the inventory to be looked at' });
    await driveCalls(harness.interceptor, 3);
    const ids = allIds();
    await gateway.waitFor(() => ids.every((id) => gateway.received.has(id)), 10_000, 'calls sent after the check');
    expect(inventory()).toHaveLength(2);
  });

  // random: () => 1 makes every backoff its bound: ten minutes here.
  const slow = (url: string, extra: Partial<ForwarderConfig> = {}): ForwarderConfig => ({ url, intervalMs: 20, backoff: { baseMs: 600_000, maxMs: 600_000 }, ...extra });

  it('"Retry now" (retryFailed) forgets a long backoff and delivers at once', async () => {
    await driveCalls(harness.interceptor, 5);
    await gateway.down();
    const fwd = makeForwarder(slow(gateway.url), { random: () => 1 });
    fwd.start();
    await until(() => fwd.status().nextAttemptAt !== null, { timeoutMs: 10_000, what: 'the forwarder to back off' });
    expect(fwd.status().nextAttemptAt! - Date.now()).toBeGreaterThan(500_000);
    await gateway.up();
    expect(fwd.retryFailed()).toBe(0);
    const ids = allIds();
    await gateway.waitFor(() => ids.every((id) => gateway.received.has(id)), 10_000, 'the records after "Retry now"');
    await until(() => fwd.status().backlog === 0, { timeoutMs: 10_000, what: 'an empty backlog' });
  });

  it('"Retry now" during an attempt that then fails tries again at once instead of backing off', async () => {
    await driveCalls(harness.interceptor, 5);
    gateway.enqueue({ kind: 'hang' });
    const fwd = makeForwarder(slow(gateway.url, { requestTimeoutMs: 300 }), { random: () => 1 });
    fwd.start();
    await gateway.waitFor(() => gateway.hungCount > 0, 10_000, 'an attempt under way');
    fwd.retryFailed();
    // The held request times out (a failed attempt): the next one follows at once, not in ten minutes.
    await gateway.waitFor(() => gateway.requests.some((r) => r.status === 200), 10_000, 'a second attempt');
    await until(() => fwd.status().backlog === 0, { timeoutMs: 10_000, what: 'an empty backlog' });
  });
});

// Both OTLP forms of the gateway URL: the base URL and the full logs endpoint a user copies from
// the collector's docs (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT); the full form used to get /v1/logs
// appended again, so nothing arrived.
describe('the gateway URL', () => {
  for (const form of ['base', 'base/', 'base/v1/logs', 'base/v1/logs/'] as const) {
    it(`delivers records when given as ${form}`, async () => {
      await driveCalls(harness.interceptor, 5);
      const url = form.replace('base', gateway.url);
      forwarder = new AuditForwarder({ outbox: harness.outbox, identity: { ...harness.identity, serviceVersion: 'test' }, getToken: async () => undefined }, { url, intervalMs: 20 });
      forwarder.start();
      await gateway.waitFor(() => gateway.uniqueCount() >= 5, 10_000);
      expect(gateway.uniqueCount()).toBe(5);
      expect(forwarder.status().lastError).toBeNull();
    });
  }

  it('keeps a path prefix and never doubles /v1/logs', () => {
    expect(otlpLogsEndpoint('https://otel.example.com')).toBe('https://otel.example.com/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/otlp/')).toBe('https://otel.example.com/otlp/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/otlp/v1/logs')).toBe('https://otel.example.com/otlp/v1/logs');
    expect(otlpLogsEndpoint('https://otel.example.com/v1/logs?tenant=a')).toBe('https://otel.example.com/v1/logs?tenant=a');
  });
});
