// How the app connects to a remote MCP server: Streamable HTTP (or legacy SSE) through the SDK,
// with static headers (secrets already resolved) and, when enabled, the OAuth fetch.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport, FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export interface RemoteTransportOptions {
  url: string;
  transport: 'streamable-http' | 'sse';
  headers?: Record<string, string>;
  /** RemoteAuth.fetch when the server uses OAuth. */
  fetch?: FetchLike;
}

export function createRemoteTransport(options: RemoteTransportOptions): Transport {
  const url = new URL(options.url);
  const requestInit: RequestInit = { headers: options.headers ?? {} };
  return options.transport === 'sse'
    ? new SSEClientTransport(url, { requestInit, ...(options.fetch ? { fetch: options.fetch } : {}) })
    : new StreamableHTTPClientTransport(url, { requestInit, ...(options.fetch ? { fetch: options.fetch } : {}) });
}

export async function connectRemote(options: RemoteTransportOptions & { clientInfo?: { name: string; version: string }; client?: Client }): Promise<Client> {
  const client = options.client ?? new Client(options.clientInfo ?? { name: 'mcp-switchboard', version: '0.1.0' }, { capabilities: {} });
  await client.connect(createRemoteTransport(options));
  return client;
}
