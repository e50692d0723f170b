// A trivial MCP server over stdio with one tool, `echo`, that returns its `text` argument: the
// benchmark's measuring stick, so that what is measured is the path, not the server.
import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

export function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'switchboard-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text argument', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

if (import.meta.main) {
  await createEchoServer().connect(new StdioServerTransport());
}
