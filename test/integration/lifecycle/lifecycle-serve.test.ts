// Lifecycle through the real `switchboard serve`: a signed org policy (test/support/org-server.ts)
// names lifecycle entries for real servers (server-everything, the echo server); the real SDK
// client calls them over /mcp/<id>; `switchboard status`, the audit API and a real HTTP gateway
// (test/support/gateway.ts) show what the daemon made of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyErrorCode } from '../../../main/base/proxy-error-codes.ts';
import { ECHO_SERVER_PATH, prepareAuditDataDir, withAuditApi, type AuditDaemon } from '../../support/audit-fixture.ts';
import { runCli } from '../../support/cli.ts';
import { EVERYTHING_SERVER, startTestDaemon } from '../../support/daemon.ts';
import { FakeGateway, attr } from '../../support/gateway.ts';
import { generateOrgKey, OrgServer } from '../../support/org-server.ts';

const key = generateOrgKey();
const orgPolicy = {
  version: 1,
  serial: 1,
  lifecycle: [
    {
      id: 'retire-everything-v1',
      match: { command: process.execPath, args: [EVERYTHING_SERVER, '...'] },
      state: 'deprecated',
      sunset: '2020-01-31',
      replacement: 'everything-v2',
      owner: 'platform-team@example.com',
      message: 'v1 is retired, v2 has the same tools',
    },
    {
      id: 'echo-going-away',
      match: { command: process.execPath, args: [ECHO_SERVER_PATH] },
      state: 'deprecated',
      sunset: '2999-12-31',
      owner: 'tools-team@example.com',
      message: 'echo moves to the shared gateway next year',
    },
  ],
};

let org: OrgServer;
let gateway: FakeGateway;
let daemon: AuditDaemon;
let policyDir: string;
const clients: Client[] = [];

beforeAll(async () => {
  org = new OrgServer(key, orgPolicy);
  await org.start();
  gateway = new FakeGateway();
  await gateway.start();
  policyDir = mkdtempSync(path.join(tmpdir(), 'sb-lifecycle-'));
  const managed = path.join(policyDir, 'policy.json');
  writeFileSync(managed, JSON.stringify({ version: 1, org: { url: org.url, publicKeys: [{ id: key.keyId, key: key.publicKeyPem }] } }));
  const data = prepareAuditDataDir({ url: gateway.url }, [{ id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }]);
  daemon = withAuditApi(await startTestDaemon({ data, env: { SWITCHBOARD_MANAGED_POLICY: managed } }));
}, 90_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await daemon?.stop();
  if (daemon) rmSync(daemon.dataDir, { recursive: true, force: true });
  await gateway?.stop();
  await org?.stop();
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
});

async function client(id: string): Promise<Client> {
  const c = await daemon.httpClient(id, undefined, 'lifecycle-test');
  clients.push(c);
  return c;
}

function text(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join(' ');
}

describe('an org lifecycle entry whose sunset has passed', () => {
  it('refuses tools/call with a tool error naming the rule, the replacement and how to move', async () => {
    const everything = await client('everything');
    const result = await everything.callTool({ name: 'echo', arguments: { message: 'still there?' } });
    expect(result.isError).toBe(true);
    const said = text(result);
    expect(said).toContain('Refused by MCP Switchboard lifecycle (org: retire-everything-v1)');
    expect(said).toContain('server "everything" is decommissioned');
    expect(said).toContain('its sunset 2020-01-31 has passed');
    expect(said).toContain('use "everything-v2" instead');
    expect(said).toContain('platform-team@example.com');
  });

  it('refuses resources/read and prompts/get with the lifecycle error code and structured data', async () => {
    const everything = await client('everything');
    for (const attempt of [
      () => everything.readResource({ uri: 'demo://resource/static/document/architecture.md' }),
      () => everything.getPrompt({ name: 'simple-prompt' }),
    ]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ProxyErrorCode.Decommissioned);
      expect((error as McpError).data).toMatchObject({ reason: 'lifecycle', state: 'decommissioned', refused: true, rule: 'retire-everything-v1', source: 'org', replacement: 'everything-v2', sunset: '2020-01-31T00:00:00.000Z' });
    }
  });

  it('records the refusal in the audit with its rule and the lifecycle', async () => {
    const { records } = await daemon.audit['audit.query']({ limit: 50 });
    const refused = records.filter((r) => r.serverId === 'everything');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const record of refused) {
      expect(record).toMatchObject({ outcome: 'denied', decision: 'deny', rule: 'retire-everything-v1', source: 'org', lifecycleState: 'decommissioned', lifecycleReplacement: 'everything-v2' });
    }
  });
});

