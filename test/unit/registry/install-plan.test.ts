// What an entry installs as: the launch command per package type, remotes with their variables
// and headers, inputs (secrets to the keychain only), and an installedFrom record that policy
// confirms (registry-origin.ts) for exactly the configuration the plan produced.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../main/base/canonical-json.ts';
import { confirmedRegistryName } from '../../../main/policy/registry-origin.ts';
import { inferPackage } from '../../../main/policy/server-identity.ts';
import { InstallPlanError, neededInputs, planInstall } from '../../../main/registry/install-plan.ts';
import { ServerJsonSchema, type ServerJson } from '../../../shared/registry.ts';
import { ServerConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { EVERYTHING_NAME, EVERYTHING_VERSION, fixtureServers } from '../../support/registry.ts';

const REGISTRY = 'https://registry.example.com';
const entries = new Map(fixtureServers().map((raw) => {
  const parsed = ServerJsonSchema.parse(raw);
  return [parsed.name, parsed] as const;
}));
const entry = (name: string): ServerJson => entries.get(name)!;
const confirmed = (server: ServerConfig) => confirmedRegistryName(server, server.transport === 'stdio' ? inferPackage(server.command, server.args) : undefined);

describe('planInstall', () => {
  it('npm: npx -y <identifier>@<version>, package arguments, secret env in the keychain, a confirmed installedFrom', () => {
    const plan = planInstall({ registry: REGISTRY, entry: entry(EVERYTHING_NAME), id: 'everything', values: { EVERYTHING_API_KEY: 'sk-123' }, now: new Date('2026-02-03T04:05:06Z') });
    expect(plan.server).toMatchObject({
      id: 'everything', transport: 'stdio', command: 'npx',
      args: ['-y', `@modelcontextprotocol/server-everything@${EVERYTHING_VERSION}`, 'stdio'],
      env: { EVERYTHING_API_KEY: { secret: 'everything.env.EVERYTHING_API_KEY' }, EVERYTHING_REGION: 'eu-west-1' },
      registryName: EVERYTHING_NAME,
    });
    expect([...plan.secrets]).toEqual([['everything.env.EVERYTHING_API_KEY', 'sk-123']]);
    expect(JSON.stringify(plan.server)).not.toContain('sk-123');
    expect(plan.server.installedFrom).toEqual({
      registry: REGISTRY, name: EVERYTHING_NAME, version: '1.0.0',
      package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything', version: EVERYTHING_VERSION },
      packageIndex: 0,
      digest: createHash('sha256').update(canonicalJson(entry(EVERYTHING_NAME))).digest('hex'),
      installedAt: '2026-02-03T04:05:06.000Z',
    });
    expect(ServerConfigSchema.parse(plan.server)).toEqual(plan.server);
    expect(confirmed(plan.server)).toBe(EVERYTHING_NAME);
    // The same record next to another command confirms nothing.
    expect(confirmed({ ...plan.server, command: 'node', args: ['evil.js'] } as ServerConfig)).toBeUndefined();
  });

  it('pypi: uvx <identifier>==<version> with a named argument and its default', () => {
    const plan = planInstall({ registry: REGISTRY, entry: entry('io.example/weather-py'), id: 'weather', values: {} });
    expect(plan.server).toMatchObject({ command: 'uvx', args: ['mcp-weather==0.3.1', '--units', 'metric'] });
    expect(plan.runtime).toBe('uvx');
    expect(confirmed(plan.server)).toBe('io.example/weather-py');
    expect(() => planInstall({ registry: REGISTRY, entry: entry('io.example/weather-py'), id: 'weather', values: { units: 'kelvin' } })).toThrow(/units must be one of metric, imperial/);
  });

  it('oci: docker run -i --rm <image>:<version>, env passed into the container with -e', () => {
    const plan = planInstall({ registry: REGISTRY, entry: entry('io.example/fetch-oci'), id: 'fetch', values: {} });
    expect(plan.server).toMatchObject({ command: 'docker', args: ['run', '-i', '--rm', '-e', 'FETCH_USER_AGENT', 'docker.io/mcp/fetch:1.2.0'], env: { FETCH_USER_AGENT: 'switchboard' } });
    expect(confirmed(plan.server)).toBe('io.example/fetch-oci');
  });

  it('remote: URL variables filled in, a header with a secret variable kept whole in the keychain', () => {
    const remote = entry('io.example/remote-docs');
    expect(neededInputs(remote).map((i) => [i.name, i.isSecret])).toEqual([['tenant', false], ['token', true]]);
    expect(() => planInstall({ registry: REGISTRY, entry: remote, id: 'docs', values: { tenant: 'acme' } })).toThrow(InstallPlanError);
    const plan = planInstall({ registry: REGISTRY, entry: remote, id: 'docs', values: { tenant: 'acme', token: 'tok-9' } });
    expect(plan.server).toMatchObject({ transport: 'streamable-http', url: 'https://docs.example.com/mcp/acme', headers: { Authorization: { secret: 'docs.header.Authorization' } } });
    expect([...plan.secrets]).toEqual([['docs.header.Authorization', 'Bearer tok-9']]);
    expect(plan.server.installedFrom).toMatchObject({ url: 'https://docs.example.com/mcp/acme', remoteIndex: 0 });
    expect(confirmed(plan.server)).toBe('io.example/remote-docs');
  });

  it('a missing required input is named; a secret command-line argument is refused', () => {
    try {
      planInstall({ registry: REGISTRY, entry: entry(EVERYTHING_NAME), id: 'e', values: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InstallPlanError);
      expect((error as InstallPlanError).missing.map((m) => m.name)).toEqual(['EVERYTHING_API_KEY']);
    }
    const withSecretArg = ServerJsonSchema.parse({ ...fixtureServers()[0], packages: [{ registryType: 'npm', identifier: 'x', version: '1.0.0', transport: { type: 'stdio' }, packageArguments: [{ type: 'named', name: '--token', isSecret: true, isRequired: true }] }] });
    expect(() => planInstall({ registry: REGISTRY, entry: withSecretArg, id: 'x', values: { token: 't' } })).toThrow(/visible to every local user/);
  });

  it('an unsupported package type says which ones work', () => {
    const nuget = ServerJsonSchema.parse({ ...fixtureServers()[0], packages: [{ registryType: 'nuget', identifier: 'Some.Server', version: '1.0.0', transport: { type: 'stdio' } }] });
    expect(() => planInstall({ registry: REGISTRY, entry: nuget, id: 'n', values: {} })).toThrow(/"nuget" .* cannot be installed by Switchboard yet \(npm, pypi and oci can\)/);
  });
});
