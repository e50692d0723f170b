// What import and link do with the files QA found they got wrong: entries that share a command but
// not its env, cwd or headers; URL links and the port they name; backups of files with inline
// secrets; a server name written twice; a missing backup at unlink; entries link cannot use.
// Real files in a temporary home, the real Secret Service.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StdioServerConfig } from '../../../shared/config.ts';
import { ClientService } from '../../../main/clients/client-service.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import { createHarness, HTTP_PORT, runClientCommand, type Harness } from './client-harness.ts';

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });

const MEMORY = ['-y', '@modelcontextprotocol/server-memory'];

function write(h: Harness, relative: string, data: unknown): string {
  const file = join(h.home, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

const DESKTOP = '.config/Claude/claude_desktop_config.json';
const CURSOR = '.cursor/mcp.json';
const WINDSURF = '.codeium/windsurf/mcp_config.json';
const VSCODE = '.config/Code/User/mcp.json';

const cli = runClientCommand;

describe('which entries are the same server', () => {
  it('keeps entries that differ in env apart, says so, and maps an equal secret value to the same server', async () => {
    harness = createHarness();
    const h = harness;
    write(h, DESKTOP, { mcpServers: { memory: { command: 'npx', args: MEMORY, env: { MEMORY_FILE_PATH: '/tmp/a/mem.json' } } } });
    write(h, CURSOR, { mcpServers: { memory: { command: 'npx', args: MEMORY, env: { MEMORY_FILE_PATH: 'mem2.json', DB_PASSWORD: 'hunter2-cursor' } } } });
    await h.service.import('claude-desktop');

    const linked = await h.service.link('cursor');
    expect(linked.linked).toEqual([{ name: 'memory', serverId: 'memory-cursor' }]);
    expect(linked.import.entries[0]).toMatchObject({ serverId: 'memory-cursor', outcome: 'imported' });
    expect(linked.import.warnings).toContain('memory: the app\'s server "memory" runs the same command with a different env MEMORY_FILE_PATH, env DB_PASSWORD; imported as a separate server "memory-cursor"');
    const servers = (await h.config.read()).servers as StdioServerConfig[];
    expect(servers.find((s) => s.id === 'memory')!.env).toEqual({ MEMORY_FILE_PATH: '/tmp/a/mem.json' });
    const cursorServer = servers.find((s) => s.id === 'memory-cursor')!;
    expect(cursorServer.env.MEMORY_FILE_PATH).toBe('mem2.json');
    expect(await h.secrets.get((cursorServer.env.DB_PASSWORD as { secret: string }).secret)).toBe('hunter2-cursor');
    expect(readFileSync(join(h.home, CURSOR), 'utf8')).toContain(`/mcp/memory-cursor"`);

    // The same env, its secret inline again in another client's file: the server the app already has.
    write(h, WINDSURF, { mcpServers: { memory: { command: 'npx', args: MEMORY, env: { DB_PASSWORD: 'hunter2-cursor', MEMORY_FILE_PATH: 'mem2.json' } } } });
    const same = await h.service.import('windsurf');
    expect(same.entries).toMatchObject([{ name: 'memory', serverId: 'memory-cursor', outcome: 'existing' }]);
    expect(same.warnings).toEqual([]);

    // Another value of that secret: another server.
    const other = write(h, 'elsewhere/mcp.json', { mcpServers: { memory: { command: 'npx', args: MEMORY, env: { DB_PASSWORD: 'other', MEMORY_FILE_PATH: 'mem2.json' } } } });
    const differs = await h.service.import('windsurf', other);
    expect(differs.entries[0]!.outcome).toBe('imported');
    expect(['memory', 'memory-cursor']).not.toContain(differs.entries[0]!.serverId);
    expect(differs.warnings.join('\n')).toMatch(/different env DB_PASSWORD;/);
    expect((await h.config.read()).servers).toHaveLength(3);
  });

  it('keeps entries that differ in cwd, or in headers, apart; header names compare case-insensitively', async () => {
    harness = createHarness();
    const h = harness;
    const file = write(h, 'elsewhere/mcp.json', {
      mcpServers: {
        here: { command: 'node', args: ['server.js'] },
        there: { command: 'node', args: ['server.js'], cwd: '/srv/there' },
        again: { command: 'node', args: ['server.js'] },
        a: { url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'a' } },
        b: { url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'b' } },
        c: { url: 'https://mcp.example.com/mcp', headers: { 'x-team': 'a' } },
        d: { url: 'https://mcp.example.com/mcp' },
      },
    });
    const report = await h.service.import('cursor', file);
    const ids = Object.fromEntries(report.entries.map((e) => [e.name, { id: e.serverId, outcome: e.outcome }]));
    expect(ids).toEqual({
      here: { id: 'here', outcome: 'imported' },
      there: { id: 'there', outcome: 'imported' },
      again: { id: 'here', outcome: 'existing' },
      a: { id: 'a', outcome: 'imported' },
      b: { id: 'b', outcome: 'imported' },
      c: { id: 'a', outcome: 'existing' },
      d: { id: 'd', outcome: 'imported' },
    });
    expect(report.warnings).toContain('there: the app\'s server "here" runs the same command with a different cwd; imported as a separate server "there"');
    expect(report.warnings).toContain('b: the app\'s server "a" runs the same URL with a different header X-Team; imported as a separate server "b"');
  });
});

