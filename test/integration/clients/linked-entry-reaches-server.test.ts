// Every client fixture in test/fixtures/clients (user and project files, comments and unknown
// keys), placed at the client's path in a temporary home, goes import → link with the real
// `switchboard client` commands, which go through a running `switchboard serve` (its clients.*
// API); each linked entry is then run exactly as that client
// runs it (Claude Desktop spawns the bridge command with its args and env; the others connect to
// the URL with the bearer header) and reaches server-everything through the daemon; unlink puts
// the fixture's bytes back and revokes the tokens.
//
// The fixtures' own upstreams (npx packages, docker, uvx, SaaS URLs) cannot run here, so after
// import each imported server is re-pointed in the app's config at server-everything (stdio: same
// env, so the secrets moved to the keychain are resolved into it; remote: a local server-everything
// in Streamable HTTP mode, same headers). What is under test is the client side of the path: the
// entry the app wrote, run the client's way, arriving at the server the app maps it to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { apiContract } from '../../../shared/api/contract.ts';
import { createApiClient } from '../../../shared/api/define.ts';
import type { ServerConfig } from '../../../shared/config.ts';
import { adapterFor } from '../../../main/clients/adapters/index.ts';
import { isObject } from '../../../main/clients/adapters/mcp-servers-format.ts';
import { parseJsonc, valueAt } from '../../../main/clients/jsonc-document.ts';
import { launchSpecFromFile, type LaunchSpec } from '../../../main/clients/launch-spec.ts';
import { httpCallTransport } from '../../../main/endpoints/daemon-client.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { runCli } from '../../support/cli.ts';
import { EVERYTHING_SERVER, startRemoteEverything, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { testRunEnvironment } from '../../support/processes.ts';
import { filesContaining, uniqueService } from '../../unit/secrets/keychain-helpers.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'clients');

/** Every fixture, where its client keeps it: under the home folder or a project folder. */
const FILES: Array<{ client: string; fixture: string; at: 'home' | 'project'; path: string }> = [
  { client: 'claude-desktop', fixture: 'claude-desktop/claude_desktop_config.json', at: 'home', path: '.config/Claude/claude_desktop_config.json' },
  { client: 'cursor', fixture: 'cursor/mcp.json', at: 'home', path: '.cursor/mcp.json' },
  { client: 'cursor', fixture: 'cursor/project-mcp.json', at: 'project', path: '.cursor/mcp.json' },
  { client: 'vscode', fixture: 'vscode/mcp.json', at: 'home', path: '.config/Code/User/mcp.json' },
  { client: 'vscode', fixture: 'vscode/workspace-mcp.json', at: 'project', path: '.vscode/mcp.json' },
  { client: 'windsurf', fixture: 'windsurf/mcp_config.json', at: 'home', path: '.codeium/windsurf/mcp_config.json' },
  { client: 'claude-code', fixture: 'claude-code/.claude.json', at: 'home', path: '.claude.json' },
  { client: 'claude-code', fixture: 'claude-code/.mcp.json', at: 'project', path: '.mcp.json' },
];

let daemon: TestDaemon;
let remote: { url: string; stop(): Promise<void> };
let root: string;
let secrets: KeyringSecretStore;
let cliEnv: Record<string, string>;
const clients: Client[] = [];
/** URL entries as they were while linked: their tokens must stop working after unlink. */
const urlSpecs: LaunchSpec[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'switchboard-linked-'));
  // An empty PATH for the daemon: the fixtures' commands (npx, docker, uvx) fail at once instead of
  // reaching for the network before the test re-points their servers.
  for (const dir of ['empty-path', 'home', 'project']) mkdirSync(join(root, dir));
  const service = uniqueService();
  secrets = new KeyringSecretStore({ service });
  remote = await startRemoteEverything();
  daemon = await startTestDaemon({ env: { SWITCHBOARD_KEYCHAIN_SERVICE: service, HOME: join(root, 'home'), PATH: join(root, 'empty-path') } });
  // URL links name the configured port, never a one-off one: the free port this daemon got becomes
  // the configured one, as if the user had set settings.httpPort to it.
  setConfiguredPort(daemon.httpPort);
  cliEnv = { SWITCHBOARD_KEYCHAIN_SERVICE: service, HOME: join(root, 'home'), XDG_CONFIG_HOME: '' };
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await daemon?.stop();
  await remote?.stop();
  for (const name of await secrets.list()) await secrets.delete(name);
  rmSync(root, { recursive: true, force: true });
});

