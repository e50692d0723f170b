// Every call that reaches an MCP server passes the one chain, whoever makes it: the UI's "try a
// tool" (servers.callTool over /api, as the web UI sends it) and the CLI when no daemon runs are
// refused by a managed deny and leave an audit row under their own client name; and a server
// outside the managed allowlist is never started by `server tools` without a daemon.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAuditRows } from '../../support/audit-fixture.ts';
import { runCli } from '../../support/cli.ts';
import { serverEntry, startPolicyDaemon, type PolicyDaemon } from '../../support/policy-fixture.ts';

const DENY_DELETES = { version: 1, tools: [{ match: 'memory/delete_*', action: 'deny' }] };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const switchboard = (args: string[], env: Record<string, string>) => runCli(args, { env, timeoutMs: 60_000 });

async function dataDirWith(servers: object[], managed: object): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-side-door-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const managedPath = path.join(dir, 'managed-policy.json');
  await writeFile(managedPath, JSON.stringify(managed));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ version: 1, servers, settings: { httpPort: 0 } }), { mode: 0o600 });
  return { dir, env: { SWITCHBOARD_MANAGED_POLICY: managedPath, SWITCHBOARD_DATA_DIR: dir } };
}

describe('the UI\'s "try a tool"', () => {
  it('is refused by a managed deny and audited as the client switchboard-ui', async () => {
    const d: PolicyDaemon = await startPolicyDaemon({ managed: DENY_DELETES, autoStart: false });
    cleanups.push(() => d.stop());
    // As the web UI sends it: POST /api/<method> with the page's API token, nothing else.
    const response = await fetch(`http://127.0.0.1:${d.httpPort}/api/servers.callTool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${d.switchboard.info.apiToken}` },
      body: JSON.stringify({ id: 'memory', name: 'delete_entities', arguments: { entityNames: ['x'] } }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('Refused by MCP Switchboard policy (managed: deny memory/delete_*)');
    await d.switchboard.audit.store.settle();
    const rows = readAuditRows(d.dir).filter((row) => row.target === 'delete_entities');
    expect(rows).toMatchObject([{ client_name: 'switchboard-ui', transport: 'in-process', outcome: 'denied' }]);
  });
});

describe('the CLI with no daemon running', () => {
  it('`server call` is refused by a managed deny and audited as the client switchboard-cli', async () => {
    const { dir, env } = await dataDirWith([
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(tmpdir(), `sb-side-door-memory-${process.pid}.jsonl`) } },
    ], DENY_DELETES);
    const refused = await switchboard(['server', 'call', 'memory', 'delete_entities', '--args', '{"entityNames":["x"]}'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Refused by MCP Switchboard policy (managed: deny memory/delete_*)');
    const rows = readAuditRows(dir).filter((row) => row.target === 'delete_entities');
    expect(rows).toMatchObject([{ client_name: 'switchboard-cli', transport: 'in-process', outcome: 'denied' }]);
    // An allowed call runs, through the same chain.
    const allowed = await switchboard(['server', 'call', 'memory', 'read_graph'], env);
    expect(allowed).toMatchObject({ code: 0 });
    expect(readAuditRows(dir).filter((row) => row.target === 'read_graph')).toMatchObject([{ client_name: 'switchboard-cli', outcome: 'ok' }]);
  });

  it('`server tools` never starts a server outside the managed allowlist', async () => {
    const marker = path.join(tmpdir(), `sb-side-door-ran-${process.pid}-${Date.now()}`);
    cleanups.push(() => rm(marker, { force: true }));
    // If this server's process ever starts, it leaves the marker file behind.
    const rogue = { id: 'rogue', transport: 'stdio', command: process.execPath, args: ['-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'started')`] };
    const { env } = await dataDirWith([rogue], { version: 1, servers: { allow: [{ id: 'only-memory', server: 'memory' }] } });
    const result = await switchboard(['server', 'tools', 'rogue'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("server 'rogue' may not run");
    expect(result.stderr).toContain('not on the managed allowlist');
    expect(existsSync(marker)).toBe(false);
  });
});
