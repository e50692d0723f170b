// An MCP server over stdio that counts how often its tools really run, in files under
// $COUNTER_DIR (shared by every process of it: each client session has its own upstream), and
// fails on demand: the flow guardrail tests (rate limits, breaker, idempotency, cache) count
// upstream executions with it.
//   count  {gate?}   not idempotent; appends to "count"; waits until the file <gate> exists when given
//   lookup {key}     readOnlyHint + idempotentHint; appends to "lookup"
//   write  {key}     readOnlyHint only; appends to "write"
//   flaky  {}        appends to "flaky"; a JSON-RPC error (-32603) while the file "failing" exists
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';

export const COUNTER_SERVER = import.meta.filename;

/** How many times `tool` ran upstream, across every process of the server on `dir`. */
export function executions(dir: string, tool: 'count' | 'lookup' | 'write' | 'flaky'): number {
  const file = join(dir, tool);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

const object = (properties: Record<string, unknown> = {}) => ({ type: 'object', properties });

if (import.meta.main) {
  const dir = process.env.COUNTER_DIR;
  if (!dir) throw new Error('COUNTER_DIR is not set');
  const ran = (tool: string) => {
    appendFileSync(join(dir, tool), `${process.pid}\n`);
    return executions(dir, tool as 'count');
  };
  const server = new Server({ name: 'switchboard-counter', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      { name: 'count', description: 'Counts its executions', inputSchema: object({ gate: { type: 'string' } }) },
      { name: 'lookup', description: 'Reads a value', inputSchema: object({ key: { type: 'string' } }), annotations: { readOnlyHint: true, idempotentHint: true } },
      { name: 'write', description: 'Read-only but not idempotent', inputSchema: object({ key: { type: 'string' } }), annotations: { readOnlyHint: true } },
      { name: 'flaky', description: 'Fails while told to', inputSchema: object() },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = (request.params.arguments ?? {}) as { gate?: string; key?: string };
    switch (request.params.name) {
      case 'count': {
        const n = ran('count');
        while (args.gate !== undefined && !existsSync(args.gate)) await new Promise((resolve) => setTimeout(resolve, 20));
        return { content: [{ type: 'text', text: `execution ${n}` }] };
      }
      case 'lookup':
      case 'write':
        return { content: [{ type: 'text', text: `${request.params.name} ${args.key ?? ''}: ${ran(request.params.name)}` }] };
      case 'flaky': {
        const n = ran('flaky');
        if (existsSync(join(dir, 'failing'))) throw new McpError(ErrorCode.InternalError, `flaky failure ${n}`);
        return { content: [{ type: 'text', text: `flaky ok ${n}` }] };
      }
      default:
        throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    }
  });
  await server.connect(new StdioServerTransport());
}
