// A stdio MCP server for the observability tests. It appends the `_meta` of every tools/call it
// receives to $RECORD_FILE (one JSON line each), so a test sees the trace context the proxy sent
// upstream. Tools: `echo` (returns its text), `approve_me` (the same, for approval tests) and
// `work`, which fails (isError) on every 5th ($FAIL_EVERY) call among its first $FAIL_FIRST_CALLS calls (20% of
// them) and succeeds after that: a server that burns its error budget, then recovers; `crash` ends
// the process mid-call.
import { appendFileSync } from 'node:fs';
import * as z from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const recordFile = process.env.RECORD_FILE;
const failFirst = Number(process.env.FAIL_FIRST_CALLS ?? '0');
const failEvery = Number(process.env.FAIL_EVERY ?? '5');
let workCalls = 0;

function record(meta: unknown): void {
  if (recordFile) appendFileSync(recordFile, `${JSON.stringify(meta ?? null)}\n`);
}

const server = new McpServer({ name: 'recording', version: '1.0.0' });
server.registerTool('echo', { description: 'Returns its text', inputSchema: { text: z.string() } }, async ({ text }, extra) => {
  record(extra._meta);
  return { content: [{ type: 'text', text }] };
});
server.registerTool('approve_me', { description: 'Returns its text (ask for approval in tests)', inputSchema: { text: z.string() } }, async ({ text }, extra) => {
  record(extra._meta);
  return { content: [{ type: 'text', text }] };
});
server.registerTool('work', { description: 'Fails every 5th of the first FAIL_FIRST_CALLS calls', inputSchema: {} }, async (_args, extra) => {
  record(extra._meta);
  workCalls++;
  if (workCalls <= failFirst && workCalls % failEvery === 0) return { isError: true, content: [{ type: 'text', text: `call ${workCalls} failed` }] };
  return { content: [{ type: 'text', text: `call ${workCalls} ok` }] };
});
server.registerTool('crash', { description: 'Ends this server process mid-call (restart tests)', inputSchema: {} }, async () => {
  process.exit(3);
});
await server.connect(new StdioServerTransport());
