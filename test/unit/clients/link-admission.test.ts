// Policy admission applies to linking: a server the policy refuses is not rewritten to go through
// the app, the report names the rule, and a file with nothing admissible is refused unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../../main/clients/adapters/index.ts';
import { ClientService } from '../../../main/clients/client-service.ts';
import { JsonConfigFile } from '../../../main/clients/config-access.ts';
import { createLinkEndpoint } from '../../../main/clients/link-endpoint.ts';
import type { SecretStore } from '../../../main/secrets/secret-store.ts';

const noSecrets: SecretStore = {
  get: async () => null,
  set: async () => undefined,
  delete: async () => false,
  list: async () => [],
};

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function setup(servers: Record<string, unknown>) {
  root = mkdtempSync(join(tmpdir(), 'switchboard-link-admission-'));
  const file = join(root, 'mcp.json');
  const original = `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
  writeFileSync(file, original);
  const config = new JsonConfigFile(join(root, 'data', 'config.json'));
  const service = new ClientService({
    config,
    secrets: noSecrets,
    endpoint: createLinkEndpoint({ dataDir: join(root, 'data'), httpPort: 47_998 }),
    env: { platform: 'linux', home: root },
    admit: (server) => server.transport === 'stdio' && server.command === 'forbidden-tool'
      ? { ok: false, reason: `server "${server.id}" is refused by managed policy: deny no-forbidden-tool` }
      : { ok: true },
  });
  return { file, original, service };
}

describe('linking under policy', () => {
  it('links admitted servers and leaves a refused one as it was, naming the rule', async () => {
    const { file, service } = setup({ good: { command: 'npx', args: ['good-server'] }, bad: { command: 'forbidden-tool', args: [] } });
    const report = await service.link(adapterFor('cursor').id, file);
    expect(report.linked.map((l) => l.name)).toEqual(['good']);
    expect(report.refused).toEqual([{ name: 'bad', serverId: expect.any(String), reason: expect.stringContaining('deny no-forbidden-tool') }]);
    const after = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: Record<string, Record<string, unknown>> };
    expect(after.mcpServers.bad).toEqual({ command: 'forbidden-tool', args: [] });
    expect(after.mcpServers.good).not.toEqual({ command: 'npx', args: ['good-server'] });
    expect(JSON.stringify(after.mcpServers.good)).toMatch(/bridge|\/mcp\//);
  });

  it('refuses a file whose every server is refused, and leaves it untouched', async () => {
    const { file, original, service } = setup({ bad: { command: 'forbidden-tool', args: [] } });
    await expect(service.link('cursor', file)).rejects.toThrow(/nothing in .* may be linked: 'bad': .*deny no-forbidden-tool/);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
