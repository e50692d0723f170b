// Claude Code's managed-settings.json lists ↔ policy server entries: each mapping, checked against
// the real policy engine (what the imported entry admits or refuses), what cannot map exactly, and
// bad input with errors naming the entry.
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../shared/config.ts';
import { PolicyDocumentSchema, type ServerMatcher } from '../../../shared/policy.ts';
import {
  exportClaudeCodeLists, globToUrlPattern, importClaudeCodeLists, literalGlob, parseClaudeCodeSettings, urlPatternToGlob, type ClaudeCodeEntry,
} from '../../../main/policy/claude-code-managed.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { isBridgeCommand } from '../../../main/cli/policy-claude-code.ts';

const stdio = (id: string, command: string, args: string[]): ServerConfig => ({ id, transport: 'stdio', enabled: true, command, args, env: {} });
const remote = (id: string, url: string): ServerConfig => ({ id, transport: 'streamable-http', enabled: true, url, headers: {} } as ServerConfig);

/** The engine with only the imported allowlist (or denylist) as the managed policy. */
function engineFor(list: 'allow' | 'deny', entries: ClaudeCodeEntry[]): PolicyEngine {
  const imported = importClaudeCodeLists(list === 'allow' ? { allowedMcpServers: entries } : { deniedMcpServers: entries });
  const policy = PolicyDocumentSchema.parse({ version: 1, servers: imported.servers });
  return new PolicyEngine({ managed: { state: 'active', path: '/managed.json', policy } });
}

describe('import: each mapping as the engine applies it', () => {
  it('serverCommand is the exact argv: same command and arguments, in order, no more and no fewer', () => {
    const engine = engineFor('allow', [{ serverCommand: ['npx', '-y', '@modelcontextprotocol/server-filesystem', '/srv/shared'] }]);
    expect(engine.admitServer(stdio('fs', 'npx', ['-y', '@modelcontextprotocol/server-filesystem', '/srv/shared'])).ok).toBe(true);
    expect(engine.admitServer(stdio('fs', 'npx', ['@modelcontextprotocol/server-filesystem', '/srv/shared'])).ok).toBe(false);
    expect(engine.admitServer(stdio('fs', 'npx', ['-y', '@modelcontextprotocol/server-filesystem', '/srv/shared', '--flag'])).ok).toBe(false);
    expect(engine.admitServer(stdio('fs', 'npx', ['-y', '@modelcontextprotocol/server-filesystem', '/srv'])).ok).toBe(false);
  });

  it('serverCommand with glob characters and a literal "..." still matches only itself', () => {
    const argv = ['python', 'server[1].py', '*', '{a,b}', '...'];
    const engine = engineFor('allow', [{ serverCommand: argv }]);
    expect(engine.admitServer(stdio('x', 'python', argv.slice(1))).ok).toBe(true);
    expect(engine.admitServer(stdio('x', 'python', ['server1.py', 'anything', 'a', 'more', 'args'])).ok).toBe(false);
    expect(engine.admitServer(stdio('x', 'python', [...argv.slice(1), 'extra'])).ok).toBe(false);
  });

  it('serverUrl: "*" as a whole path segment crosses "/", "*" in the host stays in it', () => {
    const engine = engineFor('allow', [{ serverUrl: 'https://mcp.company.com/*' }, { serverUrl: 'https://*.internal.example.com/*' }, { serverUrl: 'http://localhost:*/*' }]);
    expect(engine.admitServer(remote('a', 'https://mcp.company.com/v1/mcp')).ok).toBe(true);
    expect(engine.admitServer(remote('b', 'https://tools.internal.example.com/mcp')).ok).toBe(true);
    expect(engine.admitServer(remote('c', 'http://localhost:8080/mcp')).ok).toBe(true);
    expect(engine.admitServer(remote('d', 'https://mcp.company.com.evil.net/mcp')).ok).toBe(false);
    expect(engine.admitServer(remote('e', 'https://internal.example.com/mcp')).ok).toBe(false);
  });

  it('serverUrl in a denylist with a scheme wildcard', () => {
    const engine = engineFor('deny', [{ serverUrl: '*://*.untrusted.com/*' }]);
    expect(engine.admitServer(remote('a', 'https://api.untrusted.com/mcp')).ok).toBe(false);
    expect(engine.admitServer(remote('b', 'http://api.untrusted.com/x/y')).ok).toBe(false);
    expect(engine.admitServer(remote('c', 'https://api.trusted.com/mcp')).ok).toBe(true);
  });

  it('serverName is the server id, exactly (no wildcard), noted as the user\'s choice', () => {
    const engine = engineFor('deny', [{ serverName: 'dangerous-server' }, { serverName: 'a*b' }]);
    expect(engine.admitServer(stdio('dangerous-server', 'node', ['x.js'])).ok).toBe(false);
    expect(engine.admitServer(stdio('dangerous-server-2', 'node', ['x.js'])).ok).toBe(true);
    const result = importClaudeCodeLists({ deniedMcpServers: [{ serverName: 'dangerous-server' }, { serverName: 'a*b' }] });
    expect(result.imported[0]!.notes[0]).toContain('the user chooses');
    expect(result.skipped).toEqual([{ list: 'deniedMcpServers', entry: { serverName: 'a*b' }, why: expect.stringContaining('can never be a Switchboard server id') }]);
  });

  it('an empty allowedMcpServers stays an empty allowlist (no server may run, as in Claude Code)', () => {
    expect(importClaudeCodeLists({ allowedMcpServers: [] }).servers).toEqual({ allow: [] });
    expect(engineFor('allow', []).admitServer(stdio('x', 'node', [])).ok).toBe(false);
  });

  it('Switchboard\'s own bridge entries are skipped with why; a serverName-only allowlist gets a note', () => {
    const bridge = ['/usr/local/bin/switchboard', 'bridge', 'github'];
    expect(isBridgeCommand(bridge)).toBe(true);
    expect(isBridgeCommand(['node', '/opt/switchboard/bin/switchboard.js', 'bridge', 'x'])).toBe(true);
    expect(isBridgeCommand(['npx', '-y', 'bridge'])).toBe(false);
    const result = importClaudeCodeLists({ allowedMcpServers: [{ serverName: 'github' }, { serverCommand: bridge }] }, { isBridgeCommand });
    expect(result.skipped[0]!.why).toContain('Switchboard\'s own bridge command');
    expect(importClaudeCodeLists({ allowedMcpServers: [{ serverName: 'github' }] }).notes.join(' ')).toContain('not a security control on its own');
  });
});

