// Through `switchboard serve` (a child process) with the real SDK client over /mcp/<id> and the
// counter fixture server (test/support/counter-server.ts), which counts how often each tool really
// ran upstream: rate limits, the circuit breaker, idempotency keys and the response cache, each set
// by the managed policy file, and what the client and the audit see of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auditContract } from '../../../shared/api/audit.ts';
import { policyContract } from '../../../shared/api/policy.ts';
import { IDEMPOTENCY_META_KEY } from '../../../shared/flow-guardrails-policy.ts';
import type { PolicyDocumentInput } from '../../../shared/policy.ts';
import { REFUSAL_META_KEY } from '../../../main/relay/interceptor.ts';
import { COUNTER_SERVER, executions } from '../../support/counter-server.ts';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';

interface Fixture {
  daemon: TestDaemon;
  /** The counter server's folder: its execution counts and the "failing" switch. */
  dir: string;
  managed: string;
  writePolicy(policy: Omit<PolicyDocumentInput, 'version'>): Promise<void>;
  audit(tool: string): Promise<Array<Record<string, unknown>>>;
}

/** A daemon, its server and several sessions per test: slow on a loaded machine (a hang guard, not a timing). */
const TEST_TIMEOUT_MS = 120_000;

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.daemon.stop();
  if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
  fixture = undefined;
});

async function start(policy: Omit<PolicyDocumentInput, 'version'>): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-flow-'));
  const managed = join(dir, 'managed-policy.json');
  writeFileSync(managed, JSON.stringify({ version: 1, ...policy }));
  const daemon = await startTestDaemon({
    servers: [{ id: 'counter', transport: 'stdio', command: process.execPath, args: [COUNTER_SERVER], env: { COUNTER_DIR: dir } }],
    env: { SWITCHBOARD_MANAGED_POLICY: managed },
  });
  fixture = {
    daemon,
    dir,
    managed,
    async writePolicy(next) {
      writeFileSync(managed, JSON.stringify({ version: 1, ...next }));
      await daemon.apiFor(policyContract)['policy.reload']({});
    },
    async audit(tool) {
      return (await daemon.apiFor(auditContract)['audit.query']({ tool, limit: 100 })).records as unknown as Array<Record<string, unknown>>;
    },
  };
  return fixture;
}

type CallResult = { content?: Array<{ type: string; text?: string }>; isError?: boolean; _meta?: Record<string, unknown> };
const text = (result: unknown) => ((result as CallResult).content ?? []).map((c) => c.text ?? '').join('\n');

describe('rate limits', () => {
  it('refuses the fifth call inside a burst of 4 with the limit and a retry time, and still after a reconnect', async () => {
    const f = await start({ rateLimits: { rules: [{ id: 'agent-burst', per: 'client', perMinute: 0.01, burst: 4 }] } });
    const client = await f.daemon.httpClient('counter', undefined, 'agent-a');
    for (let i = 0; i < 4; i++) expect((await client.callTool({ name: 'lookup', arguments: { key: `k${i}` } })).isError).toBeFalsy();
    const fifth = await client.callTool({ name: 'lookup', arguments: { key: 'k4' } }) as CallResult;
    expect(fifth.isError).toBe(true);
    expect(text(fifth)).toMatch(/managed: agent-burst.*rate limit exceeded.*Retry after \d+ s/s);
    expect(fifth._meta?.[REFUSAL_META_KEY]).toMatchObject({ rule: 'agent-burst', source: 'managed', retryAfterMs: expect.any(Number) });
    expect(executions(f.dir, 'lookup')).toBe(4);

    // A new session of the same client (same name, same token) draws from the same bucket.
    await client.close();
    const again = await f.daemon.httpClient('counter', undefined, 'agent-a');
    const sixth = await again.callTool({ name: 'lookup', arguments: { key: 'k5' } }) as CallResult;
    expect(sixth.isError).toBe(true);
    expect(text(sixth)).toContain('agent-burst');
    expect(executions(f.dir, 'lookup')).toBe(4);
    // Another client has a bucket of its own.
    const other = await f.daemon.httpClient('counter', undefined, 'agent-b');
    expect((await other.callTool({ name: 'lookup', arguments: { key: 'x' } })).isError).toBeFalsy();

    const limited = (await f.audit('lookup')).filter((r) => r.outcome === 'rate_limited');
    expect(limited).toHaveLength(2);
    expect(limited[0]).toMatchObject({ guardRule: 'managed: agent-burst', errorType: 'rate_limited', clientName: 'agent-a' });
  }, TEST_TIMEOUT_MS);
});

