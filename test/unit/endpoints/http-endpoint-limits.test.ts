// The HTTP endpoint bounds what one token, and all of them, can make the daemon hold: sessions per
// token and in total (429 naming the limit and what to do), and a session that never made a call
// closes after a short idle time while one that did keeps the long one. A real RelayHub relays to
// a real SDK McpServer over an in-memory pair; requests are raw HTTP, as a client that never opens
// the GET stream (or an abusive one) sends them.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { HttpEndpoint, type HttpEndpointOptions } from '../../../main/endpoints/http-endpoint.ts';
import { sha256Hex } from '../../../main/endpoints/http-guard.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { RelayHub } from '../../../main/relay/relay-hub.ts';
import type { ServerConfig } from '../../../shared/config.ts';

let endpoint: HttpEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

interface Fixture {
  port: number;
  upstreams: { opened: number; closed: number };
}

async function start(options: Partial<HttpEndpointOptions>): Promise<Fixture> {
  const upstreams = { opened: 0, closed: 0 };
  const hub = new RelayHub({
    logger: silentLogger,
    defaultRequestTimeoutMs: () => 10_000,
    upstreams: {
      admitSession: async (id: string) => ({ id, enabled: true, transport: 'stdio', command: 'in-memory', args: [], env: {} }) as ServerConfig,
      createUpstream: async () => {
        const [relaySide, serverSide] = InMemoryTransport.createLinkedPair();
        const server = new McpServer({ name: 'echo', version: '1.0.0' });
        server.registerTool('echo', { inputSchema: { message: z.string() } }, async ({ message }) => ({ content: [{ type: 'text', text: message }] }));
        await server.connect(serverSide);
        upstreams.opened++;
        serverSide.onclose = () => {
          upstreams.closed++;
        };
        return relaySide;
      },
    },
  });
  endpoint = new HttpEndpoint({
    hub, logger: silentLogger, apiToken: 'api',
    tokens: () => [
      { name: 'editor', sha256: sha256Hex('sbt_editor'), createdAt: new Date().toISOString() },
      { name: 'agent', sha256: sha256Hex('sbt_agent'), createdAt: new Date().toISOString() },
    ],
    ...options,
  });
  return { port: await endpoint.listen(0), upstreams };
}

function post(port: number, token: string, body: unknown, session?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/mcp/echo`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function initialize(port: number, token: string): Promise<Response> {
  const res = await post(port, token, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  if (res.ok) {
    await res.text();
    await (await post(port, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, res.headers.get('mcp-session-id')!)).text();
  }
  return res;
}

async function callEcho(port: number, token: string, session: string): Promise<Response> {
  return post(port, token, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } }, session);
}

describe('session limits', () => {
  it('refuses an initialize beyond the per-token and the total limit with 429 naming the limit, opening no upstream', async () => {
    const f = await start({ maxSessionsPerToken: 3, maxSessions: 5 });
    // All at once: sessions still opening count, so a burst cannot overshoot.
    const editor = await Promise.all(Array.from({ length: 6 }, () => initialize(f.port, 'sbt_editor')));
    expect(editor.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429]);
    const refused = editor.find((r) => r.status === 429)!;
    const body = (await refused.json()) as { error: string; why: string };
    expect(body.error).toBe('too many sessions');
    expect(body.why).toMatch(/^the client token 'editor' has 3 MCP sessions open, the most one token may hold \(3\); close sessions the client no longer uses \(HTTP DELETE/);

    const agent = await Promise.all(Array.from({ length: 3 }, () => initialize(f.port, 'sbt_agent')));
    expect(agent.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const total = (await agent.find((r) => r.status === 429)!.json()) as { why: string };
    expect(total.why).toMatch(/^the daemon has 5 HTTP MCP sessions open, the most it holds at once \(5\)/);
    expect(f.upstreams.opened).toBe(5);

    // Closing a session makes room again.
    const open = editor.find((r) => r.status === 200)!.headers.get('mcp-session-id')!;
    const deleted = await fetch(`http://127.0.0.1:${f.port}/mcp/echo`, { method: 'DELETE', headers: { authorization: 'Bearer sbt_editor', 'mcp-session-id': open, 'mcp-protocol-version': '2025-06-18' } });
    expect(deleted.status).toBe(200);
    await expect.poll(async () => (await initialize(f.port, 'sbt_editor')).status).toBe(200);
  });

  it('at a limit closes the least recently used idle session for a new one, never one whose stream is open', async () => {
    const f = await start({ maxSessionsPerToken: 2, evictIdleAfterMs: 0 });
    const openStream = (session: string) => fetch(`http://127.0.0.1:${f.port}/mcp/echo`, {
      headers: { authorization: 'Bearer sbt_editor', accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    });
    const first = (await initialize(f.port, 'sbt_editor')).headers.get('mcp-session-id')!;
    const second = (await initialize(f.port, 'sbt_editor')).headers.get('mcp-session-id')!;
    // The second is a client window at work: it holds its GET stream open.
    const secondStream = await openStream(second);
    expect(secondStream.status).toBe(200);
    const third = await initialize(f.port, 'sbt_editor');
    expect(third.status).toBe(200);
    const thirdId = third.headers.get('mcp-session-id')!;
    const gone = await callEcho(f.port, 'sbt_editor', first);
    expect(gone.status).toBe(404);
    await gone.text();
    const kept = await callEcho(f.port, 'sbt_editor', second);
    expect(kept.status).toBe(200);
    await kept.text();
    // Every session in use: the next initialize is refused and says why.
    const thirdStream = await openStream(thirdId);
    const refused = await initialize(f.port, 'sbt_editor');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { why: string }).why).toContain('all of them are in use now');
    await secondStream.body?.cancel();
    await thirdStream.body?.cancel();
  });

  it('closes a session that never made a call after the short idle time, and keeps one that did', { timeout: 60_000 }, async () => {
    const f = await start({ unusedSessionIdleMs: 50, sessionIdleMs: 60 * 60_000 });
    const used = (await initialize(f.port, 'sbt_editor')).headers.get('mcp-session-id')!;
    const call = await callEcho(f.port, 'sbt_editor', used);
    expect(await call.text()).toContain('hi');
    const unused = (await initialize(f.port, 'sbt_editor')).headers.get('mcp-session-id')!;
    expect(f.upstreams.opened).toBe(2);

    await expect.poll(() => f.upstreams.closed, { timeout: 30_000 }).toBe(1);
    expect((await callEcho(f.port, 'sbt_editor', unused)).status).toBe(404);
    const again = await callEcho(f.port, 'sbt_editor', used);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('hi');
  });
});
