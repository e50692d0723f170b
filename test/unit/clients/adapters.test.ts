// Where each client keeps its config on macOS, Windows and Linux, and how entries read and link.
import { describe, expect, it } from 'vitest';
import type { ClientEnvironment } from '../../../main/clients/adapter.ts';
import { CLIENT_ADAPTERS, adapterFor } from '../../../main/clients/adapters/index.ts';
import { isSecretValue, looksLikeToken, mustNotBeStoredPlain } from '../../../main/clients/secret-detection.ts';

const mac: ClientEnvironment = { platform: 'darwin', home: '/Users/alex', projectDirs: ['/Users/alex/src/app'] };
const win: ClientEnvironment = { platform: 'win32', home: 'C:\\Users\\alex', appData: 'C:\\Users\\alex\\AppData\\Roaming', projectDirs: ['D:\\src\\app'] };
const linux: ClientEnvironment = { platform: 'linux', home: '/home/alex', xdgConfigHome: '/home/alex/.config', projectDirs: ['/home/alex/src/app'] };

const paths = (id: string, env: ClientEnvironment) => adapterFor(id).configFiles(env).map((f) => `${f.scope}:${f.path}`);

describe('config file locations', () => {
  it('Claude Desktop', () => {
    expect(paths('claude-desktop', mac)).toEqual(['user:/Users/alex/Library/Application Support/Claude/claude_desktop_config.json']);
    expect(paths('claude-desktop', win)).toEqual(['user:C:\\Users\\alex\\AppData\\Roaming\\Claude\\claude_desktop_config.json']);
    expect(paths('claude-desktop', linux)).toEqual(['user:/home/alex/.config/Claude/claude_desktop_config.json']);
  });
  it('Cursor', () => {
    expect(paths('cursor', mac)).toEqual(['user:/Users/alex/.cursor/mcp.json', 'project:/Users/alex/src/app/.cursor/mcp.json']);
    expect(paths('cursor', win)).toEqual(['user:C:\\Users\\alex\\.cursor\\mcp.json', 'project:D:\\src\\app\\.cursor\\mcp.json']);
  });
  it('VS Code', () => {
    expect(paths('vscode', mac)).toEqual(['user:/Users/alex/Library/Application Support/Code/User/mcp.json', 'project:/Users/alex/src/app/.vscode/mcp.json']);
    expect(paths('vscode', win)).toEqual(['user:C:\\Users\\alex\\AppData\\Roaming\\Code\\User\\mcp.json', 'project:D:\\src\\app\\.vscode\\mcp.json']);
    expect(paths('vscode', linux)).toEqual(['user:/home/alex/.config/Code/User/mcp.json', 'project:/home/alex/src/app/.vscode/mcp.json']);
  });
  it('Windsurf', () => {
    expect(paths('windsurf', mac)).toEqual(['user:/Users/alex/.codeium/windsurf/mcp_config.json']);
    expect(paths('windsurf', win)).toEqual(['user:C:\\Users\\alex\\.codeium\\windsurf\\mcp_config.json']);
  });
  it('Claude Code', () => {
    expect(paths('claude-code', linux)).toEqual(['user:/home/alex/.claude.json', 'project:/home/alex/src/app/.mcp.json']);
    expect(paths('claude-code', win)).toEqual(['user:C:\\Users\\alex\\.claude.json', 'project:D:\\src\\app\\.mcp.json']);
  });
  it('rejects an unknown client by name', () => {
    expect(() => adapterFor('emacs')).toThrow(/unknown client "emacs": use one of claude-desktop, cursor, vscode, windsurf, claude-code/);
  });
});

describe('entries', () => {
  it('reads stdio and remote entries in each dialect', () => {
    const cursor = adapterFor('cursor');
    expect(cursor.readEntry({ command: 'npx', args: ['-y', 'x'], env: { A: '1' } })).toEqual({ kind: 'stdio', command: 'npx', args: ['-y', 'x'], env: { A: '1' } });
    expect(cursor.readEntry({ url: 'https://a/mcp', headers: { X: 'y' } })).toEqual({ kind: 'remote', transport: 'streamable-http', url: 'https://a/mcp', headers: { X: 'y' } });
    expect(adapterFor('windsurf').readEntry({ serverUrl: 'https://a/sse' })).toMatchObject({ kind: 'remote', url: 'https://a/sse' });
    expect(adapterFor('vscode').readEntry({ type: 'sse', url: 'https://a/sse' })).toMatchObject({ kind: 'remote', transport: 'sse' });
    expect(cursor.readEntry({ args: [] })).toMatch(/neither "command" nor a URL/);
  });

  it('writes linked entries in each client dialect', () => {
    const url = { kind: 'url' as const, url: 'http://127.0.0.1:1/mcp/a', token: 't' };
    const bridge = { kind: 'bridge' as const, command: '/n', args: ['b', 'bridge', 'a'] };
    expect(adapterFor('cursor').linkedEntry(url)).toEqual({ url: url.url, headers: { Authorization: 'Bearer t' } });
    expect(adapterFor('vscode').linkedEntry(url)).toEqual({ type: 'http', url: url.url, headers: { Authorization: 'Bearer t' } });
    expect(adapterFor('windsurf').linkedEntry(url)).toEqual({ serverUrl: url.url, headers: { Authorization: 'Bearer t' } });
    expect(adapterFor('claude-code').linkedEntry(url)).toEqual({ type: 'http', url: url.url, headers: { Authorization: 'Bearer t' } });
    expect(adapterFor('claude-desktop').linkedEntry(bridge)).toEqual({ command: '/n', args: ['b', 'bridge', 'a'] });
    expect(CLIENT_ADAPTERS.map((a) => a.linkMode)).toEqual(['bridge', 'url', 'url', 'url', 'url']);
  });

  it('finds Claude Code servers at user scope and in each project', () => {
    expect(adapterFor('claude-code').serverMaps({ mcpServers: {}, projects: { '/a': { mcpServers: {} }, '/b': { allowedTools: [] } } }))
      .toEqual([['mcpServers'], ['projects', '/a', 'mcpServers']]);
  });
});

