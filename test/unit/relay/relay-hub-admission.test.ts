// RelayHub: admission is decided once when a session opens, and again only to respawn the
// session's server after a crash, so a server the policy stopped admitting is not started again.
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect, it } from 'vitest';
import type { ServerConfig } from '../../../shared/config.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { RelayHub } from '../../../main/relay/relay-hub.ts';
import { until } from '../../support/until.ts';

it('decides admission once per session, and again before respawning a crashed server', async () => {
  let admitted = true;
  const decisions: boolean[] = [];
  const upstreamSides: InMemoryTransport[] = [];
  const hub = new RelayHub({
    logger: silentLogger,
    defaultRequestTimeoutMs: () => 5_000,
    restart: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 },
    upstreams: {
      admitSession: async (id: string) => {
        decisions.push(admitted);
        if (!admitted) throw new Error(`server '${id}' may not run: withdrawn`);
        return { id, enabled: true, transport: 'stdio', command: 'in-memory', args: [], env: {} } as unknown as ServerConfig;
      },
      createUpstream: async () => {
        const [relaySide, serverSide] = InMemoryTransport.createLinkedPair();
        const server = new McpServer({ name: 'upstream', version: '1.0.0' });
        await server.connect(serverSide);
        upstreamSides.push(serverSide);
        return relaySide;
      },
    },
  });
  const [clientSide, downstream] = InMemoryTransport.createLinkedPair();
  await hub.open({ serverId: 'srv', downstream, transport: 'in-process', clientLabel: 'test' });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  await client.ping();
  expect({ decisions, upstreams: upstreamSides.length }).toEqual({ decisions: [true], upstreams: 1 });

  // The policy withdraws the server, then it crashes: it is not started again.
  admitted = false;
  await upstreamSides[0]!.close();
  await until(() => decisions.length, { done: (n) => n >= 2, what: 'the respawn to be decided' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(upstreamSides).toHaveLength(1);
  expect(decisions[1]).toBe(false);
  await client.close();
  await hub.closeAll();
});