async function connectAsClient(spec: LaunchSpec): Promise<Client> {
  const client = new Client({ name: 'linked-client', version: '1.0.0' });
  if (spec.kind === 'spawn') {
    // What a spawning client does: its own environment plus the entry's env, the entry's command line.
    await client.connect(new StdioClientTransport({ command: spec.command, args: spec.args, env: { ...getDefaultEnvironment(), ...testRunEnvironment(), ...spec.env }, stderr: 'ignore' }));
  } else {
    await client.connect(new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } }));
  }
  clients.push(client);
  return client;
}

/** Sets settings.httpPort in the daemon's config.json (the port URL links must name). */
function setConfiguredPort(port: number): void {
  const file = join(daemon.dataDir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { settings: Record<string, unknown> };
  config.settings.httpPort = port;
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** `switchboard client …` as a user runs it, from the project folder, against the daemon's data folder. */
async function cli(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(['client', ...args], { dataDir: daemon.dataDir, cwd: join(root, 'project'), env: cliEnv });
  if (code !== 0) throw new Error(`switchboard client ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/** "  <name> → <serverId> (…)" lines of the import and link output. */
function mapped(output: string): Array<{ name: string; serverId: string; rest: string }> {
  return [...output.matchAll(/^ {2}(.+?) → (\S+)(.*)$/gm)].map((m) => ({ name: m[1]!, serverId: m[2]!, rest: m[3]! }));
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ text: string }>)[0]!.text;
}

/** Every entry of a client's file: [JSON path, name]. */
function entryPaths(client: string, file: string): Array<Array<string>> {
  const adapter = adapterFor(client);
  const data = parseJsonc(file, readFileSync(file, 'utf8'));
  return adapter.serverMaps(data).flatMap((mapPath) => {
    const map = valueAt(data, mapPath);
    return isObject(map) ? Object.keys(map).map((name) => [...mapPath.map(String), name]) : [];
  });
}

describe('linked entries through the daemon, for every client fixture', () => {
  it('the list covers every fixture file', () => {
    const onDisk = (readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }))
      .filter((f) => f.endsWith('.json')).map((f) => relative('', f)).sort();
    expect(FILES.map((f) => f.fixture).sort()).toEqual(onDisk);
  });

  it('refuses a URL link while the daemon listens on another port than the configured one, and changes nothing', async () => {
    const file = join(root, 'home', '.cursor', 'mcp.json');
    mkdirSync(dirname(file), { recursive: true });
    copyFileSync(join(FIXTURES, 'cursor/mcp.json'), file);
    const original = readFileSync(file);
    const configured = daemon.httpPort === 65_535 ? daemon.httpPort - 1 : daemon.httpPort + 1;
    setConfiguredPort(configured);
    try {
      await expect(cli('link', 'cursor')).rejects.toThrow(new RegExp(`the daemon listens on port ${daemon.httpPort} \\(started with --port\\), not on the configured port ${configured}.*Restart the daemon without --port`));
      // Through the API (what the UI calls) it is a conflict for the user to fix, not a server error.
      const api = createApiClient(apiContract, httpCallTransport(daemon));
      await expect(api['clients.link']({ client: 'cursor' })).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      setConfiguredPort(daemon.httpPort);
    }
    expect(readFileSync(file)).toEqual(original);
    expect(readdirSync(dirname(file)).filter((f) => f.endsWith('.bak'))).toEqual([]);
    const config = JSON.parse(readFileSync(join(daemon.dataDir, 'config.json'), 'utf8')) as { servers: unknown[]; tokens: Array<{ name: string }>; links?: unknown[] };
    expect({ servers: config.servers, tokens: config.tokens.map((t) => t.name), links: config.links ?? [] }).toEqual({ servers: [], tokens: ['test-client'], links: [] });
    rmSync(file);
    expect(existsSync(file)).toBe(false);
  }, 60_000);

  it.each(FILES)('$client $fixture: import → link → run as the client → reaches server-everything → unlink restores', async (f) => {
    const api = createApiClient(apiContract, httpCallTransport(daemon));
    const file = join(root, f.at, f.path);
    mkdirSync(dirname(file), { recursive: true });
    copyFileSync(join(FIXTURES, f.fixture), file);
    const original = readFileSync(file);
    const adapter = adapterFor(f.client);
    const originalData = parseJsonc(file, original.toString('utf8'));
    const paths = entryPaths(f.client, file);
    expect(paths.length).toBeGreaterThan(0);

    // User files are found where the client keeps them; project files are named with --config.
    const configFlag = f.at === 'project' ? ['--config', file] : [];
    const imported = mapped(await cli('import', f.client, ...configFlag));
    expect(imported.map((e) => e.name).sort()).toEqual(paths.map((p) => p.at(-1)).sort());
    const linked = mapped(await cli('link', f.client, ...configFlag));
    expect(linked.map((l) => l.name).sort()).toEqual(paths.map((p) => p.at(-1)).sort());
    expect(readFileSync(file)).not.toEqual(original);
    // A project file (.vscode/mcp.json, .cursor/mcp.json, a project's .mcp.json) may be committed:
    // it gets no token, whatever the client; a per-user file holding one is readable by the user only.
    const linkedText = readFileSync(file, 'utf8');
    if (f.at === 'project') expect(linkedText).not.toMatch(/sbt_|Bearer|Authorization/i);
    if (f.at === 'home' && /sbt_/.test(linkedText)) expect(statSync(file).mode & 0o777).toBe(0o600);
    const listed = JSON.parse(await cli('list', '--json')) as Array<{ id: string; files: Array<{ path: string; status: string }> }>;
    expect(listed.find((c) => c.id === f.client)?.files.find((x) => x.path === file)?.status).toBe('linked');

    // Re-point the servers this file brought in (not ones an earlier file already had) at server-everything.
    const fresh = new Set(imported.filter((e) => e.rest.startsWith(' (imported')).map((e) => e.serverId));
    for (const id of fresh) {
      const { config } = await api['servers.get']({ id });
      const next: ServerConfig = config.transport === 'stdio'
        ? { ...config, command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }
        : { ...config, transport: 'streamable-http', url: remote.url };
      await api['servers.update']({ server: next });
    }

    const serverOf = new Map(linked.map((l) => [l.name, l.serverId]));
    for (const path of paths) {
      const name = path.at(-1)!;
      const spec = await launchSpecFromFile(adapter, file, path);
      expect(spec.kind, name).toBe(adapter.linkMode === 'bridge' || f.at === 'project' ? 'spawn' : 'http');
      if (spec.kind === 'http') {
        expect(spec.url).toBe(`${daemon.baseUrl}/mcp/${serverOf.get(name)}`);
        urlSpecs.push(spec);
      }
      else expect(spec.args.slice(1, 3)).toEqual(['bridge', serverOf.get(name)]);
      const client = await connectAsClient(spec);
      expect(text(await client.callTool({ name: 'echo', arguments: { message: `${f.client} ${name}` } }))).toContain(`${f.client} ${name}`);
      // A stdio server the app imported gets the env the client would have given it, secrets
      // resolved from the keychain.
      const before = adapter.readEntry(valueAt(originalData, path));
      if (typeof before !== 'string' && before.kind === 'stdio' && fresh.has(serverOf.get(name)!)) {
        const env = JSON.parse(text(await client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
        expect(env).toMatchObject(before.env);
      }
    }
    expect(await cli('unlink', f.client, ...configFlag)).toContain(`restored ${file} exactly as it was before linking`);
    expect(readFileSync(file)).toEqual(original);
    const after = JSON.parse(await cli('list', '--json')) as Array<{ id: string; files: Array<{ path: string; status: string }> }>;
    expect(after.find((c) => c.id === f.client)?.files.find((x) => x.path === file)?.status ?? 'unlinked').toBe('unlinked');
  }, 90_000);

  it('after every unlink only the test token is left, the revoked URL entries are refused, and no fixture secret is in the data folder', async () => {
    const config = JSON.parse(readFileSync(join(daemon.dataDir, 'config.json'), 'utf8')) as { tokens: Array<{ name: string }>; links: unknown[] };
    expect(config.tokens.map((t) => t.name)).toEqual(['test-client']);
    expect(config.links).toEqual([]);
    expect(urlSpecs.length).toBeGreaterThan(0);
    for (const spec of urlSpecs) {
      // The daemon applies the token list when it reloads config.json after the write.
      await expect.poll(() => connectAsClient(spec).then(() => 'accepted', (error: Error) => error.message), { timeout: 10_000, interval: 100 })
        .toMatch(/401|unauthorized|token/i);
    }

    // Stopped first: everything it buffers is on disk, and its socket is gone.
    process.kill(daemon.pid, 'SIGTERM');
    await expect.poll(() => daemon.alive(), { timeout: 15_000, interval: 50 }).toBe(false);
    // The inline tokens of the fixtures went to the keychain on import; config.json holds references.
    for (const secret of ['ghp_FixtureDesktop', 'lin_api_FixtureCursor', 'fixture-cursor-db-password', 'github_pat_FixtureVsCode',
      'tal_FixtureWindsurf', 'BSAFixtureWindsurf', 'sntrys_FixtureClaudeCode', 'patFixtureClaudeCode']) {
      expect(filesContaining(daemon.dataDir, secret), secret).toEqual([]);
      expect(daemon.logs(), secret).not.toContain(secret);
    }
  });
});