describe('secret detection', () => {
  it('treats secret-named keys and token-shaped values as secrets, placeholders not', () => {
    expect(isSecretValue('GITHUB_TOKEN', 'abc')).toBe(true);
    expect(isSecretValue('Authorization', 'Bearer x')).toBe(true);
    expect(isSecretValue('X-API-Key', 'abc')).toBe(true);
    expect(isSecretValue('PGPASSWORD', 'pw')).toBe(true);
    // Refusing to store a value in plain text: settings under secret-sounding names pass, secrets do not.
    for (const [key, value] of [['MAX_TOKENS', '4096'], ['SESSION_TIMEOUT', '30s'], ['AUTH_MODE', 'none'], ['TOKEN_CACHE', 'disabled'], ['LOG_LEVEL', 'debug']]) {
      expect(mustNotBeStoredPlain(key!, value!), `${key}=${value}`).toBe(false);
    }
    for (const [key, value] of [['GITHUB_TOKEN', 'abc'], ['PGPASSWORD', 'hunter2'], ['Authorization', 'Bearer x'], ['PORT', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'], ['API_KEY', '1234567890123456']]) {
      expect(mustNotBeStoredPlain(key!, value!), `${key}=${value}`).toBe(true);
    }
    expect(isSecretValue('SOMETHING', 'ghp_abcdefabcdefabcdefabcdefabcdefabcdef')).toBe(true);
    expect(isSecretValue('LOG_LEVEL', 'info')).toBe(false);
    expect(isSecretValue('API_KEY', '${input:key}')).toBe(false);
    expect(isSecretValue('API_KEY', '${env:KEY}')).toBe(false);
    expect(isSecretValue('MEMORY_FILE_PATH', '/home/alex/.cursor/memory.jsonl')).toBe(false);
    expect(looksLikeToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig')).toBe(true);
    expect(looksLikeToken('a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6')).toBe(true);
    expect(looksLikeToken('https://example.com/some/long/path/1234567890')).toBe(false);
  });
});

describe('import warnings and skips', () => {
  it('warns about client-side placeholders and query credentials, skips unusable entries', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ClientImporter } = await import('../../../main/clients/client-importer.ts');
    const { JsonConfigFile } = await import('../../../main/clients/config-access.ts');
    const { createLinkEndpoint } = await import('../../../main/clients/link-endpoint.ts');
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-import-'));
    try {
      const file = join(dir, 'mcp.json');
      writeFileSync(file, JSON.stringify({ servers: {
        ws: { type: 'stdio', command: 'node', args: ['${workspaceFolder}/server.js'] },
        q: { type: 'http', url: 'https://api.example.com/mcp?api_key=abc' },
        bad: { type: 'http', url: 'not a url' },
        ws2: { type: 'websocket', url: 'wss://x' },
        linked: { type: 'http', url: 'http://127.0.0.1:1234/mcp/other' },
      } }));
      const secrets = { get: async () => null, set: async () => { throw new Error('no secret expected'); }, delete: async () => false, list: async () => [] };
      const importer = new ClientImporter({ config: new JsonConfigFile(join(dir, 'config.json')), secrets, endpoint: createLinkEndpoint({ dataDir: dir, httpPort: 1 }) });
      const report = await importer.importFile(adapterFor('vscode'), file);
      expect(report.entries.map((e) => e.serverId)).toEqual(['ws', 'q']);
      expect(report.warnings.join('\n')).toMatch(/ws: "\$\{workspaceFolder\}\/server\.js" holds a placeholder/);
      expect(report.warnings.join('\n')).toMatch(/q: the URL carries a credential in its query \(api_key\)/);
      expect(report.skipped).toEqual([
        { name: 'bad', reason: '"not a url" is not an http(s) URL' },
        { name: 'ws2', reason: 'unsupported type "websocket"' },
        { name: 'linked', reason: 'already goes through MCP Switchboard' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
