// The peers the HTTP path is measured against, each fronting the echo server over stdio: supergateway
// (--stateful streamableHttp) and mcp-proxy (streamable HTTP), started in the caller's ProcessGroup.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectHttp } from './mcp.ts';
import { freePort, type ProcessGroup } from './processes.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const echoServer = join(repoRoot, 'test/support/echo-server.ts');
const node = process.execPath;

export async function startSupergateway(group: ProcessGroup): Promise<Client> {
  const port = await freePort();
  return connectPeer(group, port, [
    join(repoRoot, 'node_modules/supergateway/dist/index.js'),
    '--stdio', `${node} ${echoServer}`,
    '--outputTransport', 'streamableHttp',
    '--stateful',
    '--port', String(port),
    '--logLevel', 'none',
  ]);
}

export async function startMcpProxy(group: ProcessGroup): Promise<Client> {
  const port = await freePort();
  return connectPeer(group, port, [
    join(repoRoot, 'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--server', 'stream',
    '--', node, echoServer,
  ]);
}

async function connectPeer(group: ProcessGroup, port: number, args: string[]): Promise<Client> {
  const child = group.spawn(node, args);
  try {
    return await connectHttp(`http://127.0.0.1:${port}/mcp`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${group.output(child)}`);
  }
}
