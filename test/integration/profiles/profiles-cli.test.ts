// `switchboard profile …` and `token create --profile` run as the real binary against a running
// `switchboard serve` child with server-everything, server-memory and server-filesystem behind it,
// a managed policy that ships a profile and refuses one server; the API answers the same over /api.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Each CLI run starts a Node process; a few of them per test.
vi.setConfig({ testTimeout: 120_000 });
import { profilesContract, type ProfileDetail, type ProfilePreview, type ProfileSummary } from '../../../shared/api/profiles.ts';
import { tokensContract } from '../../../shared/api/tokens.ts';
import { runCli } from '../../support/cli.ts';
import { REPO_ROOT, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { serverEntry } from '../../support/policy-fixture.ts';
import { until } from '../../support/until.ts';

const FILESYSTEM_SERVER = path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

let dir: string;
let daemon: TestDaemon;

async function switchboard(...args: string[]) {
  const { code, stdout, stderr } = await runCli(args, { dataDir: daemon.dataDir, timeoutMs: 30_000 });
  return { code: code ?? 1, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'profiles-cli-'));
  const managedPath = path.join(dir, 'managed-policy.json');
  await writeFile(managedPath, JSON.stringify({
    version: 1,
    servers: { deny: [{ id: 'no-blocked', server: 'blocked' }] },
    profiles: [{ name: 'it-work', servers: ['everything', 'memory'], exclude: ['memory/delete_*'], tools: { 'everything/echo': { visibility: 'deferred' } } }],
  }));
  daemon = await startTestDaemon({
    env: { SWITCHBOARD_MANAGED_POLICY: managedPath },
    servers: [
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-everything'), 'stdio'] },
      { id: 'memory', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      { id: 'filesystem', transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, dir] },
      { id: 'blocked', transport: 'stdio', command: process.execPath, args: [serverEntry('@modelcontextprotocol/server-memory')] },
    ],
  });
  // Ready servers answer previews live (the probe's tools after policy).
  await until(async () => (await daemon.api['servers.list']({})).servers.filter((s) => s.status.state === 'ready').map((s) => s.status.id).sort().join(','), {
    done: (ids) => ids === 'everything,filesystem,memory', what: 'everything, memory and filesystem ready', timeoutMs: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('switchboard profile (real binary, running daemon)', () => {
  it('create checks the profile, saves it and says which server is missing and why; show previews tools/list', async () => {
    const created = await switchboard('profile', 'create', 'work',
      '--server', 'everything', '--server', 'memory', '--server', 'filesystem', '--server', 'blocked', '--server', 'nope',
      '--max-visible', '4', '--exclude', 'memory/delete_*', '--tool', 'everything/get-sum=deferred', '--rename', 'filesystem/read_text_file=read_file_text');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created profile work: 3 server(s)');
    expect(created.stdout).toContain('missing blocked: server "blocked" is refused by managed policy: deny no-blocked');
    expect(created.stdout).toContain('missing nope: no server "nope" is configured');

    const shown = await switchboard('profile', 'show', 'work', '--json');
    expect(shown.code).toBe(0);
    const { preview, ...detail } = JSON.parse(shown.stdout) as ProfileDetail & { preview: ProfilePreview };
    expect(detail.servers).toEqual(['everything', 'memory', 'filesystem']);
    expect(preview.toolsFrom).toEqual({ everything: 'live', memory: 'live', filesystem: 'live' });
    expect(preview.counts).toMatchObject({ visible: 4, maxVisible: 4 });
    const listed = preview.listed.map((t) => t.name);
    expect(listed.slice(4)).toEqual(['find_tools', 'load_tools', 'call_tool']);
    expect(listed).toHaveLength(7);
    const byName = new Map(preview.tools.map((t) => [t.exposedName, t]));
    expect(byName.get('everything__get-sum')).toMatchObject({ serverId: 'everything', toolName: 'get-sum', visibility: 'deferred' });
    expect(byName.get('read_file_text')).toMatchObject({ serverId: 'filesystem', toolName: 'read_text_file' });
    expect(byName.has('memory__delete_entities')).toBe(false);
    expect(preview.excluded).toContainEqual({ serverId: 'memory', toolName: 'delete_entities' });

    const text = await switchboard('profile', 'show', 'work');
    expect(text.stdout).toContain('profile work (config)');
    expect(text.stdout).toMatch(/tools\/list: 4 visible \(cap 4\), \d+ deferred, 3 excluded/);
    expect(text.stdout).toContain('    find_tools');
  });

  it('a rename that collides with another tool\'s name is refused at save time, naming both', async () => {
    const run = await switchboard('profile', 'edit', 'work', '--rename', 'memory/read_graph=everything__echo');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('two tools would be listed as "everything__echo": "everything/echo" and "memory/read_graph"');
    const detail = await daemon.apiFor(profilesContract)['profiles.show']({ name: 'work' });
    expect(detail.configured!.tools!['memory/read_graph']).toBeUndefined();
  });

  it('a profile policy ships can be narrowed, not widened', async () => {
    const widened = await switchboard('profile', 'edit', 'it-work', '--tool', 'everything/echo=visible');
    expect(widened.code).toBe(1);
    expect(widened.stderr).toContain('profile "it-work" is shipped by managed policy and can only be narrowed');
    expect(widened.stderr).toContain('the shipped profile defers this tool');

    const narrowed = await switchboard('profile', 'edit', 'it-work', '--server', 'everything', '--tool', 'everything/get-sum=deferred');
    expect(narrowed.stderr).toBe('');
    const api = daemon.apiFor(profilesContract);
    const detail = await api['profiles.show']({ name: 'it-work' });
    expect(detail).toMatchObject({ source: 'managed', narrowedBy: ['user'], servers: ['everything'] });
    const preview = await api['profiles.preview']({ name: 'it-work' });
    expect(preview.tools.filter((t) => t.visibility === 'deferred').map((t) => t.exposedName).sort()).toEqual(['everything__echo', 'everything__get-sum']);
    expect((await switchboard('profile', 'remove', 'it-work')).code).toBe(0);
    expect((await api['profiles.show']({ name: 'it-work' })).servers).toEqual(['everything', 'memory']);
  });

  it('list names every profile, the built-in default included', async () => {
    const run = await switchboard('profile', 'list', '--json');
    expect(run.code).toBe(0);
    const profiles = JSON.parse(run.stdout) as ProfileSummary[];
    expect(profiles.map((p) => `${p.name}:${p.source}`)).toEqual(['default:default', 'it-work:managed', 'work:config']);
    expect(profiles[0]!.servers).toEqual(['everything', 'memory', 'filesystem']);
    expect(profiles[0]!.missing).toEqual([{ server: 'blocked', reason: 'server "blocked" is refused by managed policy: deny no-blocked' }]);
  });

  it('the API previews an unsaved profile', async () => {
    const preview = await daemon.apiFor(profilesContract)['profiles.preview']({ profile: { name: 'draft', servers: ['memory'], visibility: 'deferred', separator: '.' } });
    expect(preview.listed.map((t) => t.name)).toEqual(['find_tools', 'load_tools', 'call_tool']);
    expect(preview.tools.every((t) => t.exposedName.startsWith('memory.'))).toBe(true);
    expect((await daemon.apiFor(profilesContract)['profiles.list']({})).profiles.map((p) => p.name)).not.toContain('draft');
  });

  it('token create --profile binds a token to one profile: shown as its user, not accepted on a server\'s own endpoint; the profile cannot be removed while used', async () => {
    const bad = await switchboard('token', 'create', 'x', '--profile', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no profile "nope"');

    const created = await switchboard('token', 'create', 'cursor-work', '--profile', 'work');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sbt_/);
    expect(created.stderr).toContain("created for profile 'work'");
    expect((await daemon.apiFor(tokensContract)['tokens.list']({})).tokens).toContainEqual(expect.objectContaining({ name: 'cursor-work', profile: 'work' }));
    expect((await daemon.apiFor(profilesContract)['profiles.show']({ name: 'work' })).usedBy).toEqual({ tokens: ['cursor-work'], clients: [] });

    const response = await fetch(`${daemon.baseUrl}/mcp/everything`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("issued for profile 'work' and opens only its endpoint /mcp");

    const refused = await switchboard('profile', 'remove', 'work');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("profile \"work\" is used by token 'cursor-work'");
    expect((await switchboard('token', 'revoke', 'cursor-work')).code).toBe(0);
    expect((await switchboard('profile', 'remove', 'work')).stdout).toContain('removed profile work');
  });
});
