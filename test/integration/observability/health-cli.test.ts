// `switchboard health [--json]` against a running daemon prints the per-tool figures of real calls;
// `switchboard health metrics-token` makes the token that opens /metrics (and only it).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthReportSchema } from '../../../shared/api/health.ts';
import { runCli } from '../../support/cli.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';

const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');
let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon({ servers: [{ id: 'rec', transport: 'stdio', command: process.execPath, args: [RECORDING_SERVER], env: { FAIL_FIRST_CALLS: '1', FAIL_EVERY: '1' } }] });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
});

describe('switchboard health', () => {
  it('prints p50/p95/p99, success rate and error types per tool, as text and as JSON', async () => {
    const client = await daemon.bridgeClient('rec');
    await client.callTool({ name: 'echo', arguments: { text: 'a' } });
    await client.callTool({ name: 'echo', arguments: { text: 'b' } });
    expect((await client.callTool({ name: 'work', arguments: {} })).isError).toBe(true);

    const json = await runCli(['health', '--json', '--data-dir', daemon.dataDir]);
    expect(json.code, json.stderr).toBe(0);
    const report = HealthReportSchema.parse(JSON.parse(json.stdout));
    const rec = report.servers.find((s) => s.serverId === 'rec')!;
    expect(rec.calls).toBe(3);
    expect(rec.tools.find((t) => t.tool === 'echo')).toMatchObject({ calls: 2, successRate: 1, errors: {} });
    expect(rec.tools.find((t) => t.tool === 'work')).toMatchObject({ calls: 1, successRate: 0, errors: { tool_error: 1 } });
    expect(rec.tools.find((t) => t.tool === 'echo')!.p95).toEqual(expect.any(Number));

    const text = await runCli(['health', '--data-dir', daemon.dataDir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/rec: ready, 3 calls, success 66\.67%/);
    expect(text.stdout).toMatch(/work\s+1\s+0\.00%.*tool_error 1/);
  });

  it('metrics-token creates the one token that opens /metrics', async () => {
    expect((await fetch(`${daemon.baseUrl}/metrics`)).status).toBe(404);
    const made = await runCli(['health', 'metrics-token', '--data-dir', daemon.dataDir]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect((await fetch(`${daemon.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${daemon.baseUrl}/metrics`, { headers: { authorization: `Bearer ${daemon.clientToken}` } })).status).toBe(401);
  });
});
