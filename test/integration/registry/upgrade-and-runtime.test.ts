// `switchboard server upgrade` moves an installed server to the latest version of its entry,
// keeping its secret where it is (the keychain) and showing what changed; `registry show` tells
// an update is available first. An entry whose runtime is not on this machine (uvx) is refused
// with how to get it, and nothing is installed.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { runCli } from '../../support/cli.ts';
import { prepareDataDir } from '../../support/daemon.ts';
import { EVERYTHING_NAME, everythingServer, startRegistryFixture } from '../../support/registry.ts';
import { uniqueService } from '../../unit/secrets/keychain-helpers.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function setup() {
  const fixture = await startRegistryFixture();
  cleanups.push(() => fixture.close());
  const service = uniqueService();
  const store = new KeyringSecretStore({ service });
  cleanups.push(async () => { for (const name of await store.list()) await store.delete(name); });
  const policyDir = mkdtempSync(join(tmpdir(), 'switchboard-registry-policy-'));
  cleanups.push(() => rmSync(policyDir, { recursive: true, force: true }));
  writeFileSync(join(policyDir, 'policy.json'), JSON.stringify({ version: 1, registries: { sources: [{ url: fixture.url }] } }));
  const data = prepareDataDir({ prefix: 'switchboard-registry-' });
  cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));
  const env = { SWITCHBOARD_KEYCHAIN_SERVICE: service, SWITCHBOARD_MANAGED_POLICY: join(policyDir, 'policy.json') };
  return { fixture, store, dataDir: data.dataDir, env };
}

describe('server upgrade', () => {
  it('moves to the latest version, keeps the inputs (the secret stays in the keychain), and shows the change', async () => {
    const { fixture, store, dataDir, env } = await setup();
    const install = await runCli(['server', 'install', `${EVERYTHING_NAME}@1.0.0`], { dataDir, env, input: 'sk-upgrade-1\n' });
    expect(install, install.stderr).toMatchObject({ code: 0 });
    const same = await runCli(['server', 'upgrade', 'server-everything'], { dataDir, env });
    expect(same.stdout).toContain("'server-everything' is already at the latest version (1.0.0)");

    const newer = everythingServer('1.1.0');
    (newer.packages as Array<{ environmentVariables: Array<Record<string, unknown>> }>)[0]!.environmentVariables.push({ name: 'EVERYTHING_LOG_LEVEL', default: 'info' });
    fixture.publish(newer);
    const shown = await runCli(['registry', 'show', EVERYTHING_NAME], { dataDir, env });
    expect(shown.stdout).toContain("installed as 'server-everything' (1.0.0, update available");

    const upgrade = await runCli(['server', 'upgrade', 'server-everything'], { dataDir, env });
    expect(upgrade, upgrade.stderr).toMatchObject({ code: 0 });
    expect(upgrade.stdout).toContain("upgraded 'server-everything' from 1.0.0 to 1.1.0");
    expect(upgrade.stdout).toContain('  - env/headers: {"EVERYTHING_API_KEY":{"secret":"server-everything.env.EVERYTHING_API_KEY"},"EVERYTHING_REGION":"eu-west-1"}');
    expect(upgrade.stdout).toContain('  + env/headers: {"EVERYTHING_API_KEY":{"secret":"server-everything.env.EVERYTHING_API_KEY"},"EVERYTHING_REGION":"eu-west-1","EVERYTHING_LOG_LEVEL":"info"}');
    expect(upgrade.stdout).toMatch(/pinned tool definitions: unchanged|pinned tool definitions that changed/);
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { servers: Array<{ installedFrom: { version: string } }> };
    expect(config.servers[0]!.installedFrom.version).toBe('1.1.0');
    expect(await store.get('server-everything.env.EVERYTHING_API_KEY')).toBe('sk-upgrade-1');
  }, 120_000);
});

describe('an entry whose runtime is missing', () => {
  it('is refused with how to get the runtime, and nothing is installed', async () => {
    const { dataDir, env } = await setup();
    // Only node's own folder on PATH: no uvx there.
    const install = await runCli(['server', 'install', 'io.example/weather-py'], { dataDir, env: { ...env, PATH: dirname(process.execPath) } });
    expect(install.code).toBe(1);
    expect(install.stderr).toContain("io.example/weather-py runs with `uvx`, which is not on this machine's PATH: install uv (it brings uvx)");
    const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { servers: unknown[] };
    expect(config.servers).toEqual([]);
  }, 60_000);
});
