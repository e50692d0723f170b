// A stdio MCP server with many small tools, for federating many servers: `node many-tools-server.ts
// <name> [count]` offers `<name>_tool_<i>` (i = 1..count, default 30), each returning its name and
// `text` argument, and `crash`, which ends the process without answering (a server dying mid-call).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

export const MANY_TOOLS_SERVER = new URL('./many-tools-server.ts', import.meta.url).pathname;

export function manyTools(name: string, count: number): Tool[] {
  const tools: Tool[] = Array.from({ length: count }, (_, i) => ({
    name: `${name}_tool_${i + 1}`,
    description: `Tool ${i + 1} of ${name}: returns its text argument with the tool's name`,
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  }));
  tools.push({ name: 'crash', description: 'Ends the server process without answering', inputSchema: { type: 'object', properties: {} } });
  return tools;
}

if (import.meta.main) {
  const name = process.argv[2] ?? 'many';
  const count = Number(process.argv[3] ?? 30);
  const tools = manyTools(name, count);
  const server = new Server({ name: `many-tools-${name}`, version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'crash') process.exit(3);
    if (!tools.some((tool) => tool.name === request.params.name)) return { content: [{ type: 'text', text: `no tool ${request.params.name}` }], isError: true };
    const text = String((request.params.arguments as { text?: unknown } | undefined)?.text ?? '');
    return { content: [{ type: 'text', text: `${request.params.name}: ${text}` }] };
  });
  await server.connect(new StdioServerTransport());
}
