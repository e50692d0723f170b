import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../shared/config.ts';
import { PolicyDocumentSchema, UserPolicySchema, type PolicyDocumentInput, type UserPolicyInput } from '../../../shared/policy.ts';
import { PolicyEngine, type OrgState } from '../../../main/policy/engine.ts';

const managed = (doc: Omit<PolicyDocumentInput, 'version'>) =>
  ({ state: 'active', path: '/etc/mcp-switchboard/policy.json', policy: PolicyDocumentSchema.parse({ version: 1, ...doc }) }) as const;
const user = (doc: UserPolicyInput) => UserPolicySchema.parse(doc);
const org = (doc: Omit<PolicyDocumentInput, 'version'>): OrgState =>
  ({ state: 'active', url: 'https://org.example/policy', fetchedAt: new Date(0).toISOString(), policy: PolicyDocumentSchema.parse({ version: 1, ...doc }) });
const noManaged = { state: 'absent', path: '/nowhere' } as const;

const stdio = (id: string, command: string, args: string[] = [], extra: Partial<ServerConfig> = {}): ServerConfig =>
  ({ id, enabled: true, transport: 'stdio', command, args, env: {}, ...extra }) as ServerConfig;
const remote = (id: string, url: string): ServerConfig => ({ id, enabled: true, transport: 'streamable-http', url, headers: {} }) as ServerConfig;

