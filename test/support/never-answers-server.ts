// A stdio MCP server that completes the handshake and lists one tool, then never answers
// anything else: the relay's request timeout must end the client's wait.
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin });
const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

lines.on('line', (line) => {
  let message: { id?: string | number; method?: string; params?: { protocolVersion?: string } };
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.method === 'initialize') {
    reply({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: message.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'never-answers', version: '1.0.0' } } });
  } else if (message.method === 'tools/list') {
    reply({ jsonrpc: '2.0', id: message.id, result: { tools: [{ name: 'hang', description: 'Never returns', inputSchema: { type: 'object' } }] } });
  } else if (message.method === 'ping') {
    reply({ jsonrpc: '2.0', id: message.id, result: {} });
  }
  // Everything else: silence.
});
