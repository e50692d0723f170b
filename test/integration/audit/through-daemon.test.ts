// The audit Done-when items through the real product: a `switchboard serve` process (the same
// composition as the desktop app) proxying a real stdio MCP server to SDK clients over /mcp and
// `switchboard bridge`, recording every call in its SQLite store and forwarding the records to a
// real HTTP gateway (test/support/gateway.ts) configured in settings.gateway. The gateway's
// credential is a keychain entry (real Secret Service; run inside scripts/run-tests-in-session.sh).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { uniqueService } from '../../unit/secrets/keychain-helpers.ts';
import {
  EVERYTHING_STDIO, driveEchoCalls, echoText, prepareAuditDataDir, readAuditRows, readInflightTargets, upstreamPids, withAuditApi,
  type AuditDaemon, type AuditDataDir,
} from '../../support/audit-fixture.ts';
import { runCli } from '../../support/cli.ts';
import { startTestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';
import { FakeGateway, attr } from '../../support/gateway.ts';

const DELIVERED = 1;
const FAILED = 2;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayUp(): Promise<FakeGateway> {
  const gateway = new FakeGateway();
  await gateway.start();
  cleanups.push(() => gateway.stop());
  return gateway;
}

function dataDir(gateway: FakeGateway, credential?: string, extraServers: readonly object[] = [], settings: object = {}): AuditDataDir {
  const data = prepareAuditDataDir({ url: gateway.url, ...(credential ? { credential } : {}) }, extraServers, settings);
  cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));
  return data;
}

async function serve(data: AuditDataDir, env?: Record<string, string>): Promise<AuditDaemon> {
  const daemon = withAuditApi(await startTestDaemon({ data, ...(env ? { env } : {}) }));
  cleanups.push(() => daemon.stop());
  return daemon;
}

async function connect(daemon: AuditDaemon, http: number, bridge: number): Promise<Client[]> {
  const clients = await Promise.all([
    ...Array.from({ length: http }, (_, i) => daemon.httpClient('echo', undefined, `http-client-${i}`)),
    ...Array.from({ length: bridge }, (_, i) => daemon.bridgeClient('echo', undefined, `bridge-client-${i}`)),
  ]);
  cleanups.push(() => Promise.allSettled(clients.map((client) => client.close())));
  return clients;
}