describe('circuit breaker', () => {
  it('opens after 5 failures, fails fast without reaching the server, and closes after a good probe', async () => {
    const f = await start({ breaker: { failures: 5, coolDownSeconds: 2, windowSeconds: 600 } });
    const client = await f.daemon.httpClient('counter', undefined, 'agent');
    writeFileSync(join(f.dir, 'failing'), '');
    for (let i = 0; i < 5; i++) await expect(client.callTool({ name: 'flaky', arguments: {} })).rejects.toThrow(/flaky failure/);
    expect(executions(f.dir, 'flaky')).toBe(5);

    const fast = await client.callTool({ name: 'flaky', arguments: {} }) as CallResult;
    expect(fast.isError).toBe(true);
    expect(text(fast)).toMatch(/circuit breaker of server "counter" is open after 5 consecutive failures/);
    expect(fast._meta?.[REFUSAL_META_KEY]).toMatchObject({ rule: 'breaker **', retryAfterMs: expect.any(Number) });
    expect(executions(f.dir, 'flaky')).toBe(5);
    const { servers } = await f.daemon.api['daemon.status']({});
    expect(servers.find((s) => s.id === 'counter')?.breaker).toMatchObject({ state: expect.stringMatching(/open/), failures: 5 });

    // The server recovers; after the cool-down the next call is the probe, and its success closes the breaker.
    rmSync(join(f.dir, 'failing'));
    await until(async () => (await f.daemon.api['servers.get']({ id: 'counter' })).status.breaker?.state, { done: (state) => state === 'half-open', what: 'the breaker to be half-open' });
    expect(text(await client.callTool({ name: 'flaky', arguments: {} }))).toMatch(/flaky ok 6/);
    expect((await f.daemon.api['servers.get']({ id: 'counter' })).status.breaker).toMatchObject({ state: 'closed', failures: 0 });
    expect(text(await client.callTool({ name: 'flaky', arguments: {} }))).toMatch(/flaky ok 7/);

    const records = await f.audit('flaky');
    expect(records.filter((r) => r.outcome === 'circuit_open')).toEqual([expect.objectContaining({ guardRule: 'managed: breaker **', errorType: 'circuit_open' })]);
  }, TEST_TIMEOUT_MS);
});

describe('timeout budgets', () => {
  it('ends a call at the tool\'s budget, below the server\'s request timeout, and counts it as a breaker failure', async () => {
    const f = await start({ breaker: { failures: 5, timeouts: [{ match: 'counter/count', timeoutMs: 300 }] } });
    const client = await f.daemon.httpClient('counter', undefined, 'agent');
    // The gate never opens: only the budget ends the call.
    await expect(client.callTool({ name: 'count', arguments: { gate: join(f.dir, 'never') } })).rejects.toThrow(/did not answer tools\/call within 300 ms.*breaker\.timeouts/);
    expect((await f.daemon.api['servers.get']({ id: 'counter' })).status.breaker).toMatchObject({ state: 'closed', failures: 1 });
    expect((await f.audit('count'))[0]).toMatchObject({ outcome: 'timeout' });
  }, TEST_TIMEOUT_MS);
});

