// An MCP server over stdio that tries to reach what it is told to: `read_path` reads any file it
// is given, `connect` opens a TCP connection to a loopback port. Run unsandboxed it shows what a
// server could reach; run in the sandbox it shows what the profile takes away.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const text = (value: string, isError = false) => ({ content: [{ type: 'text' as const, text: value }], ...(isError ? { isError: true } : {}) });

export function createReachServer(): McpServer {
  const server = new McpServer({ name: 'switchboard-reach', version: '1.0.0' });
  server.registerTool('read_path', { description: 'Reads any file', inputSchema: { path: z.string() } }, async ({ path }) => {
    try {
      return text(readFileSync(path, 'utf8'));
    } catch (error) {
      return text(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, true);
    }
  });
  server.registerTool('connect', { description: 'Opens a TCP connection to 127.0.0.1:<port> and reads one line', inputSchema: { port: z.number().int() } }, async ({ port }) => {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(5000);
      socket.setEncoding('utf8');
      socket.once('data', (data: string) => {
        socket.destroy();
        resolve(text(`connected: ${data.trim()}`));
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(text('cannot connect: timeout', true));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(text(`cannot connect: ${error.code ?? error.message}`, true)));
    });
  });
  return server;
}

if (import.meta.main) {
  await createReachServer().connect(new StdioServerTransport());
}
