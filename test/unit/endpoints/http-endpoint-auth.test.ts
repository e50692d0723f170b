// Who may open what at the HTTP endpoint, and what a refusal leaves behind: a scoped token opens
// only its servers (403 otherwise); 401s and 403s are counted with client, reason and endpoint and
// never the token; a malformed path is a 400 before any authentication; a token written to
// config.json a moment ago works before the config watcher applies it; a busy port names --port
// and settings.httpPort.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokensOnDisk } from '../../../main/endpoints/fresh-tokens.ts';
import { HttpEndpoint, type HttpEndpointOptions } from '../../../main/endpoints/http-endpoint.ts';
import { sha256Hex } from '../../../main/endpoints/http-guard.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import type { RelayHub } from '../../../main/relay/relay-hub.ts';
import { ServerNotFoundError } from '../../../main/servers/supervisor.ts';
import type { ClientToken } from '../../../shared/config.ts';

let endpoint: HttpEndpoint | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// Past authentication every server is unknown: 404 means "the token was accepted".
const hub = { check: async (id: string) => { throw new ServerNotFoundError(id); } } as unknown as RelayHub;
const NOW = new Date().toISOString();

async function start(tokens: () => readonly ClientToken[], options: Partial<HttpEndpointOptions> = {}): Promise<number> {
  endpoint = new HttpEndpoint({ hub, logger: silentLogger, tokens, apiToken: 'sbt_api', ...options });
  return endpoint.listen(0);
}

function get(port: number, path: string, token?: string, userAgent = 'test-agent/1.0'): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { accept: 'text/event-stream', 'user-agent': userAgent, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

describe('token scope', () => {
  it('a token issued for some servers opens only those; an unscoped (older) token opens every one', async () => {
    const port = await start(() => [
      { name: 'cursor-file', sha256: sha256Hex('sbt_scoped'), createdAt: NOW, servers: ['memory', 'docs'] },
      { name: 'legacy', sha256: sha256Hex('sbt_legacy'), createdAt: NOW },
    ]);
    expect((await get(port, '/mcp/memory', 'sbt_scoped')).status).toBe(404);
    expect((await get(port, '/mcp/docs', 'sbt_scoped')).status).toBe(404);
    const other = await get(port, '/mcp/github', 'sbt_scoped');
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({
      error: 'token not for this server',
      why: "the token 'cursor-file' was issued for 'memory', 'docs' only; link the client file that lists 'github' (or create a token for it with `switchboard token create <client-name> --server github`)",
    });
    expect((await get(port, '/mcp/github', 'sbt_legacy')).status).toBe(404);
  });
});

describe('refused logins', () => {
  it('are counted with client, reason and endpoint, and never carry the token', async () => {
    const port = await start(() => [{ name: 'cursor-file', sha256: sha256Hex('sbt_scoped'), createdAt: NOW, servers: ['memory'] }]);
    expect((await get(port, '/mcp/memory')).status).toBe(401);
    expect((await get(port, '/mcp/memory', 'sbt_WrongSecretValue', 'Cursor/0.50')).status).toBe(401);
    expect((await get(port, '/mcp/github', 'sbt_scoped')).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${port}/api/daemon.status`, { method: 'POST', headers: { authorization: 'Bearer sbt_NotTheApiToken' } })).status).toBe(401);
    expect((await get(port, '/mcp/memory', 'sbt_scoped')).status).toBe(404);

    const summary = endpoint!.authFailures.summary();
    expect(summary).toMatchObject({ total: 4, lastMinute: 4, lastHour: 4, byReason: { 'missing token': 1, 'invalid token': 1, 'token not for this server': 1, 'invalid API token': 1 } });
    expect(summary.recent.map(({ at: _at, ...rest }) => rest)).toEqual([
      { status: 401, reason: 'invalid API token', endpoint: '/api/daemon.status', client: 'user-agent "node"' },
      { status: 403, reason: 'token not for this server', endpoint: '/mcp/github', client: 'token "cursor-file"' },
      { status: 401, reason: 'invalid token', endpoint: '/mcp/memory', client: 'user-agent "Cursor/0.50"' },
      { status: 401, reason: 'missing token', endpoint: '/mcp/memory', client: 'user-agent "test-agent/1.0"' },
    ]);
    const text = JSON.stringify(summary);
    for (const secret of ['sbt_WrongSecretValue', 'sbt_scoped', 'sbt_NotTheApiToken', 'sbt_api']) expect(text).not.toContain(secret);
  });
});

describe('a malformed path', () => {
  it('answers 400 before authentication, for /mcp and /api alike', async () => {
    const port = await start(() => []);
    for (const path of ['/mcp/%', '/mcp/%E0%A4%A', '/mcp/a%zz']) {
      const res = await get(port, path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('bad request');
    }
    const api = await fetch(`http://127.0.0.1:${port}/api/%`, { method: 'POST', headers: { authorization: 'Bearer sbt_api' } });
    expect(api.status).toBe(400);
    // Not counted as a refused login: nobody tried to log in.
    expect(endpoint!.authFailures.summary().total).toBe(0);
  });
});

describe('a token written a moment ago', () => {
  it('is accepted before the daemon applied config.json, and a token that is nowhere still gets 401', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-fresh-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const write = (tokens: ClientToken[]) => writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ version: 1, tokens }), { mode: 0o600 });
    write([]);
    // What the daemon has in force: the list as it was at its last reload (empty).
    const port = await start(() => [], { freshTokens: tokensOnDisk(dataDir) });
    expect((await get(port, '/mcp/memory', 'sbt_new')).status).toBe(401);
    write([{ name: 'new', sha256: sha256Hex('sbt_new'), createdAt: NOW, servers: ['memory'] }]);
    expect((await get(port, '/mcp/memory', 'sbt_new')).status).toBe(404);
    expect((await get(port, '/mcp/github', 'sbt_new')).status).toBe(403);
    expect((await get(port, '/mcp/memory', 'sbt_other')).status).toBe(401);
  });
});

describe('a busy port', () => {
  it('fails to listen with an error naming --port and settings.httpPort', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => busy.close());
    const port = (busy.address() as AddressInfo).port;
    endpoint = new HttpEndpoint({ hub, logger: silentLogger, tokens: () => [], apiToken: 'a' });
    const failed = endpoint.listen(port);
    await expect(failed).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    await expect(failed).rejects.toThrow(/`switchboard serve --port <port>`.*settings\.httpPort in config\.json/);
    endpoint = undefined;
  });
});
