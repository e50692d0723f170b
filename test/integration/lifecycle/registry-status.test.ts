// Lifecycle from the registry's status (injected as the registry client's RegistryStatusSource
// would give it) and a sunset passing while the daemon runs (an injected clock), on the in-process
// daemon with server-everything and the real SDK client over /mcp/<id>.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { auditContract } from '../../../shared/api/audit.ts';
import { createApiClient } from '../../../shared/api/define.ts';
import { serversContract } from '../../../shared/api/servers.ts';
import { ProxyErrorCode } from '../../../main/base/proxy-error-codes.ts';
import { httpCallTransport } from '../../../main/endpoints/daemon-client.ts';
import type { RegistryStatus } from '../../../main/lifecycle/registry-status.ts';
import { Switchboard } from '../../../main/switchboard.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { EVERYTHING_SERVER, connectHttpClient, prepareDataDir } from '../../support/daemon.ts';

const installedFrom = {
  registry: 'https://registry.example.test',
  name: 'io.github.modelcontextprotocol/server-everything',
  version: '1.0.0',
  package: { registryType: 'npm', identifier: '@modelcontextprotocol/server-everything', version: '1.0.0' },
  packageIndex: 0,
  digest: 'a'.repeat(64),
  installedAt: '2026-01-01T00:00:00.000Z',
};

/** The registry's answers, as the registry client's status source keeps them: by server id. */
class RegistryStatuses {
  readonly byId = new Map<string, RegistryStatus>();
  readonly statusOf = (serverId: string): RegistryStatus | undefined => this.byId.get(serverId);
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: { registry?: RegistryStatuses; now?: () => number; managed?: object } = {}) {
  const data = prepareDataDir({ prefix: 'sb-lifecycle-', servers: [{ id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], installedFrom }] });
  cleanups.push(() => rmSync(data.dataDir, { recursive: true, force: true }));
  const managedPath = path.join(data.dataDir, 'managed-policy.json');
  if (options.managed) writeFileSync(managedPath, JSON.stringify({ version: 1, ...options.managed }));
  const switchboard = await Switchboard.start({
    dataDir: data.dataDir,
    mode: 'headless',
    logger: silentLogger,
    httpPort: 0,
    watchConfig: false,
    autoStart: false,
    managedPath,
    ...(options.registry ? { registryStatus: options.registry.statusOf } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => switchboard.stop());
  const client: Client = await connectHttpClient(`http://127.0.0.1:${switchboard.info.httpPort}`, data.clientToken, 'everything', 'lifecycle-test');
  cleanups.push(() => client.close());
  const transport = httpCallTransport(switchboard.info);
  return { switchboard, client, api: createApiClient(serversContract, transport), audit: createApiClient(auditContract, transport) };
}

function text(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? '').join(' ');
}

describe('registry status', () => {
  it('deleted refuses calls with an error that names the latest version and the upgrade command', async () => {
    const registry = new RegistryStatuses();
    registry.byId.set('everything', { status: 'deleted', statusMessage: 'withdrawn: leaks environment variables', latestVersion: '2.0.0', checkedAt: '2026-12-01T00:00:00.000Z' });
    const { client, audit } = await start({ registry });

    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('Refused by MCP Switchboard lifecycle (registry: registry status deleted)');
    expect(text(result)).toContain('server "everything" version 1.0.0 was deleted from its registry; withdrawn: leaks environment variables; the active version is 2.0.0');
    expect(text(result)).toContain('run `switchboard server upgrade everything` to move to the active version 2.0.0');

    const error = await client.getPrompt({ name: 'simple-prompt' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ProxyErrorCode.Decommissioned);
    expect((error as McpError).data).toMatchObject({ reason: 'lifecycle', state: 'deleted', source: 'registry', version: '1.0.0', latestVersion: '2.0.0', howToMove: 'run `switchboard server upgrade everything` to move to the active version 2.0.0' });

    const { records } = await audit['audit.query']({ limit: 10 });
    expect(records).toHaveLength(2);
    for (const record of records) expect(record).toMatchObject({ outcome: 'denied', rule: 'registry status deleted', source: 'registry', lifecycleState: 'deleted', lifecycleLatestVersion: '2.0.0' });
  });

  it('deprecated lets calls through, and status and every audit record say so with the latest version', async () => {
    const registry = new RegistryStatuses();
    registry.byId.set('everything', { status: 'deprecated', statusMessage: 'use 2.x', latestVersion: '2.0.0', checkedAt: '2026-12-01T00:00:00.000Z' });
    const { client, api, audit } = await start({ registry });
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toContain('hi');
    const { status } = await api['servers.get']({ id: 'everything' });
    expect(status.lifecycle).toMatchObject({ state: 'deprecated', refused: false, message: 'use 2.x', latestVersion: '2.0.0', version: '1.0.0' });
    const { records } = await audit['audit.query']({ limit: 10 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'ok', lifecycleState: 'deprecated', lifecycleMessage: 'use 2.x', lifecycleLatestVersion: '2.0.0' });

    // The registry now reports the version deleted: the next call is refused, without a restart.
    registry.byId.set('everything', { status: 'deleted', latestVersion: '2.0.0', checkedAt: '2026-12-02T00:00:00.000Z' });
    expect((await client.callTool({ name: 'echo', arguments: { message: 'hi' } })).isError).toBe(true);
  });
});

describe('a sunset passing while the daemon runs', () => {
  it('refuses the next call without a restart, and status follows', async () => {
    let now = Date.parse('2026-06-30T23:59:00Z');
    const { client, api, switchboard } = await start({
      now: () => now,
      managed: { lifecycle: [{ id: 'everything-sunset', match: { command: process.execPath, args: [EVERYTHING_SERVER, '...'] }, state: 'deprecated', sunset: '2026-07-01', replacement: 'everything-v2' }] },
    });
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'before' } }))).toContain('before');
    expect((await api['servers.get']({ id: 'everything' })).status.lifecycle).toMatchObject({ state: 'deprecated', refused: false, sunset: '2026-07-01T00:00:00.000Z' });
    let changed = 0;
    switchboard.lifecycle.onChange(() => changed++);

    now = Date.parse('2026-07-01T00:00:01Z');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'after' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('(managed: everything-sunset)');
    expect(text(result)).toContain('its sunset 2026-07-01 has passed');
    expect((await api['servers.get']({ id: 'everything' })).status.lifecycle).toMatchObject({ state: 'decommissioned', refused: true });
    expect(switchboard.lifecycle.evaluate()).toBe(true);
    expect(changed).toBe(1);
  });
});
