// The daemon's own Streamable HTTP server transport, on a plain node:http server: a real SDK
// client and server talk through it, and raw requests check the status codes and streams the
// spec asks for.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateMessageRequestSchema, LATEST_PROTOCOL_VERSION, LoggingMessageNotificationSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHttpTransport } from '../../../main/endpoints/streamable-http-transport.ts';

interface Harness {
  url: string;
  transport: StreamableHttpTransport;
  received: JSONRPCMessage[];
  /** Resolves when the server side of the next request to arrive has closed. */
  nextClosed(): Promise<void>;
  close(): Promise<void>;
}

type RpcError = { error: { code: number; message: string } };

const open: Harness[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((harness) => harness.close()));
});

/** An HTTP server handing every request to one transport, as http-endpoint.ts does. */
async function serve(options: { withReceiver?: boolean; keepAliveMs?: number } = {}): Promise<Harness> {
  const transport = new StreamableHttpTransport({ sessionId: 'session-1', keepAliveMs: options.keepAliveMs });
  const received: JSONRPCMessage[] = [];
  if (options.withReceiver !== false) transport.onmessage = (message) => received.push(message);
  const closeWaiters: Array<() => void> = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      transport.handleRequest(req, res, text === '' ? undefined : JSON.parse(text));
      const waiter = closeWaiters.shift();
      if (waiter) res.once('close', waiter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const harness: Harness = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    transport,
    received,
    nextClosed: () => new Promise<void>((resolve) => closeWaiters.push(resolve)),
    close: async () => {
      await transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.push(harness);
  return harness;
}

const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function post(harness: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(harness.url, { method: 'POST', headers: { ...POST_HEADERS, 'mcp-session-id': 'session-1', ...headers }, body: JSON.stringify(body) });
}

/** The JSON-RPC messages in an SSE body. */
function events(text: string): unknown[] {
  return text.split('\n\n').filter((block) => block.includes('data: ')).map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
}

/** Waits until the transport has handed on `count` messages. */
async function receivedCount(harness: Harness, count: number): Promise<void> {
  await expect.poll(() => harness.received.length).toBe(count);
}

async function initialized(harness: Harness): Promise<void> {
  const pending = post(harness, INIT);
  await receivedCount(harness, 1);
  const init = harness.received.shift() as { id: number };
  await harness.transport.send({ jsonrpc: '2.0', id: init.id, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
  const response = await pending;
  expect(response.status).toBe(200);
  expect(await messagesOf(response)).toMatchObject([{ id: init.id, result: {} }]);
}

/** The messages of a POST's answer, which is one JSON body or an SSE stream (the client must take both). */
async function messagesOf(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return response.headers.get('content-type') === 'application/json' ? [JSON.parse(text)] : events(text);
}

describe('StreamableHttpTransport with the SDK client and server', () => {
  it('carries calls, progress, logging and a sampling round trip', async () => {
    const harness = await serve({ withReceiver: false });
    const server = new McpServer({ name: 'unit', version: '1.0.0' }, { capabilities: { logging: {} } });
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    server.registerTool('slow', { inputSchema: {} }, async (_args, extra) => {
      const token = extra._meta?.progressToken;
      for (let step = 1; step <= 3; step++) {
        if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: step, total: 3 } });
      }
      await server.server.sendLoggingMessage({ level: 'info', data: 'from slow' }, extra.sessionId);
      return { content: [{ type: 'text', text: 'done' }] };
    });
    server.registerTool('ask', { inputSchema: {} }, async (_args, extra) => {
      const answer = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 } },
        z.object({ content: z.object({ text: z.string() }) }).passthrough(),
      );
      return { content: [{ type: 'text', text: `client said ${answer.content.text}` }] };
    });
    await server.connect(harness.transport);

    const client = new Client({ name: 'unit-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'hello' } }));
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void logs.push(notification.params.data));
    const clientTransport = new StreamableHTTPClientTransport(new URL(harness.url));
    await client.connect(clientTransport);
    expect(clientTransport.sessionId).toBe('session-1');
    expect(harness.transport.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);

    const echoes = await Promise.all(Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'echo', arguments: { text: `n${i}` } })));
    expect(echoes.map((r) => (r.content as Array<{ text: string }>)[0]!.text)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));

    // Progress is checked on the wire: the SDK client handles notifications a microtask late, so
    // one read in the same chunk as its response never reaches `onprogress`.
    const wire: JSONRPCMessage[] = [];
    const deliver = clientTransport.onmessage!;
    clientTransport.onmessage = (message) => {
      wire.push(message);
      deliver(message);
    };
    const slow = await client.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: () => undefined });
    expect((slow.content as Array<{ text: string }>)[0]!.text).toBe('done');
    expect(wire.filter((m) => 'method' in m && m.method === 'notifications/progress').map((m) => (m as unknown as { params: { progress: number } }).params.progress)).toEqual([1, 2, 3]);
    expect(wire.at(-1)).toMatchObject({ result: { content: [{ text: 'done' }] } });
    await expect.poll(() => logs).toEqual(['from slow']);

    const asked = await client.callTool({ name: 'ask', arguments: {} });
    expect((asked.content as Array<{ text: string }>)[0]!.text).toBe('client said hello');
    await client.close();
  });
});

