// import → link → the linked entry is a valid bridge command or URL → unlink restores the original
// byte for byte, for every adapter, on real-shaped fixtures (comments, unknown keys). Inline
// secrets move to the real Secret Service and appear in no file under the data folder.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { adapterFor } from '../../../main/clients/adapters/index.ts';
import { launchSpecFromFile } from '../../../main/clients/launch-spec.ts';
import { REPO_BIN } from '../../../main/clients/link-endpoint.ts';
import { parseJsonc, valueAt } from '../../../main/clients/jsonc-document.ts';
import { filesContaining } from '../secrets/keychain-helpers.ts';
import { createHarness, HTTP_PORT, runClientCommand, type Harness } from './client-harness.ts';

interface Case {
  client: string;
  fixture: string;
  relativeTo: 'home' | 'project';
  path: string;
  /** Entries expected to be linked (full JSON paths). */
  entries: Array<Array<string>>;
  /** Inline secrets in the fixture that must end up in the keychain only. */
  secrets: string[];
  /** Text that must survive link (comments, unknown keys). */
  kept: string[];
  useConfigFlag?: boolean;
}

const CASES: Case[] = [
  {
    client: 'claude-desktop', fixture: 'claude-desktop/claude_desktop_config.json', relativeTo: 'home', path: '.config/Claude/claude_desktop_config.json',
    entries: [['mcpServers', 'filesystem'], ['mcpServers', 'github'], ['mcpServers', 'everything']],
    secrets: ['ghp_FixtureDesktop0000000000000000000000'], kept: ['"globalShortcut": "Alt+Space"', '"quickEntryShortcut": "off"'],
  },
  {
    client: 'cursor', fixture: 'cursor/mcp.json', relativeTo: 'home', path: '.cursor/mcp.json',
    entries: [['mcpServers', 'memory'], ['mcpServers', 'linear'], ['mcpServers', 'postgres']],
    secrets: ['Bearer lin_api_FixtureCursor00000000000000000000000000', 'fixture-cursor-db-password'], kept: ['"x-team-note": "managed by the platform team"'],
  },
  {
    client: 'cursor', fixture: 'cursor/project-mcp.json', relativeTo: 'project', path: '.cursor/mcp.json', useConfigFlag: true,
    entries: [['mcpServers', 'memory'], ['mcpServers', 'docs']], secrets: [], kept: ['"x-project-note": "checked in; shared by the whole team"'],
  },
  {
    client: 'vscode', fixture: 'vscode/mcp.json', relativeTo: 'home', path: '.config/Code/User/mcp.json',
    entries: [['servers', 'memory'], ['servers', 'perplexity'], ['servers', 'github']],
    secrets: ['Bearer github_pat_FixtureVsCode0000000000000000000000000000'],
    kept: ['// MCP servers for this profile.', '// Local memory graph for the agent', '/* Perplexity search, key prompted by VS Code */', '"id": "perplexity-key"', '"chat.mcp.discovery.enabled": true'],
  },
  {
    client: 'vscode', fixture: 'vscode/workspace-mcp.json', relativeTo: 'project', path: '.vscode/mcp.json', useConfigFlag: true,
    entries: [['servers', 'fetch']], secrets: [], kept: ['// Workspace servers, shared through the repository.'],
  },
  {
    client: 'windsurf', fixture: 'windsurf/mcp_config.json', relativeTo: 'home', path: '.codeium/windsurf/mcp_config.json',
    entries: [['mcpServers', 'git'], ['mcpServers', 'talaria'], ['mcpServers', 'brave-search']],
    secrets: ['Bearer tal_FixtureWindsurf000000000000000000000000', 'BSAFixtureWindsurf0000000000000000'], kept: [],
  },
  {
    client: 'claude-code', fixture: 'claude-code/.claude.json', relativeTo: 'home', path: '.claude.json',
    entries: [['mcpServers', 'sentry'], ['projects', '/home/alex/src/app', 'mcpServers', 'airtable']],
    secrets: ['Bearer sntrys_FixtureClaudeCode000000000000000000000', 'patFixtureClaudeCode00000000000000.0000000000000000'],
    kept: ['"numStartups": 42', '"hasTrustDialogAccepted": true', '"display": "fix the flaky test"'],
  },
  {
    client: 'claude-code', fixture: 'claude-code/.mcp.json', relativeTo: 'project', path: '.mcp.json', useConfigFlag: true,
    entries: [['mcpServers', 'shared-docs'], ['mcpServers', 'everything']], secrets: [], kept: ['"x-maintainers": ["platform-team"]'],
  },
];

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });

