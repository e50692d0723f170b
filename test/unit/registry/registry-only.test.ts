// registries.only at admission, and a registryName allowlist: a server installed from a
// configured registry is admitted; a hand-added one, a look-alike that writes the same
// registryName (and even a copied installedFrom) next to another command, or one installed from
// a registry policy does not name, is refused with the rule and a reason that says what to do.
import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { planInstall } from '../../../main/registry/install-plan.ts';
import { ServerConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { ServerJsonSchema } from '../../../shared/registry.ts';
import { OFFICIAL_REGISTRY_URL } from '../../../shared/registry.ts';
import type { PolicyDocument } from '../../../shared/policy.ts';
import { EVERYTHING_NAME, EVERYTHING_VERSION, fixtureServers } from '../../support/registry.ts';

const PRIVATE = 'https://mcp.corp.example';
const engine = (policy: Omit<PolicyDocument, 'version'>) => new PolicyEngine({ managed: { state: 'active', path: '/m', policy: { version: 1, ...policy } } });
const installed = (registry: string) => planInstall({ registry, entry: ServerJsonSchema.parse(fixtureServers()[0]), id: 'everything', values: { EVERYTHING_API_KEY: 'k' } }).server;
const handAdded = ServerConfigSchema.parse({ id: 'mine', transport: 'stdio', command: 'node', args: ['server.js'] });

describe('registries.only', () => {
  it('admits a server installed from a configured registry and refuses one added by hand', () => {
    const policy = engine({ registries: { sources: [{ url: `${PRIVATE}/` }], only: true } });
    expect(policy.admitServer(installed(PRIVATE))).toEqual({ ok: true });
    const refused = policy.admitServer(handAdded);
    expect(refused).toMatchObject({ ok: false, rule: 'registries.only', source: 'managed' });
    expect(refused.ok === false && refused.reason).toMatch(/added by hand.*switchboard server install/);
  });

  it('refuses an origin whose command was changed, and a registry policy does not name', () => {
    const policy = engine({ registries: { sources: [{ url: PRIVATE }], only: true } });
    const tampered = { ...installed(PRIVATE), args: ['-y', `evil-package@${EVERYTHING_VERSION}`] } as ServerConfig;
    expect(policy.admitServer(tampered)).toMatchObject({ ok: false, rule: 'registries.only' });
    expect(policy.admitServer(installed('https://elsewhere.example'))).toMatchObject({ ok: false, rule: 'registries.only', reason: expect.stringMatching(/not a registry managed policy accepts/) });
    // Managed sources decide alone: the official registry does not count once they name theirs.
    expect(policy.admitServer(installed(OFFICIAL_REGISTRY_URL))).toMatchObject({ ok: false });
  });

  it('without sources named by managed or org policy, the official registry counts', () => {
    const policy = engine({ registries: { only: true } });
    expect(policy.admitServer(installed(OFFICIAL_REGISTRY_URL))).toEqual({ ok: true });
    expect(policy.registries.sources.map((s) => s.url)).toEqual([OFFICIAL_REGISTRY_URL]);
  });

  it('a registry the user adds (settings.userPolicy) is read by the catalog but does not satisfy a managed only', () => {
    const user = { registries: { sources: [{ url: PRIVATE, name: 'Mine' }] } };
    const withUser = new PolicyEngine({ managed: { state: 'active', path: '/m', policy: { version: 1, registries: { only: true } } }, user });
    expect(withUser.registries.sources.map((s) => [s.url, s.source])).toEqual([[OFFICIAL_REGISTRY_URL, 'default'], [PRIVATE, 'user']]);
    expect(withUser.admitServer(installed(PRIVATE))).toMatchObject({ ok: false, rule: 'registries.only', reason: expect.stringMatching(/not a registry managed policy accepts/) });
    expect(withUser.admitServer(installed(OFFICIAL_REGISTRY_URL))).toEqual({ ok: true });
    // The user's own `only` accepts the user's registries.
    const userOnly = new PolicyEngine({ managed: { state: 'absent', path: '/m' }, user: { registries: { ...user.registries, only: true } } });
    expect(userOnly.admitServer(installed(PRIVATE))).toEqual({ ok: true });
  });

  it('is off unless a source sets it', () => {
    expect(engine({ registries: { sources: [{ url: PRIVATE }] } }).admitServer(handAdded)).toEqual({ ok: true });
  });
});

describe('a registryName allowlist', () => {
  const policy = engine({ servers: { allow: [{ registryName: 'io.github.modelcontextprotocol/*' }] } });

  it('admits the installed server and refuses look-alikes with a hand-written claim', () => {
    expect(policy.admitServer(installed(OFFICIAL_REGISTRY_URL))).toEqual({ ok: true });
    const claimOnly = ServerConfigSchema.parse({ id: 'fake', transport: 'stdio', command: 'node', args: ['evil.js'], registryName: EVERYTHING_NAME });
    expect(policy.admitServer(claimOnly)).toMatchObject({ ok: false, rule: 'servers.allow' });
    const copiedOrigin = { ...installed(OFFICIAL_REGISTRY_URL), id: 'fake2', command: 'node', args: ['evil.js'] } as ServerConfig;
    expect(policy.admitServer(copiedOrigin)).toMatchObject({ ok: false, rule: 'servers.allow' });
    // The same launcher and version, another package.
    const otherPackage = { ...installed(OFFICIAL_REGISTRY_URL), id: 'fake3', args: ['-y', `@evil/server-everything@${EVERYTHING_VERSION}`, 'stdio'] } as ServerConfig;
    expect(policy.admitServer(otherPackage)).toMatchObject({ ok: false, rule: 'servers.allow' });
  });
});
