// Claude Code's ${VAR} and ${VAR:-default} on import: what the environment defines is expanded,
// references to secrets become keychain entries (set from the environment, or named for the user to
// set), and every other reference left as written is warned about on every import.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientService } from '../../../main/clients/client-service.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import type { RemoteServerConfig, StdioServerConfig } from '../../../shared/config.ts';
import { createHarness, HTTP_PORT, type Harness } from './client-harness.ts';

let harness: Harness | undefined;
afterEach(async () => { await harness?.cleanup(); harness = undefined; });

const ENTRIES = {
  api: {
    type: 'stdio', command: '${TOOLS_DIR:-/opt/tools}/api-server', args: ['--region', '${REGION}', '--profile', '${PROFILE:-default}'],
    env: { GITHUB_TOKEN: '${GITHUB_TOKEN}', PLAIN: 'x-${REGION}-y', NOTE: 'uses ${UNDEFINED_SETTING}', DB_HOST: '${DATABASE_HOST:-localhost}' },
  },
  remote: { type: 'http', url: 'https://${API_HOST:-api.example.com}/mcp', headers: { Authorization: 'Bearer ${SENTRY_API_KEY}', 'X-Team': '${TEAM}' } },
};

function service(h: Harness, environment: NodeJS.ProcessEnv): ClientService {
  return new ClientService({ config: h.config, secrets: h.secrets, endpoint: createLinkEndpoint({ dataDir: h.dataDir, httpPort: HTTP_PORT }), env: h.env, environment });
}

function place(h: Harness): string {
  const file = join(h.home, '.claude.json');
  mkdirSync(h.home, { recursive: true });
  writeFileSync(file, JSON.stringify({ mcpServers: ENTRIES }, null, 2));
  return file;
}

describe('Claude Code ${VAR} references on import', () => {
  it('expands what the environment defines, moves referenced secrets to the keychain, and keeps no literal placeholder it could expand', async () => {
    harness = createHarness();
    const h = harness;
    place(h);
    const report = await service(h, { REGION: 'eu-west-1', GITHUB_TOKEN: 'ghp_FromTheEnvironment0000000000000000000', SENTRY_API_KEY: 'sntrys_FromEnv', TEAM: 'platform' }).import('claude-code');
    expect(report.warnings).toEqual([
      'api: env NOTE refers to ${UNDEFINED_SETTING}, not set in the app\'s environment; it was imported as written, which the server will see literally: put the value in the server\'s settings in the app',
    ]);
    const servers = (await h.config.read()).servers;
    const api = servers.find((s) => s.id === 'api') as StdioServerConfig;
    expect(api.command).toBe('/opt/tools/api-server');
    expect(api.args).toEqual(['--region', 'eu-west-1', '--profile', 'default']);
    expect(api.env).toEqual({ GITHUB_TOKEN: { secret: 'api.env.GITHUB_TOKEN' }, PLAIN: 'x-eu-west-1-y', NOTE: 'uses ${UNDEFINED_SETTING}', DB_HOST: 'localhost' });
    expect(await h.secrets.get('api.env.GITHUB_TOKEN')).toBe('ghp_FromTheEnvironment0000000000000000000');
    const remote = servers.find((s) => s.id === 'remote') as RemoteServerConfig;
    expect(remote.url).toBe('https://api.example.com/mcp');
    // A header naming a secret variable goes to the keychain whole, even when its value would not look like one.
    expect(remote.headers).toEqual({ Authorization: { secret: 'remote.header.Authorization' }, 'X-Team': 'platform' });
    expect(await h.secrets.get('remote.header.Authorization')).toBe('Bearer sntrys_FromEnv');
  });

  it('names the keychain entry to set for a secret the environment lacks, and warns about the rest on every import', async () => {
    harness = createHarness();
    const h = harness;
    place(h);
    const sb = service(h, {});
    const expected = [
      'api: argument 2 refers to ${REGION}, not set in the app\'s environment; it was imported as written, which the server will see literally: put the value in the server\'s settings in the app',
      'api: env PLAIN refers to ${REGION}, not set in the app\'s environment; it was imported as written, which the server will see literally: put the value in the server\'s settings in the app',
      'api: env NOTE refers to ${UNDEFINED_SETTING}, not set in the app\'s environment; it was imported as written, which the server will see literally: put the value in the server\'s settings in the app',
      'api: env GITHUB_TOKEN refers to ${GITHUB_TOKEN}, a secret not set in the app\'s environment; the server reads it from the keychain: set it with `switchboard secret set api.env.GITHUB_TOKEN`',
      'remote: header X-Team refers to ${TEAM}, not set in the app\'s environment; it was imported as written, which the server will see literally: put the value in the server\'s settings in the app',
      'remote: header Authorization refers to ${SENTRY_API_KEY}, a secret not set in the app\'s environment; the server reads it from the keychain: set it with `switchboard secret set remote.header.Authorization` (the whole header value, as the client would send it)',
    ];
    const first = await sb.import('claude-code');
    expect(first.warnings).toEqual(expected);
    const api = (await h.config.read()).servers.find((s) => s.id === 'api') as StdioServerConfig;
    expect(api.env.GITHUB_TOKEN).toEqual({ secret: 'api.env.GITHUB_TOKEN' });
    expect(await h.secrets.get('api.env.GITHUB_TOKEN')).toBeNull();

    // Again: the same servers (not copies), and the same warnings.
    const second = await sb.import('claude-code');
    expect(second.entries.map((e) => [e.serverId, e.outcome])).toEqual([['api', 'existing'], ['remote', 'existing']]);
    expect(second.warnings).toEqual(expected);
    expect((await h.config.read()).servers).toHaveLength(2);

    // Once the user set the secret, it is no longer asked for.
    await h.secrets.set('api.env.GITHUB_TOKEN', 'ghp_SetByTheUser000000000000000000000000');
    expect((await sb.import('claude-code')).warnings).not.toContain(expected[3]);
  });
});
