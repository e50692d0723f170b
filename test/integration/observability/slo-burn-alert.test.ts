// A server that fails 20% of its calls burns a 99% success objective 20 times faster than
// sustainable: with both windows (shortened for the test through the policy's slo section) above
// the 14.4× threshold the alert fires — an event on the API stream (what the desktop app turns
// into a notification), a record in the audit stream that reaches the gateway, and an entry in
// health.get — and it clears once the server has recovered and the short window no longer burns.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../shared/api/events.ts';
import { healthContract } from '../../../shared/api/health.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { attr, FakeGateway } from '../../support/gateway.ts';
import { MemorySecretStore } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');

let daemon: TestDaemon;
let gateway: FakeGateway;
const events: ApiEvent[] = [];

beforeAll(async () => {
  gateway = new FakeGateway();
  await gateway.start();
  daemon = await startTestDaemon({
    mode: 'in-process',
    secretStore: new MemorySecretStore(),
    servers: [{ id: 'flaky', transport: 'stdio', command: process.execPath, args: [RECORDING_SERVER], env: { FAIL_FIRST_CALLS: '20' } }],
    settings: {
      gateway: { url: gateway.url },
      userPolicy: { slo: { objectives: [{ server: 'flaky', tool: 'work', success: 0.99 }], shortWindowMs: 2000, longWindowMs: 6000, evaluateEveryMs: 100 } },
    },
  });
  daemon.switchboard!.events.subscribe((event) => events.push(event));
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await gateway?.stop();
});

const alerts = (state: 'firing' | 'cleared') => events.filter((e) => e.event === 'slo.alert' && (e.data as { state: string }).state === state);

describe('SLO burn-rate alert', () => {
  it('fires when a server failing 20% of calls burns its 99% budget in both windows, and clears after it recovers', async () => {
    const client = await daemon.httpClient('flaky', undefined, 'slo-client');
    let failed = 0;
    for (let i = 0; i < 20; i++) if ((await client.callTool({ name: 'work', arguments: {} })).isError) failed++;
    expect(failed).toBe(4);

    const [fired] = await until(() => alerts('firing'), { done: (list) => list.length > 0, what: 'the SLO alert to fire' });
    expect(fired!.data).toMatchObject({ serverId: 'flaky', tool: 'work', kind: 'success', threshold: 14.4 });
    expect((fired!.data as { shortBurn: number }).shortBurn).toBeGreaterThan(14.4);
    expect((fired!.data as { message: string }).message).toContain('burning');

    // The 20th call failed: the windows hold 4 failures in 20 calls now (a few calls in, the
    // share can dip under the threshold and the alert flap; it is firing once all 20 are in).
    const health = daemon.apiFor(healthContract);
    const report = await until(() => health['health.get']({}), { done: (r) => r.servers.some((s) => s.slos[0]?.firing === true && s.tools.some((t) => t.calls === 20)), what: 'health.get to show the SLO burning' });
    const flaky = report.servers.find((s) => s.serverId === 'flaky')!;
    expect(flaky.slos[0]).toMatchObject({ kind: 'success', target: 0.99, firing: true });
    expect(flaky.tools.find((t) => t.tool === 'work')).toMatchObject({ calls: 20, successRate: 0.8, errors: { tool_error: 4 } });
    expect(report.alerts[0]).toMatchObject({ serverId: 'flaky', state: 'firing' });
    const before = events.length;

    // Recovered: every call succeeds; once the failures leave the short window, the alert clears.
    for (let i = 0; i < 10; i++) expect((await client.callTool({ name: 'work', arguments: {} })).isError).toBeFalsy();
    await until(() => events.slice(before).filter((e) => e.event === 'slo.alert'), { done: (list) => list.at(-1)?.data.state === 'cleared', what: 'the SLO alert to clear', timeoutMs: 30_000 });
    expect((await health['health.get']({})).servers.find((s) => s.serverId === 'flaky')!.slos[0]).toMatchObject({ firing: false });

    // Both changes are audit records that reach the gateway.
    const sloRecords = await until(() => gateway.records.filter((r) => attr(r, 'mcp.method.name') === 'switchboard/slo.alert'), { done: (list) => list.length >= 2, what: 'both SLO alert records at the gateway', timeoutMs: 30_000 });
    expect(sloRecords.map((r) => attr(r, 'error.type') ?? attr(r, 'mcp_switchboard.error.type'))).toEqual(expect.arrayContaining([expect.stringContaining('slo_firing'), expect.stringContaining('slo_cleared')]));
  }, 90_000);
});
