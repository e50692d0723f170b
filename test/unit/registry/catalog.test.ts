// The catalog and the status source over the fixture registry and a real cache folder: entries
// marked by policy (and by which rule) and by status, installed servers with updates available,
// the offline catalog with its age, and installed servers' status (deprecated, deleted) read from
// the registry, then from the cache when it is down.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../main/base/logger.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { planInstall } from '../../../main/registry/install-plan.ts';
import { RegistryServices } from '../../../main/registry/registry-services.ts';
import type { ServerConfig } from '../../../shared/config.ts';
import type { PolicyDocument } from '../../../shared/policy.ts';
import { ServerJsonSchema } from '../../../shared/registry.ts';
import { EVERYTHING_NAME, everythingServer, fixtureServers, startRegistryFixture, type RegistryFixture } from '../../support/registry.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(policy: Omit<PolicyDocument, 'version'> = {}) {
  const fixture: RegistryFixture = await startRegistryFixture({ pageSize: 2 });
  cleanups.push(() => fixture.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-catalog-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const engine = new PolicyEngine({ managed: { state: 'active', path: '/m', policy: { version: 1, registries: { sources: [{ url: fixture.url, name: 'Fixture' }] }, ...policy } } });
  const servers: ServerConfig[] = [];
  let now = new Date('2026-03-01T10:00:00Z');
  const build = () => new RegistryServices({
    dataDir,
    sources: () => engine.registries.sources,
    admit: (server) => engine.admitServer(server),
    servers: () => servers,
    updateServers: async (change) => change(servers),
    secrets: { set: async () => undefined },
    logger: silentLogger,
    now: () => now,
  });
  const services = build();
  return { fixture, services, build, servers, engine, advance: (seconds: number) => { now = new Date(now.getTime() + seconds * 1000); } };
}

describe('the catalog', () => {
  it('marks entries allowed or blocked by policy, with the rule, and by status; shows updates for installed servers', async () => {
    const { fixture, services, servers } = await setup({ servers: { deny: [{ id: 'no-containers', package: { registryType: 'oci', identifier: '**' } }] } });
    fixture.setStatus('io.example/legacy-tool', '0.9.0', 'deprecated', 'use io.example/new-tool');
    servers.push(planInstall({ registry: fixture.url, entry: ServerJsonSchema.parse(fixtureServers()[0]), id: 'everything', values: { EVERYTHING_API_KEY: 'k' } }).server);
    fixture.publish(everythingServer('1.1.0'));
    const result = await services.catalog.search('io.');
    const byName = new Map(result.entries.map((e) => [e.server.name, e]));
    expect(result.sources).toEqual([expect.objectContaining({ url: fixture.url, name: 'Fixture', pages: 3, ageSeconds: 0 })]);
    expect(byName.get('io.example/fetch-oci')!.policy).toMatchObject({ allowed: false, rule: 'no-containers', source: 'managed' });
    expect(byName.get('io.example/weather-py')!.policy).toEqual({ allowed: true });
    expect(byName.get('io.example/legacy-tool')).toMatchObject({ status: 'deprecated', statusMessage: 'use io.example/new-tool' });
    expect(byName.get(EVERYTHING_NAME)).toMatchObject({ server: { version: '1.1.0' }, installed: [{ id: 'everything', version: '1.0.0', updateAvailable: true }] });
  });

  it('offline: the last cached catalog with its age; nothing cached is an error that says why', async () => {
    const { fixture, services, advance } = await setup();
    expect((await services.catalog.search('example')).entries).toHaveLength(4);
    await fixture.down();
    advance(3 * 3600);
    const offline = await services.catalog.search('example');
    expect(offline.entries).toHaveLength(4);
    expect(offline.sources[0]).toMatchObject({ ageSeconds: 10_800, fetchedAt: '2026-03-01T10:00:00.000Z', offline: expect.stringMatching(/cannot be reached/) });
    const never = await services.catalog.search('weather');
    expect(never.entries).toEqual([]);
    expect(never.sources[0]).toMatchObject({ error: expect.stringMatching(/cannot be reached/) });
  });
});

describe('the registry status of installed servers', () => {
  it('reads active, deprecated and deleted with the message and the latest version; offline, the cached status', async () => {
    const { fixture, services, build, servers, advance } = await setup();
    // Nothing read yet, nothing cached: unknown.
    servers.push(planInstall({ registry: fixture.url, entry: ServerJsonSchema.parse(fixtureServers()[0]), id: 'everything', values: { EVERYTHING_API_KEY: 'k' } }).server);
    expect(services.status.statusOf('everything')).toBeUndefined();
    await services.status.refresh();
    expect(services.status.statusOf('everything')).toEqual({ status: 'active', latestVersion: '1.0.0', checkedAt: '2026-03-01T10:00:00.000Z' });

    fixture.publish(everythingServer('1.1.0'));
    fixture.setStatus(EVERYTHING_NAME, '1.0.0', 'deprecated', 'moved to 1.1.0');
    await services.status.refresh();
    expect(services.status.statusOf('everything')).toMatchObject({ status: 'deprecated', statusMessage: 'moved to 1.1.0', latestVersion: '1.1.0' });

    fixture.setStatus(EVERYTHING_NAME, '1.0.0', 'deleted', 'security issue');
    advance(60);
    await services.status.refresh();
    expect(services.status.statusOf('everything')).toMatchObject({ status: 'deleted', statusMessage: 'security issue', latestVersion: '1.1.0', checkedAt: '2026-03-01T10:01:00.000Z' });

    await fixture.down();
    advance(3600);
    await services.status.refresh();
    expect(services.status.statusOf('everything')).toMatchObject({ status: 'deleted', checkedAt: '2026-03-01T10:01:00.000Z' });
    expect(services.status.statusOf('unknown')).toBeUndefined();
    // A process that never reached the registry (a one-off CLI command, a daemon started offline): the cached status.
    expect(build().status.statusOf('everything')).toMatchObject({ status: 'deleted', statusMessage: 'security issue', latestVersion: '1.1.0', checkedAt: '2026-03-01T10:01:00.000Z' });
  });
});
