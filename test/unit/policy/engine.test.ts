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
    expect(engine.admitServer(remote('e', 'https://mcp.acme.com/beta/mcp'))).toMatchObject({ ok: false, rule: 'no-beta', source: 'managed' });
  });
});

describe('registry names must be confirmed', () => {
  const allowAcme = () => new PolicyEngine({ managed: managed({ servers: { allow: [{ registryName: 'io.github.acme/*' }] } }) });
  const origin = (extra: object) => ({ installedFrom: { registry: 'https://registry.modelcontextprotocol.io', name: 'io.github.acme/tools', ...extra } });

  it('a registryName written in config.json satisfies no allowlist entry: the same command is refused with or without the claim', () => {
    const engine = allowAcme();
    expect(engine.admitServer(stdio('d', 'whatever', [], { registryName: 'io.github.acme/tools' }))).toMatchObject({ ok: false, rule: 'servers.allow' });
    expect(engine.admitServer(stdio('d', 'whatever'))).toMatchObject({ ok: false, rule: 'servers.allow' });
  });

  it('an install record confirms the name only when the command runs the package the registry lists', () => {
    const engine = allowAcme();
    const pkg = { registryType: 'npm', identifier: '@acme/tools' } as const;
    const confirmed = stdio('d', 'npx', ['-y', '@acme/tools'], { registryName: 'io.github.acme/tools', ...origin({ package: pkg }) } as Partial<ServerConfig>);
    expect(engine.admitServer(confirmed).ok).toBe(true);
    const swapped = stdio('d', 'node', ['/tmp/evil.js'], { registryName: 'io.github.acme/tools', ...origin({ package: pkg }) } as Partial<ServerConfig>);
    expect(engine.admitServer(swapped).ok).toBe(false);
    const otherName = stdio('d', 'npx', ['-y', '@acme/tools'], { registryName: 'io.github.acme/other', ...origin({ package: pkg }) } as Partial<ServerConfig>);
    expect(engine.admitServer(otherName).ok).toBe(false);
    const remoteServer = { ...remote('r', 'https://mcp.acme.com/mcp'), registryName: 'io.github.acme/tools', ...origin({ url: 'https://mcp.acme.com/mcp' }) } as ServerConfig;
    expect(engine.admitServer(remoteServer).ok).toBe(true);
    expect(engine.admitServer({ ...remoteServer, url: 'https://evil.example/mcp' } as ServerConfig).ok).toBe(false);
  });

  it('a denylist entry on a registry name still refuses a server that merely claims it', () => {
    const engine = new PolicyEngine({ managed: managed({ servers: { deny: [{ id: 'no-acme', registryName: 'io.github.acme/*' }] } }) });
    expect(engine.admitServer(stdio('d', 'whatever', [], { registryName: 'io.github.acme/tools' }))).toMatchObject({ ok: false, rule: 'no-acme' });
  });
});