describe('URL links and the port they name', () => {
  it('name the configured port, and are refused while the daemon listens on another', () => {
    const configured = createLinkEndpoint({ dataDir: '/data', httpPort: 47_821, listeningPort: 47_821 });
    expect(configured.url('gh')).toBe('http://127.0.0.1:47821/mcp/gh');
    const oneOff = createLinkEndpoint({ dataDir: '/data', httpPort: 47_821, listeningPort: 51_234 });
    expect(() => oneOff.url('gh')).toThrow(/daemon listens on port 51234 \(started with --port\), not on the configured port 47821 \(settings\.httpPort\).*lose the daemon at the next start\. Restart the daemon without --port, or set settings\.httpPort to 51234 in \/data\/config\.json/);
    expect(oneOff.stableUrl('gh')).toBe('http://127.0.0.1:47821/mcp/gh');
    const ephemeral = createLinkEndpoint({ dataDir: '/data', httpPort: 0, listeningPort: 51_234 });
    expect(() => ephemeral.url('gh')).toThrow(/no fixed port \(settings\.httpPort is 0; this run of the daemon picked 51234, which the next start will not reuse\)/);
    expect(ephemeral.stableUrl('gh')).toBeUndefined();
    expect(oneOff.bridgeCommand('gh').args).toContain('bridge');
  });

  it('are refused before anything changes while no stable port can be named', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', CURSOR);
    const original = readFileSync(file);
    const oneOff = new ClientService({ config: h.config, secrets: h.secrets, env: h.env, endpoint: createLinkEndpoint({ dataDir: h.dataDir, httpPort: HTTP_PORT, listeningPort: HTTP_PORT + 7 }) });
    await expect(oneOff.link('cursor')).rejects.toThrow(/Restart the daemon without --port/);
    expect(readFileSync(file)).toEqual(original);
    expect(h.backups(file)).toEqual([]);
    const config = await h.config.read();
    expect({ servers: config.servers, tokens: config.tokens, links: config.links }).toEqual({ servers: [], tokens: [], links: [] });
    expect(await h.secrets.list()).toEqual([]);
  });

  it('show as drifted once the configured port is not the one they name', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', CURSOR);
    await h.service.link('cursor');
    expect((await h.service.status('cursor', file)).status).toBe('linked');

    const moved = new ClientService({ config: h.config, secrets: h.secrets, env: h.env, endpoint: createLinkEndpoint({ dataDir: h.dataDir, httpPort: HTTP_PORT + 1 }) });
    const status = await moved.status('cursor', file);
    expect(status.status).toBe('drifted');
    expect(status.entries.find((e) => e.name === 'linear')).toMatchObject({
      status: 'drifted', reason: `points at http://127.0.0.1:${HTTP_PORT}/mcp/linear, not at the configured http://127.0.0.1:${HTTP_PORT + 1}/mcp/linear; unlink and link again`,
    });
    expect((await moved.list()).find((c) => c.id === 'cursor')!.files.find((f) => f.path === file)!.status).toBe('drifted');
    // A bridge link names no port.
    h.place('claude-desktop/claude_desktop_config.json', 'home', DESKTOP);
    await h.service.link('claude-desktop');
    expect((await moved.status('claude-desktop')).status).toBe('linked');
  });
});

describe('the backup a link leaves', () => {
  it('is 0600, the link says it holds the inline secrets and where it is, and unlink restores byte for byte', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', CURSOR);
    chmodSync(file, 0o644);
    const original = readFileSync(file);

    const report = await h.service.link('cursor');
    expect(statSync(report.backup).mode & 0o777).toBe(0o600);
    // The linked user file holds a bearer token now: readable by the user only.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(report.backup)).toEqual(original);
    expect(report.import.warnings).toContain(`the backup ${report.backup} keeps the file as it was, inline secrets of linear, postgres included, in plain text `
      + '(readable by you only); unlink restores the file from it: once it is deleted, those entries must be restored by hand');

    const unlinked = await h.service.unlink('cursor');
    expect(unlinked.restored).toBe('exact');
    expect(readFileSync(file)).toEqual(original);
    // Left 0600: narrower than before, and it is a per-user file.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The linked file's copy holds the bearer token: 0600 too.
    expect(statSync(unlinked.backup).mode & 0o777).toBe(0o600);
  });

  it('is not called out when the linked entries hold no inline secret', async () => {
    harness = createHarness();
    const h = harness;
    write(h, DESKTOP, { mcpServers: { memory: { command: 'npx', args: MEMORY, env: { MEMORY_FILE_PATH: '/tmp/a/mem.json' } } } });
    expect((await h.service.link('claude-desktop')).import.warnings).toEqual([]);
  });
});

