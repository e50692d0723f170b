// A remote MCP server (Streamable HTTP, stateless) on 127.0.0.1 whose one tool, `whoami`, answers
// with the request headers it received: lets a test see what the app really sent upstream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface HeaderEchoServer {
  url: string;
  close(): Promise<void>;
}

/** `whoami` answers with the value of the header named `header` (default "authorization"). */
export async function startHeaderEchoServer(): Promise<HeaderEchoServer> {
  const http: Server = createServer(async (req, res) => {
    const mcp = new McpServer({ name: 'header-echo', version: '1.0.0' });
    mcp.registerTool('whoami', {
      description: 'echo one request header',
      inputSchema: { header: z.string().optional() },
    }, async ({ header }, extra) => ({
      content: [{ type: 'text', text: String(extra.requestInfo?.headers[(header ?? 'authorization').toLowerCase()] ?? '') }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => { void transport.close(); void mcp.close(); });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    close: () => new Promise((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}