describe('tool rules with a server matcher', () => {
  const everything = (id: string) => stdio(id, 'npx', ['-y', '@modelcontextprotocol/server-everything@2025.9.25', 'stdio']);
  const denyEcho = managed({ tools: [{ id: 'no-echo', server: { package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything' } }, match: '*/echo', action: 'deny' }] });

  it('a rule keyed on a package follows the server under any id', () => {
    const engine = new PolicyEngine({ managed: denyEcho });
    for (const id of ['everything', 'echo2', 'Echo', 'renamed-anything']) {
      const server = everything(id);
      expect(engine.evaluate({ serverId: id, server, name: 'echo', arguments: {} }), id).toMatchObject({ action: 'deny', rule: 'no-echo', source: 'managed' });
      expect(engine.evaluate({ serverId: id, server, name: 'echo' }).action, `${id} tools/list`).toBe('deny');
      expect(engine.evaluate({ serverId: id, server, name: 'add', arguments: {} }).action).toBe('allow');
    }
    const other = stdio('everything', 'npx', ['-y', '@modelcontextprotocol/server-memory']);
    expect(engine.evaluate({ serverId: 'everything', server: other, name: 'echo', arguments: {} }).action).toBe('allow');
  });

  it('version ranges, command with args, url and registry name work as in server entries', () => {
    const engine = new PolicyEngine({ managed: managed({ tools: [
      { id: 'old-everything', server: { package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything', version: '<2025.0.0' } }, match: '*/*', action: 'deny' },
      { id: 'local-tool', server: { command: '/usr/local/bin/*', args: ['--stdio', '...'] }, match: '*/write', action: 'ask' },
      { id: 'corp', server: { url: 'https://mcp.corp.example/**' }, match: '*/drop', action: 'deny' },
      { id: 'reg', server: { registryName: 'io.github.acme/*' }, match: '*/nuke', action: 'deny' },
    ] }) });
    const at = (version: string) => stdio('x', 'npx', [`@modelcontextprotocol/server-everything@${version}`]);
    expect(engine.evaluate({ serverId: 'x', server: at('2024.1.1'), name: 'echo', arguments: {} }).rule).toBe('old-everything');
    expect(engine.evaluate({ serverId: 'x', server: at('2025.9.25'), name: 'echo', arguments: {} }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 'y', server: stdio('y', '/usr/local/bin/t', ['--stdio', '-v']), name: 'write', arguments: {} }).action).toBe('ask');
    expect(engine.evaluate({ serverId: 'y', server: stdio('y', '/usr/local/bin/t', ['--http']), name: 'write', arguments: {} }).action).toBe('allow');
    expect(engine.evaluate({ serverId: 'z', server: remote('z', 'https://mcp.corp.example/v1?q'), name: 'drop', arguments: {} }).action).toBe('deny');
    // A deny on a registry name holds for a server that claims the name (the strict side).
    expect(engine.evaluate({ serverId: 'w', server: stdio('w', 'x', [], { registryName: 'io.github.acme/a' }), name: 'nuke', arguments: {} }).action).toBe('deny');
  });

  it('an allow rule trusts only what the command confirms; a deny rule also what the config claims', () => {
    const claimed = stdio('x', 'node', ['/tmp/evil.js'], { package: { registryType: 'npm', identifier: '@good/server' } });
    const pkg = { registryType: 'npm', identifier: '@good/*' } as const;
    const allowing = new PolicyEngine({ managed: managed({ tools: [{ id: 'good-ok', server: { package: pkg }, match: '*/*', action: 'allow' }, { id: 'rest', match: '*/*', action: 'ask' }] }) });
    expect(allowing.evaluate({ serverId: 'x', server: claimed, name: 't', arguments: {} }).rule).toBe('rest');
    const denying = new PolicyEngine({ managed: managed({ tools: [{ id: 'good-no', server: { package: pkg }, match: '*/*', action: 'deny' }] }) });
    expect(denying.evaluate({ serverId: 'x', server: claimed, name: 't', arguments: {} }).action).toBe('deny');
    // Without the server's config a deny keyed on a server holds (fail closed).
    expect(denying.evaluate({ serverId: 'x', name: 't', arguments: {} }).action).toBe('deny');
  });

  it('the effective policy warns about managed and org rules that key on server ids only', () => {
    const engine = new PolicyEngine({
      managed: managed({
        servers: { allow: [{ id: 'by-id', server: 'github*' }, { id: 'by-pkg', package: { registryType: 'npm', identifier: '@x/*' } }] },
        tools: [
          { id: 'id-only', match: 'echo/echo', action: 'deny' }, { id: 'any-server', match: '*/delete_*', action: 'deny' },
          { id: 'everywhere', match: '**', annotations: { destructiveHint: true }, action: 'ask' },
          { id: 'id-in-matcher', server: { server: 'echo*' }, match: '*/echo', action: 'deny' },
          { id: 'by-command', server: { server: 'echo*', command: 'npx' }, match: '*/echo', action: 'deny' },
        ],
      }),
      org: org({ tools: [{ id: 'org-id-only', match: 'github*/delete_*', action: 'deny' }] }),
      user: user({ tools: [{ id: 'mine', match: 'echo/echo', action: 'ask' }] }),
    });
    const effective = engine.effective();
    const warned = (list: Array<{ name: string; warning?: string }>) => list.filter((r) => r.warning).map((r) => r.name);
    expect(warned(effective.tools)).toEqual(['id-only', 'id-in-matcher', 'org-id-only']);
    expect(warned(effective.servers)).toEqual(['by-id']);
    expect(new PolicyEngine({ managed: denyEcho }).effective().tools[0]!.warning).toBeUndefined();
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