describe.each(CASES)('$client $fixture', (c) => {
  it('imports, links to a well-formed entry, reports status, and unlinks byte for byte', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place(c.fixture, c.relativeTo, c.path);
    const original = readFileSync(file);
    const fileArg = c.useConfigFlag ? file : undefined;
    const adapter = adapterFor(c.client);

    // import: servers land in config.json with secrets replaced by references
    const imported = await h.service.import(c.client, fileArg);
    expect(imported.entries.map((e) => e.path)).toEqual(c.entries);
    const config = await h.config.read();
    expect(config.servers.map((s) => s.id).sort()).toEqual(imported.entries.map((e) => e.serverId).sort());
    const movedNames = imported.entries.flatMap((e) => e.secrets);
    expect(movedNames).toHaveLength(c.secrets.length);
    for (const name of movedNames) expect(c.secrets).toContain(await h.secrets.get(name));
    expect(readFileSync(file)).toEqual(original); // import never writes the client's file

    // link: every entry rewritten, the rest of the file kept
    const linked = await h.service.link(c.client, fileArg);
    expect(linked.linked.map((l) => l.serverId).sort()).toEqual(imported.entries.map((e) => e.serverId).sort());
    expect(readFileSync(linked.backup)).toEqual(original);
    expect(h.backups(file)).toHaveLength(1);
    const linkedText = readFileSync(file, 'utf8');
    for (const kept of c.kept) expect(linkedText).toContain(kept);
    for (const secret of c.secrets) expect(linkedText).not.toContain(secret);
    const linkedData = parseJsonc(file, linkedText);
    const saved = await h.config.read();
    for (const entry of imported.entries) {
      const spec = await launchSpecFromFile(adapter, file, entry.path);
      // Project files (shared, often committed) get the bridge whatever the client: no token in them.
      if (adapter.linkMode === 'bridge' || c.relativeTo === 'project') {
        if (spec.kind !== 'spawn') throw new Error('expected a spawn entry');
        expect(isAbsolute(spec.command) && statSync(spec.command).isFile()).toBe(true);
        expect(spec.command).toBe(process.execPath);
        expect(spec.args).toEqual([REPO_BIN, 'bridge', entry.serverId, '--data-dir', h.dataDir]);
        expect(existsSync(spec.args[0]!)).toBe(true);
      } else {
        if (spec.kind !== 'http') throw new Error('expected a URL entry');
        expect(spec.url).toBe(`http://127.0.0.1:${HTTP_PORT}/mcp/${entry.serverId}`);
        const token = /^Bearer (sbt_[A-Za-z0-9_-]{43})$/.exec(spec.headers.Authorization ?? '')?.[1];
        expect(token).toBeDefined();
        const digest = createHash('sha256').update(token!).digest('hex');
        expect(saved.tokens.map((t) => t.sha256)).toContain(digest);
        expect(JSON.stringify(saved)).not.toContain(token);
      }
      expect(valueAt(linkedData, entry.path)).toBeDefined();
    }
    expect((await h.service.status(c.client, file)).status).toBe('linked');
    for (const secret of [...c.secrets]) expect(filesContaining(h.dataDir, secret)).toEqual([]);

    // unlink: the original bytes come back, the token is revoked
    const unlinked = await h.service.unlink(c.client, fileArg);
    expect(unlinked.restored).toBe('exact');
    expect(readFileSync(file)).toEqual(original);
    const after = await h.config.read();
    expect(after.links).toEqual([]);
    expect(after.tokens).toEqual([]);
    expect((await h.service.status(c.client, file)).status).toBe('unlinked');
  });
});