describe('tool rules', () => {
  it('a managed deny cannot be overridden by a user allow', () => {
    const engine = new PolicyEngine({
      managed: managed({ tools: [{ match: 'github/delete_*', action: 'deny' }] }),
      user: user({ tools: [{ match: 'github/*', action: 'allow' }] }),
    });
    const d = engine.evaluate({ serverId: 'github', name: 'delete_repo', arguments: {} });
    expect(d).toMatchObject({ action: 'deny', source: 'managed', rule: 'deny github/delete_*', label: 'managed: deny github/delete_*' });
    expect(engine.evaluate({ serverId: 'github', name: 'list_issues', arguments: {} })).toMatchObject({ action: 'allow', source: 'user' });
  });

  it('ask beats allow across sources, and a user ask adds a restriction to an org allow', () => {
    const engine = new PolicyEngine({ managed: noManaged, org: org({ tools: [{ match: 'fs/*', action: 'allow' }] }), user: user({ tools: [{ id: 'my-ask', match: 'fs/write_*', action: 'ask' }] }) });
    expect(engine.evaluate({ serverId: 'fs', name: 'write_file', arguments: {} })).toMatchObject({ action: 'ask', source: 'user', rule: 'my-ask' });
    expect(engine.evaluate({ serverId: 'fs', name: 'read_file', arguments: {} })).toMatchObject({ action: 'allow', source: 'org' });
  });

  it('within one source the first matching rule decides', () => {
    const engine = new PolicyEngine({ managed: managed({ tools: [{ match: 'a/safe', action: 'allow' }, { match: 'a/*', action: 'deny' }] }) });
    expect(engine.evaluate({ serverId: 'a', name: 'safe', arguments: {} }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 'a', name: 'other', arguments: {} }).action).toBe('deny');
  });

  it('annotation conditions use the MCP defaults for undeclared hints', () => {
    const engine = new PolicyEngine({ managed: managed({ tools: [{ id: 'destructive-ask', match: '**', annotations: { destructiveHint: true }, action: 'ask' }] }) });
    expect(engine.evaluate({ serverId: 's', name: 't', arguments: {} }).action).toBe('ask');
    expect(engine.evaluate({ serverId: 's', name: 't', annotations: { readOnlyHint: true }, arguments: {} }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 's', name: 't', annotations: { destructiveHint: false }, arguments: {} }).action).toBe('allow');
  });

  it('argument conditions: equals, regex, glob, prefix; conditional denies never hide tools from listing', () => {
    const engine = new PolicyEngine({ managed: managed({ tools: [
      { id: 'no-etc', match: 'fs/*', arguments: [{ path: 'path', prefix: '/etc/' }], action: 'deny' },
      { id: 'no-force', match: 'git/push', arguments: [{ path: 'options.force', equals: true }], action: 'deny' },
      { id: 'no-secrets', match: 'fs/*', arguments: [{ path: 'path', matches: '\\.(pem|key)$' }], action: 'ask' },
      { id: 'no-ssh', match: 'fs/*', arguments: [{ path: 'path', glob: '/home/*/.ssh/**' }], action: 'deny' },
    ] }) });
    expect(engine.evaluate({ serverId: 'fs', name: 'read', arguments: { path: '/etc/passwd' } })).toMatchObject({ action: 'deny', rule: 'no-etc' });
    expect(engine.evaluate({ serverId: 'fs', name: 'read', arguments: { path: '/tmp/x' } }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 'fs', name: 'read', arguments: { path: '/tmp/a.pem' } }).action).toBe('ask');
    expect(engine.evaluate({ serverId: 'fs', name: 'read', arguments: { path: '/home/u/.ssh/id_rsa' } }).action).toBe('deny');
    expect(engine.evaluate({ serverId: 'git', name: 'push', arguments: { options: { force: true } } }).action).toBe('deny');
    expect(engine.evaluate({ serverId: 'git', name: 'push', arguments: { options: { force: 'true' } } }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 'fs', name: 'read' }).action).not.toBe('deny');
  });

  it('argument conditions see through path spellings: a deny holds for any spelling, an allow only for all of them', () => {
    const engine = new PolicyEngine({ managed: managed({ tools: [
      { id: 'no-ssh-keys', match: 'fs/*', arguments: [{ path: 'path', glob: '**/.ssh/**' }], action: 'deny' },
      { id: 'no-etc', match: 'fs/*', arguments: [{ path: 'path', prefix: '/etc/' }], action: 'deny' },
      { id: 'public-ok', match: 'fs/*', arguments: [{ path: 'path', glob: '/srv/public/**' }], action: 'allow' },
      { id: 'ask-rest', match: 'fs/*', action: 'ask' },
    ] }) });
    const decide = (path: string) => engine.evaluate({ serverId: 'fs', name: 'read_file', arguments: { path } }).rule;
    for (const path of ['/home/u/.ssh/id_rsa', '/home/u/./.ssh/id_rsa', '/home/u/x/../.ssh/id_rsa', '/home/u//.ssh/id_rsa', '/home/u/.SSH/id_rsa', 'C:\\Users\\u\\.ssh\\id_rsa']) {
      expect(decide(path), path).toBe('no-ssh-keys');
    }
    for (const path of ['/etc/passwd', '//etc/passwd', '/tmp/../etc/passwd', '/ETC/passwd']) expect(decide(path), path).toBe('no-etc');
    expect(decide('/srv/public/readme.md')).toBe('public-ok');
    // Written under /srv/public, but it is not there: the allow does not hold, the next rule decides.
    expect(decide('/srv/public/../private/key')).toBe('ask-rest');
    expect(decide('/SRV/public/readme.md')).toBe('ask-rest');
    // Not paths: URLs and plain words are compared as they are (a URL's "//" is not a doubled separator).
    expect(decide('https://example.com/.ssh/x')).toBe('no-ssh-keys');
    expect(decide('https://example.com/srv/public/x')).toBe('ask-rest');
    expect(decide('notes')).toBe('ask-rest');
  });

  it('locks: a locked "tools" setting ignores user rules and is reported as locked', () => {
    const engine = new PolicyEngine({ managed: managed({ locks: ['tools', 'approvals.timeoutSeconds'] }), user: user({ tools: [{ match: '**', action: 'deny' }], approvals: { timeoutSeconds: 5 } }) });
    expect(engine.evaluate({ serverId: 's', name: 't', arguments: {} }).source).toBe('default');
    expect(engine.setting('approvals.timeoutSeconds')).toEqual({ value: 60, source: 'default', locked: true });
    expect(engine.effective().locks).toEqual([{ setting: 'tools', source: 'managed' }, { setting: 'approvals.timeoutSeconds', source: 'managed' }]);
  });

  it('settings: remember choices intersect, pinning takes the strictest, timeout follows precedence', () => {
    const engine = new PolicyEngine({
      managed: managed({ approvals: { remember: ['once', 'session'] }, pinning: { onChange: 'allow' } }),
      user: user({ approvals: { remember: ['once', 'always'], timeoutSeconds: 10 }, pinning: { onChange: 'deny' } }),
    });
    expect(engine.rememberChoices()).toEqual(['once']);
    expect(engine.pinningOnChange()).toBe('deny');
    expect(engine.approvalTimeoutMs()).toBe(10_000);
  });
});