describe('idempotency', () => {
  const keyed = (key: string, args: Record<string, unknown> = {}) => ({ name: 'count', arguments: args, _meta: { [IDEMPOTENCY_META_KEY]: key } });

  it('runs a retried call with the same key once upstream, also when the retries come while it runs', async () => {
    const f = await start({ idempotency: { windowSeconds: 600 } });
    const client = await f.daemon.httpClient('counter', undefined, 'agent');
    const first = await client.callTool(keyed('deploy-1')) as CallResult;
    const retry = await client.callTool(keyed('deploy-1')) as CallResult;
    expect(text(first)).toBe('execution 1');
    expect(text(retry)).toBe('execution 1');
    expect(retry._meta?.['switchboard.mcp/replayed']).toBe(true);
    expect(executions(f.dir, 'count')).toBe(1);
    // A new key is a new call; the same key with other arguments is refused.
    expect(text(await client.callTool(keyed('deploy-2')))).toBe('execution 2');
    const conflict = await client.callTool(keyed('deploy-2', { gate: 'other' })) as CallResult;
    expect(conflict.isError).toBe(true);
    expect(text(conflict)).toContain('was used for another call');

    // Concurrent retries while the first runs (held by a gate file): they wait for its answer.
    const gate = join(f.dir, 'gate');
    const running = client.callTool(keyed('deploy-3', { gate }));
    await until(() => executions(f.dir, 'count'), { done: (n) => n === 3, what: 'the first keyed call to start upstream' });
    const retries = [client.callTool(keyed('deploy-3', { gate })), client.callTool(keyed('deploy-3', { gate }))];
    // The first call counts twice (its chain and its upstream request), each waiting retry once.
    await until(async () => (await f.daemon.api['servers.get']({ id: 'counter' })).sessions.reduce((n, s) => n + s.inflight, 0), { done: (n) => n === 4, what: 'both retries to be waiting in the daemon' });
    writeFileSync(gate, '');
    const answers = await Promise.all([running, ...retries]);
    expect(answers.map(text)).toEqual(['execution 3', 'execution 3', 'execution 3']);
    expect(executions(f.dir, 'count')).toBe(3);

    const records = await f.audit('count');
    expect(records.filter((r) => r.replayed === true)).toHaveLength(3);
    expect(records.find((r) => r.replayed === true)).toMatchObject({ guardRule: 'managed: idempotency key', outcome: 'ok' });
  }, TEST_TIMEOUT_MS);

  it('de-duplicates identical calls of a non-idempotent tool under a dedup rule', async () => {
    const f = await start({ idempotency: { dedup: [{ id: 'no-double-count', match: 'counter/count', windowSeconds: 600 }] } });
    const client = await f.daemon.httpClient('counter', undefined, 'agent');
    expect(text(await client.callTool({ name: 'count', arguments: {} }))).toBe('execution 1');
    expect(text(await client.callTool({ name: 'count', arguments: {} }))).toBe('execution 1');
    expect(executions(f.dir, 'count')).toBe(1);
    expect((await f.audit('count'))[0]).toMatchObject({ replayed: true, guardRule: 'managed: no-double-count' });
  }, TEST_TIMEOUT_MS);
});

describe('response cache', () => {
  it('answers a cacheable read-only tool from the cache within its TTL, not a tool lacking the hints, and clears on a policy change', async () => {
    const policy = { cache: { rules: [{ id: 'lookups', match: 'counter/*', ttlSeconds: 600 }] } };
    const f = await start(policy);
    const client: Client = await f.daemon.httpClient('counter', undefined, 'agent');
    const first = await client.callTool({ name: 'lookup', arguments: { key: 'a' } });
    const second = await client.callTool({ name: 'lookup', arguments: { key: 'a' } }) as CallResult;
    expect(text(second)).toBe(text(first));
    expect(second._meta?.['switchboard.mcp/cache-hit']).toBe(true);
    expect(executions(f.dir, 'lookup')).toBe(1);
    // Other arguments are another entry; a tool without idempotentHint is never cached.
    await client.callTool({ name: 'lookup', arguments: { key: 'b' } });
    expect(executions(f.dir, 'lookup')).toBe(2);
    await client.callTool({ name: 'write', arguments: { key: 'a' } });
    await client.callTool({ name: 'write', arguments: { key: 'a' } });
    expect(executions(f.dir, 'write')).toBe(2);

    const hits = (await f.audit('lookup')).filter((r) => r.cacheHit === true);
    expect(hits).toEqual([expect.objectContaining({ guardRule: 'managed: lookups', outcome: 'ok' })]);

    // Any policy change: nothing cached before it is served after it.
    await f.writePolicy({ ...policy, rateLimits: { rules: [{ per: 'server', perMinute: 1000, burst: 1000 }] } });
    await client.callTool({ name: 'lookup', arguments: { key: 'a' } });
    expect(executions(f.dir, 'lookup')).toBe(3);
  }, TEST_TIMEOUT_MS);
});
