// Builds the upstream connection for one configured server: a child process for stdio servers,
// the SDK's Streamable HTTP or SSE client transport for remote ones. `{secret}` values in env
// and headers are resolved here, at connect time, and never stored.
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ServerConfig, ValueOrSecret } from '../../shared/config.ts';
import type { UpstreamTransport } from '../relay/upstream-transport.ts';
import { ChildProcessTransport, type ResolveSecret } from './child-process-transport.ts';

export interface UpstreamFactoryOptions {
  resolveSecret: ResolveSecret;
  maxMessageBytes?: number;
}

export async function resolveValues(values: Record<string, ValueOrSecret>, resolveSecret: ResolveSecret, usedBy: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') {
      out[key] = value;
      continue;
    }
    try {
      out[key] = await resolveSecret(value.secret);
    } catch (error) {
      throw new Error(`${usedBy}: ${key} needs secret "${value.secret}": ${(error as Error).message}`);
    }
  }
  return out;
}

export async function createUpstreamTransport(server: ServerConfig, options: UpstreamFactoryOptions): Promise<UpstreamTransport> {
  if (server.transport === 'stdio') {
    return new ChildProcessTransport({
      command: server.command,
      args: server.args,
      env: await resolveValues(server.env, options.resolveSecret, `server '${server.id}' env`),
      ...(server.cwd ? { cwd: server.cwd } : {}),
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    });
  }
  const headers = await resolveValues(server.headers, options.resolveSecret, `server '${server.id}' header`);
  const url = new URL(server.url);
  const transport = server.transport === 'sse'
    ? new SSEClientTransport(url, { requestInit: { headers } })
    : new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  return Object.assign(transport, {
    failure: () => ({ summary: `closed its connection (${url.origin})`, stderrTail: [] }),
  }) as UpstreamTransport;
}
