// The sandbox state in the audit records and the inventory, and policy that requires a sandbox,
// against the real `switchboard serve`, real bwrap and a real HTTP gateway (test/support/gateway.ts).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { auditDbPath } from '../../../main/audit/database.ts';
import { ECHO_SERVER_PATH, prepareAuditDataDir, withAuditApi, type AuditDaemon } from '../../support/audit-fixture.ts';
import { REPO_ROOT, startTestDaemon } from '../../support/daemon.ts';
import { FakeGateway, attr } from '../../support/gateway.ts';

const boxedEcho = (id: string, sandbox: object = { enabled: true, network: 'none', readOnly: [REPO_ROOT], readWrite: [] }) =>
  ({ id, transport: 'stdio', command: process.execPath, args: [ECHO_SERVER_PATH], sandbox });

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const policyDir = mkdtempSync(path.join(tmpdir(), 'sb-policy-'));
afterAll(() => rmSync(policyDir, { recursive: true, force: true }));

async function serve(data: { dataDir: string; clientToken: string }, env: Record<string, string> = {}): Promise<AuditDaemon> {
  cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));
  const daemon = withAuditApi(await startTestDaemon({ data, env }));
  cleanups.push(() => daemon.stop());
  return daemon;
}

async function client(daemon: AuditDaemon, id: string): Promise<Client> {
  const c = await daemon.httpClient(id, undefined, 'sandbox-test');
  cleanups.push(() => c.close());
  return c;
}

describe('sandbox state in the audit and the inventory', () => {
  it('each audit record and inventory entry carries how its server ran', async () => {
    const gateway = new FakeGateway();
    await gateway.start();
    cleanups.push(() => gateway.stop());
    const data = prepareAuditDataDir({ url: gateway.url }, [boxedEcho('echo-boxed')]);
    const daemon = await serve(data);
    for (const id of ['echo', 'echo-boxed']) {
      const c = await client(daemon, id);
      expect((await c.callTool({ name: 'echo', arguments: { text: `hi ${id}` } })).isError).toBeFalsy();
    }
    const { records } = await daemon.audit['audit.query']({ limit: 10 });
    expect(Object.fromEntries(records.map((r) => [r.serverId, r.sandbox]))).toEqual({ 'echo': 'not sandboxed', 'echo-boxed': 'bwrap network=none' });

    const db = new Database(auditDbPath(data.dataDir), { readonly: true });
    try {
      const columns = (db.prepare('PRAGMA table_info(audit_records)').all() as Array<{ name: string }>).map((c) => c.name);
      expect(columns).toContain('sandbox');
    } finally {
      db.close();
    }

    await gateway.waitFor(() => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.audit.call').length >= 2, 15_000, 'the audit records');
    const calls = gateway.records.filter((r) => r.eventName === 'mcp_switchboard.audit.call');
    expect(Object.fromEntries(calls.map((r) => [attr(r, 'mcp_switchboard.server.id'), attr(r, 'mcp_switchboard.server.sandbox')])))
      .toEqual({ 'echo': 'not sandboxed', 'echo-boxed': 'bwrap network=none' });
    const inventory = () => gateway.records.filter((r) => r.eventName === 'mcp_switchboard.inventory.server');
    await gateway.waitFor(() => new Set(inventory().map((r) => attr(r, 'mcp_switchboard.server.id'))).size >= 2, 15_000, 'the inventory');
    const latest = new Map(inventory().map((r) => [attr(r, 'mcp_switchboard.server.id'), attr(r, 'mcp_switchboard.server.sandbox')]));
    expect(Object.fromEntries(latest)).toEqual({ 'echo': 'not sandboxed', 'echo-boxed': 'bwrap network=none' });
  });
});

describe('policy requiring a sandbox', () => {
  const managed = path.join(policyDir, 'policy.json');
  writeFileSync(managed, JSON.stringify({ version: 1, sandbox: { require: [{ id: 'local-servers-sandboxed', servers: [{ command: '**' }], network: 'none' }] } }));

  it('refuses an unsandboxed server, and one whose network differs, and runs the sandboxed one', async () => {
    const data = prepareAuditDataDir(undefined, [boxedEcho('echo-boxed'), boxedEcho('echo-net', { enabled: true, network: 'all', readOnly: [REPO_ROOT] })]);
    const daemon = await serve(data, { SWITCHBOARD_MANAGED_POLICY: managed });
    await expect(daemon.httpClient('echo', undefined, 'sandbox-test')).rejects.toThrow(/must run in a sandbox and has no enabled sandbox profile.*managed policy: local-servers-sandboxed/);
    await expect(daemon.httpClient('echo-net', undefined, 'sandbox-test')).rejects.toThrow(/must run with sandbox network .{1,2}none/);
    const boxed = await client(daemon, 'echo-boxed');
    expect(await boxed.callTool({ name: 'echo', arguments: { text: 'inside' } })).toMatchObject({ content: [{ type: 'text', text: 'inside' }] });
    const status = await daemon.api['servers.get']({ id: 'echo' });
    expect(status.status.reason).toContain('local-servers-sandboxed');
  });

  it('with bwrap hidden from PATH, refuses the sandboxed server with the install hint (fail closed)', async () => {
    const data = prepareAuditDataDir(undefined, [boxedEcho('echo-boxed')]);
    const daemon = await serve(data, { SWITCHBOARD_MANAGED_POLICY: managed, PATH: path.dirname(process.execPath) });
    await expect(daemon.httpClient('echo-boxed', undefined, 'sandbox-test')).rejects.toThrow(/bwrap \(bubblewrap\) is not on the PATH; install bubblewrap \(Debian\/Ubuntu: `sudo apt-get install bubblewrap`/);
    const { status } = await daemon.api['servers.get']({ id: 'echo-boxed' });
    expect(status.state).toBe('failed');
    expect(status.reason).toContain('sudo apt-get install bubblewrap');
    expect(status.reason).toContain('managed policy: local-servers-sandboxed');
    // Refused at admission: no restart loop.
    expect(status.restarts).toBe(0);
  });

  it('with user namespaces disabled (a bwrap that fails as the kernel makes it fail), one clear message and no restarts', async () => {
    // Disabling user namespaces here would change the machine for every other process; a bwrap
    // that answers as bwrap does on such a kernel stands in for it.
    const fakeBin = path.join(policyDir, 'fake-bin');
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(path.join(fakeBin, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces. On e.g. debian this can be enabled with \'sysctl kernel.unprivileged_userns_clone=1\'." >&2\nexit 1\n');
    chmodSync(path.join(fakeBin, 'bwrap'), 0o755);
    const data = prepareAuditDataDir(undefined, [boxedEcho('echo-boxed')]);
    const daemon = await serve(data, { PATH: `${fakeBin}:${path.dirname(process.execPath)}` });
    await expect(daemon.httpClient('echo-boxed', undefined, 'sandbox-test')).rejects.toThrow(/unprivileged user namespaces are disabled/);
    const { status } = await daemon.api['servers.get']({ id: 'echo-boxed' });
    expect(status.state).toBe('failed');
    expect(status.reason).toContain('unprivileged user namespaces are disabled');
    expect(status.reason).toContain('has a sandbox profile, and there is no sandbox here');
    expect(status.restarts).toBe(0);
    expect(status.sandbox).toMatch(/^refused \(not sandboxed: bubblewrap cannot create a user namespace here/);
  });
});
