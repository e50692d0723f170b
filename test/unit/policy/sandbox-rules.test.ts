import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { PolicyDocumentSchema, UserPolicySchema, type PolicyDocumentInput } from '../../../shared/policy.ts';
import type { SandboxProfileInput, SandboxSupport } from '../../../shared/sandbox.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';

const managed = (doc: Omit<PolicyDocumentInput, 'version'>) =>
  ({ state: 'active', path: '/etc/mcp-switchboard/policy.json', policy: PolicyDocumentSchema.parse({ version: 1, ...doc }) }) as const;
const noManaged = { state: 'absent', path: '/nowhere' } as const;
const bwrap: SandboxSupport = { available: true, mechanism: 'bwrap' };
const missing: SandboxSupport = { available: false, mechanism: 'none', message: 'not sandboxed: bwrap (bubblewrap) is not on the PATH; install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`)' };
const stdio = (id: string, sandbox?: SandboxProfileInput): ServerConfig =>
  ServerConfigSchema.parse({ id, transport: 'stdio', command: 'node', args: ['x.js'], ...(sandbox ? { sandbox } : {}) });
const everyStdio = { sandbox: { require: [{ id: 'all-local-sandboxed', servers: [{ command: '**' }] }] } };

const dir = mkdtempSync(path.join(tmpdir(), 'sb-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox admission', () => {
  it('a required sandbox refuses a server without an enabled profile, naming the rule and source', () => {
    const engine = new PolicyEngine({ managed: managed(everyStdio) }, { sandboxSupport: () => bwrap });
    expect(engine.admitServer(stdio('plain'))).toMatchObject({ ok: false, source: 'managed', rule: 'all-local-sandboxed' });
    expect(engine.admitServer(stdio('off', { enabled: false }))).toMatchObject({ ok: false, rule: 'all-local-sandboxed' });
    expect(engine.admitServer(stdio('boxed', {}))).toEqual({ ok: true });
    // Remote servers are outside the sandbox by design.
    expect(engine.admitServer(ServerConfigSchema.parse({ id: 'r', transport: 'streamable-http', url: 'https://x.example/mcp' }))).toEqual({ ok: true });
  });

  it('required and unavailable: refused with the install hint (fail closed)', () => {
    const engine = new PolicyEngine({ managed: managed(everyStdio) }, { sandboxSupport: () => missing });
    const admission = engine.admitServer(stdio('boxed', {}));
    expect(admission).toMatchObject({ ok: false, rule: 'all-local-sandboxed', source: 'managed' });
    if (!admission.ok) expect(admission.reason).toContain('sudo apt-get install bubblewrap');
  });

  it('a profile of the user\'s own, with no sandbox here, is refused too (never runs unconfined); without a profile nothing is probed', () => {
    let probes = 0;
    const engine = new PolicyEngine({ managed: noManaged }, { sandboxSupport: () => { probes++; return missing; } });
    expect(engine.admitServer(stdio('plain'))).toEqual({ ok: true });
    expect(probes).toBe(0);
    expect(engine.admitServer(stdio('boxed', {}))).toMatchObject({ ok: false, rule: 'sandbox-unavailable', source: 'default' });
  });

  it('a fixed network: a profile with another setting is refused; the user source can add the requirement too', () => {
    const engine = new PolicyEngine({ managed: noManaged, user: UserPolicySchema.parse({ sandbox: { require: [{ servers: [{ server: 'net*' }], network: 'none' }] } }) }, { sandboxSupport: () => bwrap });
    const refused = engine.admitServer(stdio('net1', { network: 'all' }));
    expect(refused).toMatchObject({ ok: false, source: 'user', rule: 'sandbox server net*' });
    if (!refused.ok) expect(refused.reason).toContain('network "none"');
    expect(engine.admitServer(stdio('net2', { network: 'none' }))).toEqual({ ok: true });
    expect(engine.admitServer(stdio('other', { network: 'all' }))).toEqual({ ok: true });
  });

  it('read-write paths must lie inside the roots, symlinks followed', () => {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'inside'), { recursive: true });
    mkdirSync(path.join(dir, 'outside'));
    symlinkSync(path.join(dir, 'outside'), path.join(root, 'sneaky'));
    const engine = new PolicyEngine({ managed: managed({ sandbox: { require: [{ servers: [{ command: '**' }], readWriteRoots: [root] }] } }) }, { sandboxSupport: () => bwrap });
    expect(engine.admitServer(stdio('a', { readWrite: [path.join(root, 'inside')] }))).toEqual({ ok: true });
    expect(engine.admitServer(stdio('b', { readWrite: [path.join(dir, 'outside')] }))).toMatchObject({ ok: false });
    expect(engine.admitServer(stdio('c', { readWrite: [path.join(root, 'sneaky')] }))).toMatchObject({ ok: false });
    expect(engine.admitServer(stdio('d', { readWrite: [`${root}x`] }))).toMatchObject({ ok: false });
    expect(engine.effective().sandbox).toEqual([{ source: 'managed', name: 'sandbox command **', requirement: expect.objectContaining({ readWriteRoots: [root] }) }]);
  });
});
