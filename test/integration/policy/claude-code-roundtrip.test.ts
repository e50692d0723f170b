// `switchboard policy import --from claude-code` and `policy export --to claude-code` as a shell
// runs them, on a realistic managed-settings.json (serverUrl wildcards, serverCommand, serverName):
// the lists survive the round trip, and the exported managed-mcp.json's entry, spawned as Claude
// Code spawns it, reaches the server through the running daemon.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_SERVER_PATH } from '../../support/audit-fixture.ts';
import { runCli } from '../../support/cli.ts';
import { prepareDataDir, startTestDaemon } from '../../support/daemon.ts';
import { testRunEnvironment } from '../../support/processes.ts';

const realistic = {
  permissions: { deny: ['Bash(curl:*)'] },
  allowedMcpServers: [
    { serverName: 'github' },
    { serverUrl: 'https://mcp.company.com/*' },
    { serverUrl: 'https://*.internal.example.com/*' },
    { serverUrl: 'http://localhost:*/*' },
    { serverCommand: ['npx', '-y', '@modelcontextprotocol/server-filesystem', '/srv/shared'] },
    { serverCommand: ['python', '/usr/local/bin/approved-server.py'] },
    { serverCommand: ['docker', 'run', '-i', '--rm', 'ghcr.io/acme/mcp:1.4'] },
  ],
  deniedMcpServers: [
    { serverName: 'dangerous-server' },
    { serverUrl: '*://*.untrusted.com/*' },
    { serverCommand: ['npx', '-y', 'unapproved-package'] },
  ],
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-claude-code-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sorted = (entries: unknown[] | undefined) => (entries ?? []).map((e) => JSON.stringify(e)).sort();
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown[]> & { mcpServers?: Record<string, { command: string; args: string[] }> };

describe('policy import / export --to claude-code', () => {
  it('round-trips a realistic file: the same allow and deny lists, other settings kept', async () => {
    const dir = tempDir();
    const data = prepareDataDir({ prefix: 'sb-claude-code-data-' });
    cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));
    const source = path.join(dir, 'managed-settings.json');
    writeFileSync(source, JSON.stringify(realistic, null, 2));

    const imported = await runCli(['policy', 'import', '--from', 'claude-code', source, '--out', path.join(dir, 'policy.json')], { dataDir: data.dataDir });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('10 imported, 0 skipped');
    expect(imported.stdout).toContain('imported allowedMcpServers serverUrl https://*.internal.example.com/* → servers.allow {"url":"https://*.internal.example.com/**"}');
    expect((await runCli(['policy', 'validate', path.join(dir, 'policy.json')])).code).toBe(0);

    const target = path.join(dir, 'claude-code');
    await runCli(['policy', 'export', '--to', 'claude-code', target, '--policy', path.join(dir, 'policy.json')], { dataDir: data.dataDir }).then((r) => expect(r.stderr).toBe(''));
    const exported = readJson(path.join(target, 'managed-settings.json'));
    expect(sorted(exported.allowedMcpServers)).toEqual(sorted(realistic.allowedMcpServers));
    expect(sorted(exported.deniedMcpServers)).toEqual(sorted(realistic.deniedMcpServers));

    // Exported into a folder whose managed-settings.json has other settings: they stay.
    writeFileSync(path.join(target, 'managed-settings.json'), JSON.stringify({ permissions: realistic.permissions, deniedMcpServers: [{ serverName: 'old' }] }));
    await runCli(['policy', 'export', '--to', 'claude-code', target, '--policy', path.join(dir, 'policy.json')], { dataDir: data.dataDir });
    const merged = readJson(path.join(target, 'managed-settings.json'));
    expect(merged.permissions).toEqual(realistic.permissions);
    expect(sorted(merged.deniedMcpServers)).toEqual(sorted(realistic.deniedMcpServers));
  }, 120_000);

  it('routes every configured server through the bridge: managed-mcp.json holds no secret and its entry reaches the server via the daemon', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'managed-settings.json');
    writeFileSync(source, JSON.stringify({ allowedMcpServers: [{ serverCommand: [process.execPath, ECHO_SERVER_PATH] }], deniedMcpServers: [{ serverName: 'dangerous-server' }] }));
    const policyFile = path.join(dir, 'policy.json');
    expect((await runCli(['policy', 'import', '--from', 'claude-code', source, '--out', policyFile])).code).toBe(0);
    const daemon = await startTestDaemon({
      servers: [{ id: 'echo', transport: 'stdio', command: process.execPath, args: [ECHO_SERVER_PATH] }, { id: 'off', transport: 'stdio', command: 'node', args: ['x.js'], enabled: false }],
      env: { SWITCHBOARD_MANAGED_POLICY: policyFile },
    });
    cleanups.push(() => daemon.stop());

    const target = path.join(dir, 'claude-code');
    const exported = await runCli(['policy', 'export', '--to', 'claude-code', target], { dataDir: daemon.dataDir });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('exported the server entries of the managed and org policy in force');
    expect(exported.stdout).toContain('managed-mcp.json: left out off (disabled)');
    const mcp = readJson(path.join(target, 'managed-mcp.json'));
    expect(Object.keys(mcp.mcpServers!)).toEqual(['echo']);
    const entry = mcp.mcpServers!.echo!;
    expect(entry.args.slice(-2)).toEqual(['bridge', 'echo']);
    expect(JSON.stringify(mcp)).not.toMatch(/token|bearer|headers|sbt_|--data-dir/i);
    const settings = readJson(path.join(target, 'managed-settings.json'));
    // The allowlist keeps the imported entry and admits the bridge entry that managed-mcp.json runs.
    expect(sorted(settings.allowedMcpServers)).toEqual(sorted([{ serverCommand: [process.execPath, ECHO_SERVER_PATH] }, { serverCommand: [entry.command, ...entry.args] }]));
    expect(settings.deniedMcpServers).toEqual([{ serverName: 'dangerous-server' }]);

    // Re-imported, the bridge entry is recognised as Switchboard's own and skipped.
    const again = await runCli(['policy', 'import', '--from', 'claude-code', path.join(target, 'managed-settings.json')]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('skipped allowedMcpServers serverCommand');
    expect(again.stderr).toContain('Switchboard\'s own bridge command');
    expect((JSON.parse(again.stdout) as { servers: unknown }).servers).toEqual(JSON.parse(readFileSync(policyFile, 'utf8')).servers);

    // Claude Code spawns the entry as it stands; the user's default data folder is the daemon's.
    const client = new Client({ name: 'claude-code', version: '2.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...getDefaultEnvironment(), ...testRunEnvironment(), SWITCHBOARD_DATA_DIR: daemon.dataDir }, stderr: 'pipe' }));
    cleanups.push(() => client.close());
    expect(await client.callTool({ name: 'echo', arguments: { text: 'through the proxy' } })).toMatchObject({ content: [{ type: 'text', text: 'through the proxy' }] });
  }, 120_000);

  it('bad input: a malformed file and a multi-key entry fail with the entry named, and nothing is written', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "allowedMcpServers": [ { "serverName": "a" }, ] }');
    const malformed = await runCli(['policy', 'import', '--from', 'claude-code', bad, '--out', path.join(dir, 'out.json')]);
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain(`${bad} is not valid JSON`);
    writeFileSync(bad, JSON.stringify({ deniedMcpServers: [{ serverName: 'a', serverUrl: 'https://x/*' }] }));
    const multi = await runCli(['policy', 'import', '--from', 'claude-code', bad, '--out', path.join(dir, 'out.json')]);
    expect(multi.code).not.toBe(0);
    expect(multi.stderr).toContain('deniedMcpServers[0]: has serverName and serverUrl; an entry takes exactly one of serverName, serverUrl, serverCommand');
    expect(() => readFileSync(path.join(dir, 'out.json'))).toThrow();
    const wrongClient = await runCli(['policy', 'import', '--from', 'cursor', bad]);
    expect(wrongClient.stderr).toContain('--from cursor: only "claude-code" is supported');
  }, 120_000);
});