describe('export: what maps back and what cannot', () => {
  it('literal globs and URL globs turn back into the Claude Code text', () => {
    expect(globToUrlPattern(urlPatternToGlob('https://*.example.com/*'))).toEqual({ pattern: 'https://*.example.com/*' });
    expect(globToUrlPattern(urlPatternToGlob('http://host/a(b)/[x]'))).toEqual({ pattern: 'http://host/a(b)/[x]' });
    expect(exportClaudeCodeLists({ allow: [{ command: literalGlob('python'), args: ['x[1].py', '...'].map(literalGlob) }] }).lists)
      .toEqual({ allowedMcpServers: [{ serverCommand: ['python', 'x[1].py', '...'] }] });
  });

  it.each<[string, ServerMatcher, string]>([
    ['a registry name', { registryName: 'io.github.acme/*' }, 'no registry-name matcher'],
    ['a package', { package: { registryType: 'npm', identifier: '@acme/*' } }, 'no package matcher'],
    ['combined fields', { server: 'gh', url: 'https://x/**' }, 'combines server and url'],
    ['a server id glob', { server: 'github-*' }, 'serverName is an exact name'],
    ['a "?" in a URL glob', { url: 'https://mcp?.example.com/**' }, 'has only "*"'],
    ['a command without arguments', { command: 'npx' }, 'matches any arguments'],
    ['an open argument list', { command: 'npx', args: ['-y', '...'] }, 'exact command line'],
    ['an argument wildcard', { command: 'npx', args: ['-y', '@acme/*'] }, 'exact command line'],
  ])('skips %s with why', (_name, matcher, why) => {
    const result = exportClaudeCodeLists({ deny: [{ id: 'rule', ...matcher }] });
    expect(result.lists).toEqual({ deniedMcpServers: [] });
    expect(result.skipped).toEqual([{ list: 'deniedMcpServers', name: 'rule', why: expect.stringContaining(why) }]);
  });

  it('no allowlist in policy: no allowedMcpServers', () => {
    expect(exportClaudeCodeLists({ deny: [] }).lists).toEqual({ deniedMcpServers: [] });
  });
});

describe('bad input', () => {
  const parse = (text: string) => () => parseClaudeCodeSettings(text, 'managed-settings.json');
  it('malformed JSON', () => {
    expect(parse('{ "allowedMcpServers": [ { "serverName": "a" }, ]')).toThrow(/managed-settings.json is not valid JSON \(.+\); managed-settings.json is plain JSON, without comments/);
  });
  it('not an object, a list that is no list', () => {
    expect(parse('[]')).toThrow('managed-settings.json must hold a JSON object (Claude Code\'s managed settings), not a list');
    expect(parse('{"deniedMcpServers": {"serverName": "a"}}')).toThrow('deniedMcpServers: must be a list of entries, not an object');
  });
  it('names every bad entry at once: unknown key, several keys, empty, wrong types', () => {
    const text = JSON.stringify({
      allowedMcpServers: [{ serverName: 'ok' }, { serverPath: '/x' }, { serverName: 'a', serverCommand: ['b'] }, {}],
      deniedMcpServers: [{ serverCommand: [] }, { serverUrl: 42 }, 'github', { serverCommand: ['npx', 3] }],
    });
    let message = '';
    try {
      parseClaudeCodeSettings(text, 'managed-settings.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('managed-settings.json has 7 bad entries');
    expect(message).toContain('allowedMcpServers[1]: unknown key "serverPath" (an entry takes exactly one of serverName, serverUrl, serverCommand)');
    expect(message).toContain('allowedMcpServers[2]: has serverName and serverCommand; an entry takes exactly one of serverName, serverUrl, serverCommand (write one entry for each)');
    expect(message).toContain('allowedMcpServers[3]: empty entry');
    expect(message).toContain('deniedMcpServers[0]: serverCommand must be a non-empty list of strings');
    expect(message).toContain('deniedMcpServers[1]: serverUrl must be a non-empty string, not number 42');
    expect(message).toContain('deniedMcpServers[2]: must be an object with one of serverName, serverUrl or serverCommand, not string "github"');
    expect(message).toContain('deniedMcpServers[3]: serverCommand must be a non-empty list of strings');
  });
  it('other settings of the file are no error', () => {
    expect(parse(JSON.stringify({ permissions: { deny: ['Bash'] }, allowedMcpServers: [{ serverName: 'a' }] }))()).toEqual({ allowedMcpServers: [{ serverName: 'a' }] });
  });
});