describe('server admission', () => {
  it('allowlists intersect: a server must be allowed by every source with an allowlist', () => {
    const engine = new PolicyEngine({
      managed: managed({ servers: { allow: [{ package: { registryType: 'npm', identifier: '@modelcontextprotocol/*' } }] } }),
      user: user({ servers: { allow: [{ id: 'only-memory', package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-memory' } }] } }),
    });
    expect(engine.admitServer(stdio('mem', 'npx', ['-y', '@modelcontextprotocol/server-memory']))).toEqual({ ok: true });
    expect(engine.admitServer(stdio('fs', 'npx', ['-y', '@modelcontextprotocol/server-filesystem', '/tmp']))).toMatchObject({ ok: false, source: 'user', rule: 'servers.allow' });
    const evil = engine.admitServer(stdio('evil', 'npx', ['-y', 'evil-mcp']));
    expect(evil).toMatchObject({ ok: false, source: 'managed' });
    if (!evil.ok) expect(evil.reason).toContain('not on the managed allowlist');
  });

  it('a declared package the command does not confirm does not satisfy an allowlist', () => {
    const engine = new PolicyEngine({ managed: managed({ servers: { allow: [{ package: { registryType: 'npm', identifier: '@good/*' } }] } }) });
    const server = stdio('x', 'node', ['/tmp/evil.js'], { package: { registryType: 'npm', identifier: '@good/server' } });
    expect(engine.admitServer(server).ok).toBe(false);
  });

  it('version ranges, commands with args, URLs, registry names and denylists', () => {
    const engine = new PolicyEngine({ managed: managed({ servers: {
      allow: [
        { package: { registryType: 'npm', identifier: '@acme/mcp', version: '^2.0.0' } },
        { command: '/usr/local/bin/*', args: ['--stdio', '...'] },
        { url: 'https://mcp.acme.com/**' },
        { registryName: 'io.github.acme/*' },
      ],
      deny: [{ id: 'no-beta', url: 'https://mcp.acme.com/beta/**' }],
    } }) });
    expect(engine.admitServer(stdio('a', 'npx', ['@acme/mcp@2.3.1'])).ok).toBe(true);
    expect(engine.admitServer(stdio('a', 'npx', ['@acme/mcp@1.9.0'])).ok).toBe(false);
    expect(engine.admitServer(stdio('a', 'npx', ['@acme/mcp'])).ok).toBe(false);
    expect(engine.admitServer(stdio('b', '/usr/local/bin/tool', ['--stdio', '--verbose'])).ok).toBe(true);
    expect(engine.admitServer(stdio('b', '/usr/local/bin/tool', ['--http'])).ok).toBe(false);
    expect(engine.admitServer(remote('c', 'https://mcp.acme.com/v1/mcp?x=1')).ok).toBe(true);
    expect(engine.admitServer(remote('c', 'https://evil.com/mcp')).ok).toBe(false);
    expect(engine.admitServer(stdio('d', 'whatever', [], { registryName: 'io.github.acme/tools' })).ok).toBe(true);
    expect(engine.admitServer(remote('e', 'https://mcp.acme.com/beta/mcp'))).toMatchObject({ ok: false, rule: 'no-beta', source: 'managed' });
  });
});

describe('fail closed', () => {
  it('a corrupt managed policy refuses every server and denies every call, naming the file and the error', () => {
    const engine = new PolicyEngine({ managed: { state: 'error', path: '/etc/mcp-switchboard/policy.json', message: 'invalid JSON: Unexpected token' } });
    const admission = engine.admitServer(stdio('a', 'npx', ['x']));
    expect(admission.ok).toBe(false);
    if (!admission.ok) expect(admission.reason).toMatch(/\/etc\/mcp-switchboard\/policy\.json.*invalid JSON: Unexpected token/);
    expect(engine.evaluate({ serverId: 'a', name: 't', arguments: {} })).toMatchObject({ action: 'deny', rule: 'fail-closed' });
  });

  it('a required org policy that was never fetched fails closed; an optional one does not', () => {
    const required = new PolicyEngine({ managed: noManaged, org: { state: 'unavailable', url: 'https://org/p', required: true, message: 'connection refused' } });
    expect(required.admitServer(stdio('a', 'x')).ok).toBe(false);
    const optional = new PolicyEngine({ managed: noManaged, org: { state: 'unavailable', url: 'https://org/p', required: false, message: 'connection refused' } });
    expect(optional.admitServer(stdio('a', 'x')).ok).toBe(true);
  });
});