describe('audit through a real switchboard serve', () => {
  it('delivers 10,000 proxied calls exactly once by id after the gateway was down the whole time', async () => {
    const gateway = await gatewayUp();
    await gateway.down();
    // The credential is read from the keychain at send time: it is changed during the outage below.
    const service = uniqueService();
    const keychain = new KeyringSecretStore({ service });
    cleanups.push(async () => {
      for (const name of await keychain.list()) await keychain.delete(name);
    });
    await keychain.set('audit-gateway', 'gateway-token-before');
    const data = dataDir(gateway, 'audit-gateway');
    const daemon = await serve(data, { SWITCHBOARD_KEYCHAIN_SERVICE: service });
    const clients = await connect(daemon, 12, 4);

    const started = Date.now();
    const answered = await driveEchoCalls(clients, 10_000);
    const callsMs = Date.now() - started;
    expect(answered.size).toBe(10_000);

    // Every answered call has its row (committed before the answer went back), from both endpoints.
    const rows = readAuditRows(data.dataDir);
    expect(rows).toHaveLength(10_000);
    expect(new Set(rows.map(echoText))).toEqual(answered);
    expect(rows.every((row) => row.method === 'tools/call' && row.target === 'echo' && row.outcome === 'ok')).toBe(true);
    expect(new Set(rows.map((row) => row.transport))).toEqual(new Set(['http', 'socket']));
    // An echo call's request and answer are each some tens of bytes on the wire, over either endpoint.
    const sizes = (pick: (row: (typeof rows)[number]) => number | null) => rows.map(pick).filter((bytes) => bytes === null || bytes < 40 || bytes > 1000);
    expect(sizes((row) => row.bytes_in)).toEqual([]);
    expect(sizes((row) => row.bytes_out)).toEqual([]);
    const down = await daemon.audit['forwarder.status']({});
    expect(down).toMatchObject({ enabled: true, backlog: 10_000, deliveredSinceStart: 0, lastSuccessAt: null });
    expect(down.lastError?.message).toMatch(/cannot reach the gateway/);

    await keychain.set('audit-gateway', 'gateway-token-after');
    gateway.expectedToken = 'gateway-token-after';
    // The second batch of calls is stored by the gateway but its acknowledgement is lost.
    gateway.enqueueForAudit({ kind: 'status', status: 200 }, { kind: 'drop-ack' });
    await gateway.up();
    // "Retry now": the backoff grown during the outage (up to minutes) is forgotten.
    await daemon.audit['forwarder.retryFailed']({});
    const ids = rows.map((row) => row.id);
    const upAt = Date.now();
    await gateway.waitFor(() => ids.every((id) => gateway.received.has(id)), 60_000, 'all 10,000 records');
    await until(async () => (await daemon.audit['forwarder.status']({})).backlog === 0, { timeoutMs: 20_000, what: 'an empty backlog' });
    const drainMs = Date.now() - upAt;

    const dropped = gateway.requests.filter((r) => r.status === 'dropped');
    expect(dropped).toHaveLength(1);
    const droppedAck = new Set(dropped[0]!.uids);
    expect(droppedAck.size).toBeGreaterThan(0);
    // The call records at the gateway are exactly the rows (besides them: inventory records).
    const callRecords = gateway.records.filter((r) => r.eventName === 'mcp_switchboard.audit.call');
    expect(new Set(callRecords.map((r) => attr(r, 'log.record.uid')))).toEqual(new Set(ids));
    for (const uid of gateway.duplicates()) expect(droppedAck.has(uid)).toBe(true);
    for (const [uid, n] of gateway.received) expect(n).toBeLessThanOrEqual(droppedAck.has(uid) ? 2 : 1);
    const accepted = gateway.requests.filter((r) => r.status === 200);
    expect(accepted.every((r) => r.contentEncoding === 'gzip' && r.authorization === 'Bearer gateway-token-after')).toBe(true);
    expect(readAuditRows(data.dataDir).every((row) => row.delivery === DELIVERED)).toBe(true);

    // The records carry who called what, and the inventory names the configured server and its tools.
    const record = gateway.records.find((r) => attr(r, 'log.record.uid') === ids[0])!;
    expect(attr(record, 'mcp.method.name')).toBe('tools/call');
    expect(attr(record, 'gen_ai.tool.name')).toBe('echo');
    const inventory = gateway.records.find((r) => r.eventName === 'mcp_switchboard.inventory.server' && attr(r, 'mcp_switchboard.server.id') === 'echo');
    expect(inventory).toBeDefined();
    const status = await daemon.audit['forwarder.status']({});
    expect(status).toMatchObject({ backlog: 0, failed: 0, deliveredSinceStart: 10_000 });
    expect(status.lastSuccessAt).not.toBeNull();
    console.info(`10,000 calls through the daemon (12 http + 4 bridge clients): ${callsMs} ms; delivered ${drainMs} ms after the gateway came back (${gateway.requests.length} requests, ${gateway.duplicates().length} duplicates from the lost acknowledgement)`);
  }, 180_000);

  it('after SIGKILL of the daemon mid-calls and mid-batch, every answered call has its row and reaches the gateway', async () => {
    const gateway = await gatewayUp();
    // The first batch of calls reaches the gateway, which holds it: the daemon dies waiting for the answer.
    gateway.enqueueForAudit({ kind: 'hang' });
    const data = dataDir(gateway, undefined, [EVERYTHING_STDIO]);
    const first = await serve(data);
    const clients = await connect(first, 6, 2);
    const answered = new Set<string>();
    const driving = driveEchoCalls(clients, 1_000_000, { answered, stopOnError: true });
    // Two calls that are surely upstream when the daemon dies (the tool takes 30 s).
    const slow = await first.httpClient('everything', undefined, 'slow-client');
    const slowCalls = [1, 2].map(() => slow.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 1 } }).then(() => 'answered', () => 'failed'));

    await gateway.waitFor(() => gateway.hungCount > 0, 30_000, 'a batch in flight');
    const inFlight = new Set(gateway.requests.find((r) => r.status === 'hung')!.uids);
    const beforeKill = answered.size;
    await until(() => answered.size >= beforeKill + 300, { timeoutMs: 30_000, what: 'more calls answered while the batch is held' });
    await until(() => readInflightTargets(data.dataDir).filter((t) => t === 'trigger-long-running-operation').length === 2, { timeoutMs: 20_000, what: 'the slow calls upstream' });
    const orphans = await upstreamPids(first);
    await first.kill('SIGKILL');
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL'); // the slow server would otherwise outlive its dead daemon until its operation ends
      } catch {
        // already gone (stdin closed)
      }
    }
    // Calls in flight when the daemon died fail at the client (they were never answered).
    await Promise.allSettled([...clients, slow].map((client) => client.close()));
    await driving;
    expect(await Promise.all(slowCalls)).toEqual(['failed', 'failed']);
    gateway.release();
    const seen = new Set(answered);
    expect(seen.size).toBeGreaterThan(inFlight.size);

    // A second daemon on the same folder: the calls the dead one left in flight become `interrupted`.
    const second = await serve(data);
    const rows = readAuditRows(data.dataDir);
    const okTexts = new Set(rows.filter((row) => row.outcome === 'ok').map(echoText));
    for (const text of seen) expect(okTexts.has(text)).toBe(true);
    const interrupted = rows.filter((row) => row.outcome === 'interrupted');
    for (const row of interrupted) expect(seen.has(echoText(row)!)).toBe(false);
    expect(interrupted.filter((row) => row.target === 'trigger-long-running-operation')).toHaveLength(2);
    expect(rows.every((row) => row.outcome === 'ok' || row.outcome === 'interrupted')).toBe(true);

    await gateway.waitFor(() => rows.every((row) => gateway.received.has(row.id)), 60_000, 'every row at the gateway');
    // Only the batch that was in flight (received, never acknowledged) may arrive twice.
    for (const uid of gateway.duplicates()) expect(inFlight.has(uid)).toBe(true);
    await until(async () => (await second.audit['forwarder.status']({})).backlog === 0, { timeoutMs: 20_000, what: 'an empty backlog' });
    console.info(`SIGKILL: ${seen.size} calls answered before the kill, ${rows.length} rows after restart (${interrupted.length} interrupted), ${inFlight.size} records were in the held batch, ${gateway.duplicates().length} delivered twice`);
  }, 120_000);

  it('honours Retry-After on 429 and 503, surfaces a 400 in forwarder.status and `switchboard status`, and keeps the refused batch', async () => {
    const gateway = await gatewayUp();
    await gateway.down();
    const data = dataDir(gateway);
    const daemon = await serve(data);
    const [client] = await connect(daemon, 1, 0);
    await driveEchoCalls([client!], 20, { prefix: 'refused-' });
    const batch = readAuditRows(data.dataDir).map((row) => row.id);
    expect(batch).toHaveLength(20);

    gateway.enqueueForAudit(
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 503, retryAfter: '1', body: '{"error":"overloaded"}' },
      { kind: 'status', status: 400, body: '{"error":"schema mismatch in batch"}' },
    );
    await gateway.up();
    await daemon.audit['forwarder.retryFailed']({});
    await gateway.waitFor(() => gateway.requests.some((r) => r.audit && r.status === 400), 20_000, 'the 400');
    const [tooMany, unavailable, refused] = gateway.requests.filter((r) => r.audit);
    expect([tooMany!.status, unavailable!.status, refused!.status]).toEqual([429, 503, 400]);
    // Waited as told (1 s each, loosely), and retried the very same records.
    expect(unavailable!.at - tooMany!.at).toBeGreaterThanOrEqual(950);
    expect(refused!.at - unavailable!.at).toBeGreaterThanOrEqual(950);
    for (const request of [tooMany!, unavailable!, refused!]) expect([...request.uids].sort()).toEqual([...batch].sort());
    expect(batch.some((id) => gateway.received.has(id))).toBe(false);

    await until(async () => (await daemon.audit['forwarder.status']({})).failed === 20, { timeoutMs: 10_000, what: 'the refused batch in status' });
    const status = await daemon.audit['forwarder.status']({});
    expect(status.lastError).toMatchObject({ status: 400 });
    expect(status.lastError!.message).toMatch(/refused a batch of 20 records \(HTTP 400: .*schema mismatch in batch/);
    const cli = await runCli(['status'], { dataDir: data.dataDir });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/audit forwarding: .*refused by the gateway 20/);
    expect(cli.stdout).toMatch(/last error \(.*HTTP 400\): .*schema mismatch in batch/);
    // Kept in the store, out of the way: later calls are delivered meanwhile.
    expect(readAuditRows(data.dataDir).filter((row) => row.delivery === FAILED).map((row) => row.id).sort()).toEqual([...batch].sort());
    await driveEchoCalls([client!], 5, { prefix: 'later-' });
    const later = readAuditRows(data.dataDir).filter((row) => echoText(row)?.startsWith('later-')).map((row) => row.id);
    await gateway.waitFor(() => later.every((id) => gateway.received.has(id)), 20_000, 'the later calls');
    expect((await daemon.audit['forwarder.status']({})).failed).toBe(20);

    // "Retry now" after the gateway is fixed delivers the refused batch.
    const retry = await runCli(['audit', 'retry'], { dataDir: data.dataDir });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/retrying delivery to .* \(20 refused before, queued again\)/);
    await gateway.waitFor(() => batch.every((id) => gateway.received.has(id)), 20_000, 'the refused batch');
    await until(async () => (await daemon.audit['forwarder.status']({})).failed === 0, { timeoutMs: 10_000, what: 'no refused records' });
    expect(gateway.duplicates()).toEqual([]);
  }, 60_000);

  it('reports the configured servers with their tool names to the gateway (inventory)', async () => {
    const gateway = await gatewayUp();
    const data = dataDir(gateway);
    await serve(data);
    const echo = () => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.inventory.server' && attr(r, 'mcp_switchboard.server.id') === 'echo');
    await gateway.waitFor(() => echo().length > 0, 20_000, 'the inventory');
    // Sent at start, possibly before the server was up; once it is, its tools must follow.
    await gateway.waitFor(() => echo().some((r) => JSON.stringify(attr(r, 'mcp_switchboard.server.tool.names') ?? null).includes('"echo"')), 20_000, 'the inventory with the tool names');
    const record = echo().find((r) => attr(r, 'mcp_switchboard.server.tool.names') !== undefined)!;
    expect(attr(record, 'mcp_switchboard.server.transport')).toBe('stdio');
    expect(attr(record, 'mcp_switchboard.policy.status')).toBe('allowed');
    expect(JSON.stringify(attr(record, 'mcp_switchboard.server.tool.description_sha256'))).toContain(createHash('sha256').update('Returns its text argument').digest('hex'));
  }, 60_000);

  it('never lets secrets planted in arguments reach the SQLite files, the gateway or the log', async () => {
    const secrets = {
      bearer: 'sbx-bearer-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      ghp: 'ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8',
      sk: 'sk-live-51H8abcdefghijklmnopQRSTUV',
      plainKey: 'hunter2-correct-horse',
      headerToken: 'opaque-header-value-7c1d',
      password: 'p@ss-word-in-nested-array',
      urlPassword: 'urlpass-0a9b8c7d',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlLXZhbHVlLTEyMw',
      // Nothing built in recognises this one: only the policy's own pattern (audit.redactPatterns).
      employeeId: 'EMP-482913',
    };
    const gateway = await gatewayUp();
    const data = dataDir(gateway, undefined, [], { userPolicy: { audit: { redactPatterns: ['EMP-[0-9]{6}'] } } });
    const daemon = await serve(data);
    const clients = await connect(daemon, 1, 1);
    const args = (i: number) => ({
      text: `call ${i}: send Authorization: Bearer ${secrets.bearer} with ${secrets.ghp}, then ${secrets.sk}; token ${secrets.jwt}`,
      api_key: secrets.plainKey,
      headers: { Authorization: secrets.headerToken },
      nested: [{ password: secrets.password }],
      url: `https://deploy:${secrets.urlPassword}@git.example.com/repo.git`,
      note: `for ${secrets.employeeId}`,
    });
    for (const [i, client] of clients.entries()) {
      const result = await client.callTool({ name: 'echo', arguments: args(i) });
      expect((result.content as Array<{ text: string }>)[0]!.text).toContain(secrets.ghp); // the server got them
      // A refused call (unknown tool) is recorded too, with the same arguments.
      await expect(client.callTool({ name: 'no_such_tool', arguments: args(i) })).resolves.toMatchObject({ isError: true });
    }
    const rows = readAuditRows(data.dataDir);
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.arguments?.includes('[REDACTED]'))).toBe(true);
    await gateway.waitFor(() => rows.every((row) => gateway.received.has(row.id)), 20_000, 'the records at the gateway');

    const filesOf = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesOf(path) : [path];
    });
    const check = (haystacks: Array<[string, Buffer]>): void => {
      for (const [where, bytes] of haystacks) {
        for (const [kind, secret] of Object.entries(secrets)) expect(bytes.includes(secret), `${kind} secret found in ${where}`).toBe(false);
      }
    };
    // While the daemon runs (rows in audit.db-wal, -shm) and after it stops (checkpointed into audit.db).
    const running = filesOf(data.dataDir);
    expect(running.map((path) => path.slice(data.dataDir.length + 1))).toEqual(expect.arrayContaining(['audit.db', 'audit.db-wal', 'audit.db-shm']));
    check(running.filter((path) => !path.endsWith('.sock')).map((path) => [path, readFileSync(path)]));
    check(gateway.rawBodies.map((body, i) => [`gateway request ${i}`, body]));
    expect(Buffer.concat(gateway.rawBodies).toString()).toContain('[REDACTED]');
    await daemon.kill('SIGTERM');
    check([['daemon log', Buffer.from(daemon.logs())]]);
    check(filesOf(data.dataDir).map((path) => [path, readFileSync(path)]));
  }, 60_000);
});