describe('a deprecated server', () => {
  it('runs, and every audit record of it says deprecated with the message', async () => {
    const echo = await client('echo');
    expect(text(await echo.callTool({ name: 'echo', arguments: { text: 'hello' } }))).toBe('hello');
    expect(text(await echo.callTool({ name: 'echo', arguments: { text: 'again' } }))).toBe('again');
    const { records } = await daemon.audit['audit.query']({ limit: 50 });
    const calls = records.filter((r) => r.serverId === 'echo');
    expect(calls).toHaveLength(2);
    for (const record of calls) {
      expect(record).toMatchObject({ outcome: 'ok', lifecycleState: 'deprecated', lifecycleMessage: 'echo moves to the shared gateway next year' });
    }
  });

  it('shows in `switchboard status`, and the refused one with how to move', async () => {
    const status = await runCli(['status'], { dataDir: daemon.dataDir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('lifecycle: DEPRECATED (org: echo-going-away) — echo moves to the shared gateway next year');
    expect(status.stdout).toContain('sunset 2999-12-31T00:00:00.000Z, owner tools-team@example.com');
    expect(status.stdout).toContain('lifecycle: DECOMMISSIONED: calls are refused (org: retire-everything-v1)');
    expect(status.stdout).toContain('to move: use "everything-v2" instead');
    const json = JSON.parse((await runCli(['status', '--json'], { dataDir: daemon.dataDir })).stdout) as { servers: Array<{ id: string; lifecycle?: { state: string } }> };
    expect(Object.fromEntries(json.servers.map((s) => [s.id, s.lifecycle?.state]))).toEqual({ echo: 'deprecated', everything: 'decommissioned' });
  }, 120_000);

  it('reaches the gateway: lifecycle attributes on audit records, version, state and owner in the inventory', async () => {
    await gateway.waitFor(() => gateway.records.some((r) => r.eventName === 'mcp_switchboard.audit.call' && attr(r, 'mcp_switchboard.server.id') === 'echo'), 20_000, 'the echo audit records');
    const echoCall = gateway.records.find((r) => r.eventName === 'mcp_switchboard.audit.call' && attr(r, 'mcp_switchboard.server.id') === 'echo')!;
    expect(attr(echoCall, 'mcp_switchboard.server.lifecycle.state')).toBe('deprecated');
    expect(attr(echoCall, 'mcp_switchboard.server.lifecycle.message')).toBe('echo moves to the shared gateway next year');
    const inventory = () => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.inventory.server');
    await gateway.waitFor(() => new Set(inventory().map((r) => attr(r, 'mcp_switchboard.server.id'))).size >= 2, 20_000, 'the inventory');
    const latest = new Map(inventory().map((r) => [attr(r, 'mcp_switchboard.server.id'), r]));
    expect(attr(latest.get('everything')!, 'mcp_switchboard.server.lifecycle.state')).toBe('decommissioned');
    expect(attr(latest.get('everything')!, 'mcp_switchboard.server.owner')).toBe('platform-team@example.com');
    expect(attr(latest.get('everything')!, 'mcp_switchboard.server.lifecycle.replacement')).toBe('everything-v2');
    expect(attr(latest.get('echo')!, 'mcp_switchboard.server.lifecycle.state')).toBe('deprecated');
    expect(attr(latest.get('echo')!, 'mcp_switchboard.server.owner')).toBe('tools-team@example.com');
  }, 60_000);
});