describe('a server name written twice', () => {
  it('is refused by link and import, naming the name and the file, and nothing changes', async () => {
    harness = createHarness();
    const h = harness;
    const text = '{"mcpServers": {\n  "a": {"command": "x1"},\n  "b": {"command": "y"},\n  "a": {"command": "x2"}\n}}\n';
    const file = write(h, DESKTOP, text);
    const message = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:3: this name is defined more than once: "a" \\(in mcpServers\\); `
      + 'the client uses the last definition of each, but linking would rewrite the first');
    await expect(h.service.link('claude-desktop')).rejects.toThrow(message);
    await expect(h.service.import('claude-desktop')).rejects.toThrow(message);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(h.backups(file)).toEqual([]);
    const config = await h.config.read();
    expect(config.servers).toEqual([]);
    expect(config.links).toEqual([]);
  });

  it('elsewhere in the file (a setting, a key inside one entry) does not stop the link', async () => {
    harness = createHarness();
    const h = harness;
    write(h, DESKTOP, '{"theme": 1, "theme": 2, "mcpServers": {"a": {"command": "x1", "command": "x2"}}}\n');
    const report = await h.service.link('claude-desktop');
    expect(report.linked).toEqual([{ name: 'a', serverId: 'a' }]);
    expect(((await h.config.read()).servers[0] as StdioServerConfig).command).toBe('x2');
  });
});

describe('unlink when the backup is gone', () => {
  it('removes the link and revokes its token, names the entries left to restore by hand, and the file can be linked again', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', CURSOR);
    const original = readFileSync(file, 'utf8');
    const { backup } = await h.service.link('cursor');
    const linkedText = readFileSync(file, 'utf8');
    rmSync(backup);

    await expect(h.service.unlink('cursor')).rejects.toThrow(new RegExp(
      `the pre-link copy .* is missing \\(ENOENT\\), so the original entries of .*mcp\\.json cannot be restored: memory \\(server memory\\), linear \\(server linear\\), postgres \\(server postgres\\) `
      + 'still go through MCP Switchboard and stop working now that their token is revoked\\. Restore them by hand .*The link record was removed and its token revoked, so the file can be linked again\\.'));
    const config = await h.config.read();
    expect(config.links).toEqual([]);
    expect(config.tokens).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(linkedText);
    expect((await h.service.status('cursor', file)).status).toBe('unlinked');

    // Linking again does not say "already linked"; until the user restores the entries, it says why not.
    await expect(h.service.link('cursor')).rejects.toThrow(/has no server entries to link \(skipped memory: already goes through MCP Switchboard; skipped linear: already goes through MCP Switchboard; skipped postgres: already goes through MCP Switchboard\)$/);
    writeFileSync(file, original);
    expect((await h.service.link('cursor')).linked).toHaveLength(3);
  });

  it('succeeds when nothing is left to restore (the user restored the entries already)', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('claude-desktop/claude_desktop_config.json', 'home', DESKTOP);
    const original = readFileSync(file);
    const { backup } = await h.service.link('claude-desktop');
    rmSync(backup);
    writeFileSync(file, original);
    const report = await h.service.unlink('claude-desktop');
    expect(report.keptChanged).toEqual(['filesystem', 'github', 'everything']);
    expect(readFileSync(file)).toEqual(original);
    expect((await h.config.read()).links).toEqual([]);
  });
});

describe('entries link cannot use', () => {
  it('are reported with their reasons, by the service and by `client link`', async () => {
    harness = createHarness();
    const h = harness;
    const entries = { ws: { type: 'websocket', url: 'ws://x' }, empty: {}, ok: { type: 'stdio', command: 'node', args: ['server.js'] } };
    const file = write(h, VSCODE, { servers: entries });
    const original = readFileSync(file, 'utf8');
    const report = await h.service.link('vscode');
    expect(report.linked).toEqual([{ name: 'ok', serverId: 'ok' }]);
    expect(report.import.warnings).toEqual(['skipped ws: unsupported type "websocket"', 'skipped empty: the entry has neither "command" nor a URL']);
    await h.service.unlink('vscode');
    expect(readFileSync(file, 'utf8')).toBe(original);

    const out = await cli(h, 'link', 'vscode');
    expect(out).toContain('  ok → ok\n');
    expect(out).toContain('  warning: skipped ws: unsupported type "websocket"\n');
    expect(out).toContain('  warning: skipped empty: the entry has neither "command" nor a URL\n');
  });

  it('are named in the error when no entry is left to link', async () => {
    harness = createHarness();
    const h = harness;
    const file = write(h, VSCODE, { servers: { ws: { type: 'websocket', url: 'ws://x' } } });
    await expect(h.service.link('vscode')).rejects.toThrow(`${file} has no server entries to link (skipped ws: unsupported type "websocket")`);
    expect(h.backups(file)).toEqual([]);
  });
});
