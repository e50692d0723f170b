// An HTTP MCP session belongs to the bearer token that opened it: another valid client token
// that presents its Mcp-Session-Id is refused (404, as for an unknown session) on POST, GET and
// DELETE, and nothing it sends reaches the server or the audit under the first client's name.
// A token revoked while its session is open is refused on that session at once.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApiClient } from '../../../shared/api/define.ts';
import { auditContract } from '../../../shared/api/audit.ts';
import { httpCallTransport } from '../../../main/endpoints/daemon-client.ts';
import { EVERYTHING_SERVER, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { until } from '../../support/until.ts';

let daemon: TestDaemon;
const otherToken = `sbt_${randomBytes(24).toString('base64url')}`;

function writeTokens(mutate: (tokens: Array<{ name: string; sha256: string; createdAt: string }>) => void): void {
  const file = join(daemon.dataDir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { tokens: Array<{ name: string; sha256: string; createdAt: string }> };
  mutate(config.tokens);
  writeFileSync(`${file}.tmp`, JSON.stringify(config, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function mcpRequest(token: string, sessionId: string, init: { method: string; body?: unknown; accept?: string }): Promise<Response> {
  return fetch(`${daemon.baseUrl}/mcp/ev`, {
    method: init.method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: init.accept ?? 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

beforeAll(async () => {
  daemon = await startTestDaemon({ servers: [{ id: 'ev', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }] });
  writeTokens((tokens) => tokens.push({ name: 'other-client', sha256: createHash('sha256').update(otherToken).digest('hex'), createdAt: new Date().toISOString() }));
  // The daemon picks the new token up from config.json (past the token check, no session: 400).
  await until(async () => (await fetch(`${daemon.baseUrl}/mcp/ev`, { headers: { authorization: `Bearer ${otherToken}`, accept: 'text/event-stream' } })).status !== 401);
});

afterAll(async () => {
  await daemon?.stop();
});

describe('an HTTP MCP session', () => {
  it('refuses requests that carry another client token, on POST, GET and DELETE', async () => {
    const client = new Client({ name: 'owner', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${daemon.baseUrl}/mcp/ev`), {
      requestInit: { headers: { authorization: `Bearer ${daemon.clientToken}` } },
    });
    await client.connect(transport);
    try {
      const sessionId = transport.sessionId!;
      expect(sessionId).toBeTruthy();

      const marker = `hijack-${randomBytes(6).toString('hex')}`;
      const post = await mcpRequest(otherToken, sessionId, { method: 'POST', body: { jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'echo', arguments: { message: marker } } } });
      expect(post.status).toBe(404);
      const body = (await post.json()) as { error: string; why: string };
      expect(body.error).toBe('unknown session');
      expect(body.why).not.toContain('Echo');

      const get = await mcpRequest(otherToken, sessionId, { method: 'GET', accept: 'text/event-stream' });
      expect(get.status).toBe(404);
      await get.body?.cancel();
      const del = await mcpRequest(otherToken, sessionId, { method: 'DELETE' });
      expect(del.status).toBe(404);
      await del.body?.cancel();

      // The owner's session is untouched (the DELETE did not end it) and still answers its token.
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'owner still here' } });
      expect((echoed.content as Array<{ text: string }>)[0]!.text).toBe('Echo: owner still here');

      // Nothing of the refused call was relayed: the audit has no record of it under any label.
      const audit = createApiClient(auditContract, httpCallTransport({ httpPort: daemon.httpPort, apiToken: daemon.apiToken }));
      await until(async () => (await audit['audit.query']({ tool: 'echo' })).records.some((r) => r.arguments?.includes('owner still here') ?? false));
      const records = (await audit['audit.query']({ tool: 'echo' })).records;
      expect(records.filter((r) => r.arguments?.includes(marker) ?? false)).toEqual([]);
      expect(records.every((r) => r.clientLabel === 'test-client')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('refuses the opening token on its own session once that token is revoked', async () => {
    const revocable = `sbt_${randomBytes(24).toString('base64url')}`;
    writeTokens((tokens) => tokens.push({ name: 'revocable', sha256: createHash('sha256').update(revocable).digest('hex'), createdAt: new Date().toISOString() }));
    await until(async () => (await fetch(`${daemon.baseUrl}/mcp/ev`, { headers: { authorization: `Bearer ${revocable}`, accept: 'text/event-stream' } })).status !== 401);

    const client = new Client({ name: 'revoked', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${daemon.baseUrl}/mcp/ev`), {
      requestInit: { headers: { authorization: `Bearer ${revocable}` } },
    });
    await client.connect(transport);
    try {
      const sessionId = transport.sessionId!;
      expect((await client.callTool({ name: 'echo', arguments: { message: 'before' } })).content).toBeTruthy();

      writeTokens((tokens) => tokens.splice(tokens.findIndex((t) => t.name === 'revocable'), 1));
      const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'after revocation' } } };
      await until(async () => (await mcpRequest(revocable, sessionId, { method: 'POST', body: call })).status === 401);
      expect((await mcpRequest(revocable, sessionId, { method: 'GET', accept: 'text/event-stream' })).status).toBe(401);
      expect((await mcpRequest(revocable, sessionId, { method: 'DELETE' })).status).toBe(401);
      // Nor may another valid token take the orphaned session over.
      expect((await mcpRequest(otherToken, sessionId, { method: 'POST', body: call })).status).toBe(404);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
