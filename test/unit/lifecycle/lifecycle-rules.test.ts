// How policy lifecycle entries and the registry's status combine into one server's lifecycle
// (strictest wins), what a sunset does, and what the policy schema refuses.
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../shared/config.ts';
import type { LifecycleEntry } from '../../../shared/lifecycle-policy.ts';
import { PolicyDocumentSchema, type PolicySource } from '../../../shared/policy.ts';
import { compileLifecycleEntries, resolveLifecycle, sunsetMillis } from '../../../main/lifecycle/lifecycle-rules.ts';
import { LifecycleService } from '../../../main/lifecycle/lifecycle-service.ts';
import type { PolicyInputs } from '../../../main/policy/engine.ts';
import { identifyServer } from '../../../main/policy/server-identity.ts';
import type { RegistryStatus } from '../../../main/lifecycle/registry-status.ts';

const github: ServerConfig = { id: 'github', transport: 'stdio', enabled: true, command: 'npx', args: ['-y', '@modelcontextprotocol/server-github@1.2.0'], env: {} };
const NOW = Date.parse('2026-06-15T12:00:00Z');

function resolve(sources: Array<{ source: PolicySource; entries: LifecycleEntry[] }>, registry?: RegistryStatus, now = NOW, server: ServerConfig = github) {
  return resolveLifecycle(server, identifyServer(server), compileLifecycleEntries(sources), registry, now);
}
const byPackage = { package: { registryType: 'npm' as const, identifier: '@modelcontextprotocol/server-github' } };

describe('strictest wins', () => {
  it('a user decommission beats an org deprecation; the org entry still lends its owner', () => {
    const lifecycle = resolve([
      { source: 'org', entries: [{ id: 'gh-deprecated', match: byPackage, state: 'deprecated', owner: 'dev-platform' }] },
      { source: 'user', entries: [{ id: 'mine', match: { server: 'github' }, state: 'decommissioned', replacement: 'github-remote' }] },
    ]);
    expect(lifecycle).toMatchObject({ state: 'decommissioned', refused: true, rule: 'mine', source: 'user', owner: 'dev-platform', replacement: 'github-remote', howToMove: 'use "github-remote" instead; or ask its owner, dev-platform' });
  });

  it('the registry\'s deleted beats a policy deprecation, and names the latest version', () => {
    const lifecycle = resolve([{ source: 'managed', entries: [{ match: byPackage, state: 'deprecated' }] }], { status: 'deleted', latestVersion: '1.3.0', checkedAt: 'x' });
    expect(lifecycle).toMatchObject({ state: 'deleted', refused: true, source: 'registry', rule: 'registry status deleted', latestVersion: '1.3.0', version: '1.2.0' });
    expect(lifecycle?.howToMove).toBe('run `switchboard server upgrade github` to move to the active version 1.3.0');
  });

  it('a policy deprecation beats an active registry status; equal states keep the first source', () => {
    expect(resolve([{ source: 'org', entries: [{ id: 'o', match: byPackage, state: 'deprecated', message: 'moving' }] }], { status: 'active', checkedAt: 'x' }))
      .toMatchObject({ state: 'deprecated', refused: false, source: 'org', rule: 'o', message: 'moving' });
    expect(resolve([
      { source: 'managed', entries: [{ id: 'm', match: byPackage, state: 'deprecated' }] },
      { source: 'org', entries: [{ id: 'o', match: byPackage, state: 'deprecated' }] },
    ])).toMatchObject({ rule: 'm', source: 'managed' });
  });

  it('nothing known: undefined; an entry that does not match: undefined', () => {
    expect(resolve([])).toBeUndefined();
    expect(resolve([{ source: 'org', entries: [{ match: { server: 'other' }, state: 'decommissioned' }] }])).toBeUndefined();
  });

  it('a decommission matched by a claimed package counts (the strict side, as in a denylist)', () => {
    const claimed: ServerConfig = { id: 'x', transport: 'stdio', enabled: true, command: 'node', args: ['server.js'], env: {}, package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-github' } };
    expect(resolve([{ source: 'org', entries: [{ match: byPackage, state: 'decommissioned' }] }], undefined, NOW, claimed)).toMatchObject({ refused: true, rule: 'lifecycle decommissioned npm:@modelcontextprotocol/server-github' });
  });
});

describe('sunset', () => {
  const entry: LifecycleEntry = { id: 'gh', match: byPackage, state: 'deprecated', sunset: '2026-07-01' };
  it('a date is its first moment in UTC; a date-time is exact', () => {
    expect(sunsetMillis('2026-07-01')).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(sunsetMillis('2026-07-01T10:00:00+02:00')).toBe(Date.parse('2026-07-01T08:00:00Z'));
  });
  it('before the sunset the entry is what it says; from the sunset on it is decommissioned', () => {
    expect(resolve([{ source: 'org', entries: [entry] }], undefined, Date.parse('2026-06-30T23:59:59Z'))).toMatchObject({ state: 'deprecated', refused: false, sunset: '2026-07-01T00:00:00.000Z' });
    expect(resolve([{ source: 'org', entries: [entry] }], undefined, Date.parse('2026-07-01T00:00:00Z'))).toMatchObject({ state: 'decommissioned', refused: true, message: 'its sunset 2026-07-01 has passed' });
  });
  it('the service re-evaluates with its clock and tells listeners once', () => {
    let now = Date.parse('2026-06-30T00:00:00Z');
    const inputs: PolicyInputs = { managed: { state: 'active', path: '/p', policy: { version: 1, lifecycle: [entry] } } };
    const service = new LifecycleService({ policy: () => inputs, servers: () => [github], now: () => now, recheckMs: 0 });
    service.start();
    let changes = 0;
    service.onChange(() => changes++);
    expect(service.evaluate()).toBe(false);
    now = Date.parse('2026-07-02T00:00:00Z');
    expect(service.of('github')).toMatchObject({ state: 'decommissioned', source: 'managed' });
    expect(service.evaluate()).toBe(true);
    expect(service.evaluate()).toBe(false);
    expect(changes).toBe(1);
    service.stop();
  });
});

describe('policy schema', () => {
  const parse = (lifecycle: unknown) => PolicyDocumentSchema.safeParse({ version: 1, lifecycle });
  it('takes a full entry', () => {
    expect(parse([{ id: 'a', match: { registryName: 'io.github.x/*' }, state: 'decommissioned', sunset: '2026-01-31T00:00:00Z', replacement: 'y', owner: 'z', message: 'm' }]).success).toBe(true);
  });
  it.each([
    ['no match', [{ state: 'deprecated' }], 'match'],
    ['an empty matcher', [{ match: {}, state: 'deprecated' }], 'a server matcher needs at least one of'],
    ['an unknown state', [{ match: { server: 'a' }, state: 'retired' }], 'state'],
    ['a sunset that is no date', [{ match: { server: 'a' }, state: 'deprecated', sunset: 'next tuesday' }], 'sunset'],
    ['an unknown key', [{ match: { server: 'a' }, state: 'deprecated', until: '2026-01-01' }], 'until'],
  ])('refuses %s', (_name, lifecycle, mentions) => {
    const result = parse(lifecycle);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(mentions);
  });
});
