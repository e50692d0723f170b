// Real Prometheus (Debian's package) scrapes the daemon's /metrics over loopback with the metrics
// token; the series are read back through Prometheus's HTTP query API after real calls through
// the bridge and Streamable HTTP. A call that waited 2 s for a person's approval is counted in the
// duration histogram by its own time, not in the (1 s, 2 s] bucket. /metrics opens only with its
// own token; /health answers without one and says nothing more than ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { approvalsContract } from '../../../shared/api/approvals.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { freePort } from '../../support/free-port.ts';
import { until } from '../../support/until.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const RECORDING_SERVER = join(REPO_ROOT, 'test/support/recording-server.ts');
const metricsToken = `sbm_${randomBytes(24).toString('base64url')}`;

let daemon: TestDaemon;
let prometheus: ChildProcess | undefined;
let promUrl = '';
let promDir = '';

async function query(expr: string): Promise<number | undefined> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await response.json() as { status: string; data: { result: Array<{ value: [number, string] }> } };
  if (body.status !== 'success' || body.data.result.length === 0) return undefined;
  return Number(body.data.result[0]!.value[1]);
}

async function callText(client: Client, name: string, text: string): Promise<string> {
  const result = await client.callTool({ name, arguments: { text } }) as { content: Array<{ text: string }> };
  return result.content[0]!.text;
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) throw new Error('prometheus is not installed: apt-get install -y prometheus (scripts/bootstrap.sh installs it)');
  daemon = await startTestDaemon({
    servers: [{ id: 'rec', transport: 'stdio', command: process.execPath, args: [RECORDING_SERVER] }],
    settings: {
      observability: { metricsTokenSha256: createHash('sha256').update(metricsToken).digest('hex') },
      userPolicy: { tools: [{ id: 'ask-approve-me', match: 'rec/approve_me', action: 'ask' }], approvals: { timeoutSeconds: 60 } },
    },
  });
  promDir = mkdtempSync(join(tmpdir(), 'switchboard-prometheus-'));
  writeFileSync(join(promDir, 'token'), metricsToken, { mode: 0o600 });
  writeFileSync(join(promDir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    'scrape_configs:',
    '  - job_name: switchboard',
    '    scrape_interval: 1s',
    '    metrics_path: /metrics',
    '    authorization:',
    `      credentials_file: ${join(promDir, 'token')}`,
    '    static_configs:',
    `      - targets: ['127.0.0.1:${daemon.httpPort}']`,
    '',
  ].join('\n'));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(PROMETHEUS, [
    `--config.file=${join(promDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(promDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: 'ignore' });
  await until(async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok === true, { what: 'prometheus to be ready', timeoutMs: 30_000, intervalMs: 200 });
}, 90_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await daemon?.stop();
  if (promDir) rmSync(promDir, { recursive: true, force: true });
});

describe('Prometheus scrapes /metrics', () => {
  it('counts calls through the bridge and HTTP, and leaves the approval wait out of the duration histogram', async () => {
    const bridge = await daemon.bridgeClient('rec', undefined, 'bridge-client');
    const http = await daemon.httpClient('rec', undefined, 'http-client');
    for (let i = 0; i < 3; i++) expect(await callText(bridge, 'echo', `b${i}`)).toBe(`b${i}`);
    for (let i = 0; i < 2; i++) expect(await callText(http, 'echo', `h${i}`)).toBe(`h${i}`);

    // A call that waits 2 s for the user's answer.
    const approvals = daemon.apiFor(approvalsContract);
    const asked = callText(http, 'approve_me', 'after a wait');
    const [pending] = (await until(() => approvals['approvals.list']({}), { done: (r) => r.pending.length === 1, what: 'the pending approval' })).pending;
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await approvals['approvals.answer']({ id: pending!.id, answer: 'allow-once' });
    expect(await asked).toBe('after a wait');

    const series = (expr: string, expected: number) => until(() => query(expr), { done: (v) => v === expected, what: `${expr} == ${expected} in Prometheus`, timeoutMs: 30_000, intervalMs: 500 });
    await series('sum(switchboard_calls_total{server="rec",tool="echo",outcome="ok"})', 5);
    await series('sum(switchboard_calls_total{client="bridge-client",tool="echo"})', 3);
    await series('sum(switchboard_calls_total{client="http-client",tool="echo"})', 2);
    await series('sum(switchboard_call_duration_seconds_count{server="rec",tool="echo",method="tools/call"})', 5);
    await series('sum(switchboard_call_duration_seconds_count{tool="approve_me"})', 1);
    await series('sum(switchboard_approvals_total{answer="allow-once"})', 1);
    // Its own time is well under a second: it is in the le="1" bucket, so not in (1 s, 2 s].
    await series('sum(switchboard_call_duration_seconds_bucket{tool="approve_me",le="1"})', 1);
    expect(await query('sum(switchboard_call_duration_seconds_bucket{tool="approve_me",le="2"}) - sum(switchboard_call_duration_seconds_bucket{tool="approve_me",le="1"})')).toBe(0);
    await series('sum(switchboard_sessions{server="rec"})', 2);
  }, 90_000);

  it('counts a client session\'s upstream restart after its server process died', async () => {
    const bridge = await daemon.bridgeClient('rec', undefined, 'crash-client');
    await expect(bridge.callTool({ name: 'crash', arguments: {} })).rejects.toThrow();
    // The session starts the server again and replays the handshake: the next call is served.
    await until(() => callText(bridge, 'echo', 'again').catch(() => undefined), { done: (text) => text === 'again', what: 'the session to be served again after the restart', timeoutMs: 30_000 });
    await until(() => query('sum(switchboard_upstream_restarts_total{server="rec"})'), { done: (v) => v === 1, what: 'one upstream restart of rec in Prometheus', timeoutMs: 30_000, intervalMs: 500 });
  }, 90_000);

  it('opens /metrics only with the metrics token, counts the refusals by reason, and /health says only ready', async () => {
    const metrics = `${daemon.baseUrl}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: `Bearer ${daemon.apiToken}` } })).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: `Bearer ${daemon.clientToken}` } })).status).toBe(401);
    const ok = await fetch(metrics, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('switchboard_calls_total');
    // The metrics token opens nothing else.
    expect((await fetch(`${daemon.baseUrl}/api/servers.list`, { method: 'POST', headers: { authorization: `Bearer ${metricsToken}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    await until(() => query('sum(switchboard_auth_failures_total{reason="invalid metrics token"})'), { done: (v) => v === 2, what: 'two invalid metrics token refusals in Prometheus', timeoutMs: 30_000, intervalMs: 500 });

    const health = await fetch(`${daemon.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${daemon.baseUrl}/health/live`)).status).toBe(200);
  }, 60_000);
});