describe('edits made after linking', () => {
  it('reports drift and restores only the entries still as we wrote them', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('cursor/mcp.json', 'home', '.cursor/mcp.json');
    const originalData = parseJsonc(file, readFileSync(file, 'utf8'));
    await h.service.link('cursor');

    // The user edits the linked file: changes one of our entries and adds a server of their own.
    const text = readFileSync(file, 'utf8')
      .replace('"x-team-note"', '"added-by-user": 1,\n  "x-team-note"')
      .replace(/"url": "http:\/\/127\.0\.0\.1:\d+\/mcp\/postgres"/, '"url": "https://elsewhere.example/mcp"');
    writeFileSync(file, text);
    const status = await h.service.status('cursor', file);
    expect(status.status).toBe('drifted');
    expect(status.entries.find((e) => e.name === 'postgres')?.status).toBe('drifted');
    expect(status.entries.find((e) => e.name === 'memory')?.status).toBe('linked');

    const result = await h.service.unlink('cursor');
    expect(result.restored).toBe('entries');
    expect(result.keptChanged).toEqual(['postgres']);
    const restored = parseJsonc(file, readFileSync(file, 'utf8')) as Record<string, any>;
    expect(restored.mcpServers.memory).toEqual((originalData as any).mcpServers.memory);
    expect(restored.mcpServers.linear).toEqual((originalData as any).mcpServers.linear);
    expect(restored.mcpServers.postgres.url).toBe('https://elsewhere.example/mcp');
    expect(restored['added-by-user']).toBe(1);
  });

  it('refuses to link a file twice', async () => {
    harness = createHarness();
    harness.place('windsurf/mcp_config.json', 'home', '.codeium/windsurf/mcp_config.json');
    await harness.service.link('windsurf');
    await expect(harness.service.link('windsurf')).rejects.toThrow(/already linked/);
  });
});

describe('a file that does not parse', () => {
  it('is left untouched and the error names file, line and column', async () => {
    harness = createHarness();
    const file = harness.place('claude-desktop/claude_desktop_config.json', 'home', '.config/Claude/claude_desktop_config.json');
    const broken = readFileSync(file, 'utf8').replace('"globalShortcut": "Alt+Space"', '"globalShortcut": Alt+Space');
    writeFileSync(file, broken);
    const line = broken.slice(0, broken.indexOf('Alt+Space')).split('\n').length;
    await expect(harness.service.link('claude-desktop')).rejects.toThrow(new RegExp(`claude_desktop_config\\.json:${line}:\\d+: cannot parse`));
    await expect(harness.service.import('claude-desktop')).rejects.toThrow(/left untouched/);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(harness.backups(file)).toEqual([]);
    expect((await harness.config.read()).servers).toEqual([]);
  });
});

describe('switchboard client (CLI)', () => {
  it('lists, imports, links and unlinks through the commander commands', async () => {
    harness = createHarness();
    const h = harness;
    const file = h.place('vscode/mcp.json', 'home', '.config/Code/User/mcp.json');
    const original = readFileSync(file);
    const run = (...argv: string[]): Promise<string> => runClientCommand(h, ...argv);
    const listed = JSON.parse(await run('list', '--json')) as Array<{ id: string; installed: boolean; files: Array<{ exists: boolean; servers: string[] }> }>;
    expect(listed.find((c) => c.id === 'vscode')).toMatchObject({ installed: true });
    expect(listed.find((c) => c.id === 'vscode')!.files[0]!.servers).toEqual(['memory', 'perplexity', 'github']);
    const imported = await run('import', 'vscode');
    expect(imported).toContain('github → github (imported; secrets moved to the keychain: github.header.Authorization)');
    expect(imported).toMatch(/warning: perplexity: PERPLEXITY_API_KEY is "\$\{input:perplexity-key\}"/);
    expect(await run('link', 'vscode')).toContain(`linked ${file}`);
    expect(await run('list')).toMatch(/linked\s+.*mcp\.json \[user\]/);
    expect(await run('unlink', 'vscode')).toContain('restored');
    expect(readFileSync(file)).toEqual(original);
  });
});
