// The registry path end to end, against the HTTP fixture registry (nothing reaches the network):
// `switchboard registry search` reads every page; `switchboard server install` of the npm entry
// (server-everything, whose `npx -y <identifier>@<version>` resolves from this repo's
// node_modules) asks for the secret on stdin, puts it in the OS keychain only, and records
// installedFrom; a real `switchboard serve` starts the server, and the SDK's echo passes through
// the bridge. The managed policy allows by registry name and sets registries.only: the installed
// server runs, a look-alike that writes the same registryName next to another command is refused,
// and so is a server added by hand. Afterwards no file of the data folder (config.json, audit.db*,
// the registry cache), no log and no CLI output holds the secret.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { canonicalJson } from '../../../main/base/canonical-json.ts';
import { KeyringSecretStore } from '../../../main/secrets/secret-store.ts';
import { runCli } from '../../support/cli.ts';
import { EVERYTHING_SERVER, prepareDataDir, startTestDaemon } from '../../support/daemon.ts';
import { EVERYTHING_NAME, EVERYTHING_VERSION, fixtureServers, startRegistryFixture } from '../../support/registry.ts';
import { filesContaining, uniqueService } from '../../unit/secrets/keychain-helpers.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ type: string; text: string }>)[0]!.text;
}

describe('install from a registry', () => {
  it('search across pages, install the npm entry with a secret, run it through the bridge, and enforce its origin in policy', async () => {
    const fixture = await startRegistryFixture({ pageSize: 2 });
    cleanups.push(() => fixture.close());
    const service = uniqueService();
    const store = new KeyringSecretStore({ service });
    cleanups.push(async () => { for (const name of await store.list()) await store.delete(name); });
    const policyDir = mkdtempSync(join(tmpdir(), 'switchboard-registry-policy-'));
    cleanups.push(() => rmSync(policyDir, { recursive: true, force: true }));
    const managedPath = join(policyDir, 'policy.json');
    writeFileSync(managedPath, JSON.stringify({
      version: 1,
      registries: { sources: [{ url: fixture.url, name: 'Fixture' }], only: true },
      // The registry name counts only when confirmed; plain `node` commands pass the allowlist (registries.only still refuses them).
      servers: { allow: [{ registryName: 'io.github.modelcontextprotocol/*' }, { command: process.execPath }] },
    }));
    const env = { SWITCHBOARD_KEYCHAIN_SERVICE: service, SWITCHBOARD_MANAGED_POLICY: managedPath };
    const data = prepareDataDir({ prefix: 'switchboard-registry-' });
    cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));

    const search = await runCli(['registry', 'search', 'io.'], { dataDir: data.dataDir, env });
    expect(search, search.stderr).toMatchObject({ code: 0 });
    expect(search.stdout).toContain(`registry Fixture (${fixture.url}): fetched 0 s ago, 3 pages`);
    for (const name of [EVERYTHING_NAME, 'io.example/weather-py', 'io.example/fetch-oci', 'io.example/remote-docs', 'io.example/legacy-tool']) expect(search.stdout).toContain(name);
    expect(fixture.requests.filter((r) => r.startsWith('/v0.1/servers?') && r.includes('cursor='))).toHaveLength(2);

    const secret = 'sk-registry-7f3a9c1e5b8d2f4a6c0e9b7d5f3a1c8e';
    const install = await runCli(['server', 'install', EVERYTHING_NAME, '--id', 'everything'], { dataDir: data.dataDir, env, input: `${secret}\n` });
    expect(install, install.stderr).toMatchObject({ code: 0 });
    expect(install.stdout).toContain(`installed server 'everything' from ${EVERYTHING_NAME} 1.0.0 (${fixture.url}): npx -y @modelcontextprotocol/server-everything@${EVERYTHING_VERSION} stdio`);
    expect(install.stdout).toContain('secrets kept in the OS keychain: everything.env.EVERYTHING_API_KEY');
    expect(await store.get('everything.env.EVERYTHING_API_KEY')).toBe(secret);
    const config = JSON.parse(readFileSync(join(data.dataDir, 'config.json'), 'utf8')) as { servers: Array<Record<string, unknown>> };
    expect(config.servers[0]).toMatchObject({
      id: 'everything', registryName: EVERYTHING_NAME, command: 'npx',
      env: { EVERYTHING_API_KEY: { secret: 'everything.env.EVERYTHING_API_KEY' }, EVERYTHING_REGION: 'eu-west-1' },
      installedFrom: {
        registry: fixture.url, name: EVERYTHING_NAME, version: '1.0.0', packageIndex: 0,
        package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything', version: EVERYTHING_VERSION },
        digest: createHash('sha256').update(canonicalJson(fixtureServers()[0])).digest('hex'),
        installedAt: expect.any(String),
      },
    });

    const daemon = await startTestDaemon({ data, env });
    cleanups.push(() => daemon.stop());
    const client = await daemon.bridgeClient('everything');
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'through the bridge' } }))).toBe('Echo: through the bridge');
    const shown = JSON.parse(text(await client.callTool({ name: 'get-env', arguments: {} }))) as Record<string, string>;
    expect(shown.EVERYTHING_API_KEY).toBe(secret);

    // A look-alike: the same registryName and a copied installedFrom, next to another command.
    const origin = config.servers[0]!.installedFrom;
    await daemon.api['servers.add']({ server: { id: 'lookalike', transport: 'stdio', command: 'npx', args: ['-y', 'evil-mcp@1.0.0'], registryName: EVERYTHING_NAME, installedFrom: origin as never } });
    // Added by hand: passes the allowlist (its command), but was not installed from a registry.
    await daemon.api['servers.add']({ server: { id: 'handmade', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await expect.poll(async () => (await daemon.api['servers.get']({ id: 'lookalike' })).status, { timeout: 20_000 }).toMatchObject({ refused: true, reason: expect.stringContaining('allowlist (servers.allow)') });
    await expect.poll(async () => (await daemon.api['servers.get']({ id: 'handmade' })).status, { timeout: 20_000 }).toMatchObject({ refused: true, reason: expect.stringContaining('registries.only') });
    expect((await daemon.api['servers.get']({ id: 'everything' })).status).toMatchObject({ state: 'ready' });

    process.kill(daemon.pid, 'SIGTERM');
    await expect.poll(() => daemon.alive(), { timeout: 15_000, interval: 50 }).toBe(false);
    expect(filesContaining(data.dataDir, secret)).toEqual([]);
    expect(daemon.logs()).not.toContain(secret);
    expect(install.stdout + install.stderr + search.stdout + search.stderr).not.toContain(secret);
  }, 120_000);
});