describe('StreamableHttpTransport over raw HTTP', () => {
  it('answers a request whose only message is its response with one JSON body, and the session id', async () => {
    const harness = await serve();
    const pending = fetch(harness.url, { method: 'POST', headers: POST_HEADERS, body: JSON.stringify(INIT) });
    await receivedCount(harness, 1);
    expect(harness.transport.initialized).toBe(true);
    expect(harness.received).toEqual([INIT]);
    await harness.transport.send({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe('session-1');
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } });
    expect(harness.transport.protocolVersion).toBe('2025-06-18');
  });

  it('streams a request as SSE once anything but its response comes first', async () => {
    const harness = await serve();
    await initialized(harness);
    const pending = post(harness, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'slow', _meta: { progressToken: 't' } } });
    await receivedCount(harness, 1);
    await harness.transport.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } }, { relatedRequestId: 4 });
    await harness.transport.send({ jsonrpc: '2.0', id: 4, result: { content: [] } });
    const response = await pending;
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(events(await response.text())).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } },
      { jsonrpc: '2.0', id: 4, result: { content: [] } },
    ]);
  });

  it('refuses a second initialize, requests before initialize, and bad Accept/Content-Type', async () => {
    const harness = await serve();
    const early = await post(harness, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(early.status).toBe(400);
    expect(harness.received).toEqual([]);
    await initialized(harness);
    const again = await post(harness, INIT);
    expect(again.status).toBe(400);
    expect(((await again.json()) as RpcError).error.code).toBe(-32600);
    const accept = await post(harness, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { accept: 'application/json' });
    expect(accept.status).toBe(406);
    const type = await post(harness, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'content-type': 'text/plain' });
    expect(type.status).toBe(415);
    expect(harness.received).toEqual([]);
  });

  it('validates MCP-Protocol-Version and JSON-RPC shape with 400', async () => {
    const harness = await serve();
    await initialized(harness);
    const version = await post(harness, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '1999-01-01' });
    expect(version.status).toBe(400);
    expect(((await version.json()) as RpcError).error.message).toContain('Unsupported protocol version: 1999-01-01');
    const invalid = await post(harness, { jsonrpc: '1.0', id: 7, method: 'tools/list' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32600 } });
    expect(harness.received).toEqual([]);
  });

  it('accepts notifications and responses with 202 and no body', async () => {
    const harness = await serve();
    await initialized(harness);
    const response = await post(harness, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-protocol-version': '2025-11-25' });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(harness.received).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
  });

  it('takes batches only where the protocol version allows them, and ends the stream after every response', async () => {
    const harness = await serve();
    await initialized(harness);
    const batch = [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, { jsonrpc: '2.0', id: 'b', method: 'ping' }];
    const refused = await post(harness, batch, { 'mcp-protocol-version': '2025-06-18' });
    expect(refused.status).toBe(400);
    expect(harness.received).toEqual([]);

    const pending = post(harness, batch, { 'mcp-protocol-version': '2025-03-26' });
    await receivedCount(harness, 2);
    expect(harness.received).toEqual(batch);
    await harness.transport.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }, { relatedRequestId: 'b' });
    await harness.transport.send({ jsonrpc: '2.0', id: 'b', result: {} });
    await harness.transport.send({ jsonrpc: '2.0', id: 'a', result: {} });
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(events(await response.text())).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
      { jsonrpc: '2.0', id: 'b', result: {} },
      { jsonrpc: '2.0', id: 'a', result: {} },
    ]);

    // A batch of one request and a notification: its answer stays a stream, never a bare object.
    const mixed = [{ jsonrpc: '2.0', id: 'c', method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'x' } }];
    const single = post(harness, mixed, { 'mcp-protocol-version': '2025-03-26' });
    await receivedCount(harness, 4);
    await harness.transport.send({ jsonrpc: '2.0', id: 'c', result: {} });
    const answer = await single;
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    expect(events(await answer.text())).toEqual([{ jsonrpc: '2.0', id: 'c', result: {} }]);
  });

  it('sends the headers of a quiet request stream before its first event', async () => {
    const harness = await serve({ keepAliveMs: 20 });
    await initialized(harness);
    const response = await post(harness, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await harness.transport.send({ jsonrpc: '2.0', id: 5, result: { content: [] } });
    expect(events(await response.text())).toEqual([{ jsonrpc: '2.0', id: 5, result: { content: [] } }]);
  });

  it('keeps one standalone GET stream for unrelated messages (409 for a second one)', async () => {
    const harness = await serve();
    await initialized(harness);
    const controller = new AbortController();
    const get = await fetch(harness.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'session-1' }, signal: controller.signal });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/event-stream');
    const second = await fetch(harness.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'session-1' } });
    expect(second.status).toBe(409);

    await harness.transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const reader = get.body!.getReader();
    const { value } = await reader.read();
    expect(events(new TextDecoder().decode(value))).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }]);
    await expect(harness.transport.send({ jsonrpc: '2.0', id: 3, result: {} })).rejects.toThrow(/request 3/);
    await expect(harness.transport.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }, { relatedRequestId: 3 })).rejects.toThrow(/request 3/);
    controller.abort();
  });

  it('rejects sends for a request whose stream is gone, so the message can go to the standalone stream', async () => {
    const harness = await serve();
    await initialized(harness);
    const closed = harness.nextClosed();
    const req = request(harness.url, { method: 'POST', headers: { ...POST_HEADERS, 'mcp-session-id': 'session-1' } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'x' } }));
    await receivedCount(harness, 1);
    req.destroy();
    await closed;
    await expect(harness.transport.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }, { relatedRequestId: 9 })).rejects.toThrow(/request 9/);
    await expect(harness.transport.send({ jsonrpc: '2.0', id: 9, result: {} })).rejects.toThrow(/request 9/);
  });

  it('answers other methods with 405, and DELETE ends the session', async () => {
    const harness = await serve();
    await initialized(harness);
    const put = await fetch(harness.url, { method: 'PUT', headers: { 'mcp-session-id': 'session-1' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    let closed = false;
    harness.transport.onclose = () => {
      closed = true;
    };
    const del = await fetch(harness.url, { method: 'DELETE', headers: { 'mcp-session-id': 'session-1' } });
    expect(del.status).toBe(200);
    expect(closed).toBe(true);
    const after = await post(harness, { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(after.status).toBe(404);
  });
});
