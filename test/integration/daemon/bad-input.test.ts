// Bad input at every door of a running daemon: the socket, /mcp, /api, the CLI. Each gets a
// clear answer, and the daemon keeps serving afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { runCli } from '../../support/cli.ts';
import { EVERYTHING_SERVER, NEVER_ANSWERS_SERVER, startTestDaemon, type TestDaemon } from '../../support/daemon.ts';

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon({
    servers: [
      { id: 'everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
      { id: 'hang', transport: 'stdio', command: process.execPath, args: [NEVER_ANSWERS_SERVER], requestTimeoutMs: 1000 },
    ],
  });
});

afterAll(async () => {
  await daemon?.stop();
});

/** A raw socket session: send lines, read answer lines. */
async function rawSession(server: string): Promise<{ send(line: string): void; next(): Promise<any>; close(): void }> {
  const socket: Socket = connect(daemon.socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`${JSON.stringify({ switchboard: { server, client: 'raw-test' } })}\n`);
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffer += text;
    let newline;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return {
    send: (line) => socket.write(`${line}\n`),
    next: () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer on the socket')), 10_000);
      const take = (line: string) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      };
      const queued = lines.shift();
      if (queued !== undefined) take(queued);
      else waiters.push(take);
    }),
    close: () => socket.destroy(),
  };
}

function httpPost(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: daemon.httpPort, path, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      const json = String(res.headers['content-type'] ?? '').includes('application/json');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: json && text ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

describe('the local socket', () => {
  it('answers malformed and oversize lines with JSON-RPC errors and keeps the connection working', async () => {
    const session = await rawSession('everything');
    session.send('this is not json');
    const parseError = await session.next();
    expect(parseError).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });

    session.send(JSON.stringify({ hello: 'world', id: 5 }));
    expect(await session.next()).toMatchObject({ id: 5, error: { code: -32600 } });

    session.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(5 * 1024 * 1024) } } }));
    const tooLarge = await session.next();
    expect(tooLarge.id).toBe(7);
    expect(tooLarge.error.code).toBe(-32004);
    expect(tooLarge.error.message).toContain('4 MiB');

    session.send(INITIALIZE);
    const initialized = await session.next();
    expect(initialized).toMatchObject({ id: 1, result: { serverInfo: { name: expect.any(String) } } });
    session.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    session.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'ok' } } }));
    let answer = await session.next();
    while (answer.id !== 2) answer = await session.next(); // skip server notifications
    expect(answer.result.content[0].text).toBe('Echo: ok');
    session.close();
  });

  it('answers every request of a session for an unknown server with the reason', async () => {
    const session = await rawSession('no-such-server');
    session.send(INITIALIZE);
    const refused = await session.next();
    expect(refused).toMatchObject({ id: 1, error: { code: -32002 } });
    expect(refused.error.message).toContain("unknown server 'no-such-server'");
    session.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    expect(await session.next()).toMatchObject({ id: 2, error: { code: -32002 } });
    session.close();
  });
});

describe('the HTTP endpoint', () => {
  it('refuses a missing or wrong token with 401 and says why', async () => {
    const missing = await httpPost('/mcp/everything', {}, INITIALIZE);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('missing token');
    expect(missing.body.why).toContain('token create');
    const wrong = await httpPost('/mcp/everything', { authorization: 'Bearer not-a-token' }, INITIALIZE);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid token');
  });

  it('refuses a foreign Origin and a foreign Host with 403 (DNS rebinding)', async () => {
    const auth = { authorization: `Bearer ${daemon.clientToken}` };
    const origin = await httpPost('/mcp/everything', { ...auth, origin: 'https://evil.example.com' }, INITIALIZE);
    expect(origin.status).toBe(403);
    expect(origin.body.why).toContain('evil.example.com');
    const host = await httpPost('/mcp/everything', { ...auth, host: `evil.example.com:${daemon.httpPort}` }, INITIALIZE);
    expect(host.status).toBe(403);
    expect(host.body.error).toBe('forbidden host');
    const local = await httpPost('/mcp/everything', { ...auth, origin: `http://localhost:${daemon.httpPort}`, host: `localhost:${daemon.httpPort}` }, INITIALIZE);
    expect(local.status).toBe(200);
  });

  it('answers an unknown server with 404 and an oversize body with 413 naming the limit', async () => {
    const auth = { authorization: `Bearer ${daemon.clientToken}` };
    const unknown = await httpPost('/mcp/nope', auth, INITIALIZE);
    expect(unknown.status).toBe(404);
    expect(unknown.body.why).toContain("unknown server 'nope'");
    const big = await httpPost('/mcp/everything', auth, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    expect(big.body.why).toContain('4 MiB');
    const notJson = await httpPost('/mcp/everything', auth, '{oops');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe(-32700);
  });

  it('guards /api with the API token', async () => {
    const refused = await httpPost('/api/servers.list', { authorization: 'Bearer wrong' }, '{}');
    expect(refused.status).toBe(401);
    const listed = await httpPost('/api/servers.list', { authorization: `Bearer ${daemon.apiToken}` }, '{}');
    expect(listed.status).toBe(200);
    expect(listed.body.result.servers.map((s: { config: { id: string } }) => s.config.id)).toEqual(['everything', 'hang']);
    const invalid = await httpPost('/api/servers.get', { authorization: `Bearer ${daemon.apiToken}` }, '{"id": 5}');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('id');
  });

  it('refuses a server whose env or headers hold a plain secret (config.json is not the keychain)', async () => {
    const add = (server: object) => httpPost('/api/servers.add', { authorization: `Bearer ${daemon.apiToken}` }, JSON.stringify({ server }));
    const stdio = await add({ id: 'leaky', transport: 'stdio', command: 'node', args: ['x'], env: { GITHUB_TOKEN: 'ghp_plaintextsecret0123456789abcdef', LOG_LEVEL: 'debug' } });
    expect(stdio.status).toBe(400);
    expect(stdio.body.error.message).toContain('env.GITHUB_TOKEN');
    expect(stdio.body.error.message).not.toContain('ghp_');
    const remote = await add({ id: 'leaky-remote', transport: 'streamable-http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer sk-plaintextsecret12345' } });
    expect(remote.status).toBe(400);
    expect(remote.body.error.message).toContain('headers.Authorization');
    // A reference to a keychain entry, or an ordinary value, is fine.
    const fine = await add({ id: 'referenced', transport: 'stdio', command: 'node', args: ['x'], env: { GITHUB_TOKEN: { secret: 'github-token' }, LOG_LEVEL: 'debug' } });
    expect(fine.status).toBe(200);
    const listed = await httpPost('/api/servers.list', { authorization: `Bearer ${daemon.apiToken}` }, '{}');
    expect(listed.body.result.servers.map((s: { config: { id: string } }) => s.config.id)).toEqual(['everything', 'hang', 'referenced']);
    await httpPost('/api/servers.remove', { authorization: `Bearer ${daemon.apiToken}` }, JSON.stringify({ id: 'referenced' }));
  });
});

describe('a server that never answers', () => {
  it('gets a timeout error naming the server, method and limit; the session keeps working', async () => {
    const client = await daemon.bridgeClient('hang');
    const error = await client.callTool({ name: 'hang', arguments: {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32003);
    expect((error as McpError).message).toContain("server 'hang' did not answer tools/call within 1000 ms");
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['hang']);
    await client.close();
  });
});

describe('the CLI against the running daemon', () => {
  async function run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const { code, stdout, stderr } = await runCli(args, { input: input ?? '' });
    return { code: code ?? -1, stdout, stderr };
  }

  it('adds a server the daemon serves at once, and refuses a second daemon on the same folder', async () => {
    const added = await run(['server', 'add', 'echo2', '--data-dir', daemon.dataDir, '--', process.execPath, EVERYTHING_SERVER, 'stdio']);
    expect(added.code).toBe(0);
    const client = await daemon.bridgeClient('echo2');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'new' } })).content).toEqual([{ type: 'text', text: 'Echo: new' }]);
    await client.close();
    const listed = await run(['server', 'list', '--json', '--data-dir', daemon.dataDir]);
    expect(JSON.parse(listed.stdout).map((s: { id: string }) => s.id)).toContain('echo2');

    const second = await run(['serve', '--data-dir', daemon.dataDir, '--port', '0']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('already running');
    expect(daemon.alive()).toBe(true);
  });

  it('bridge fails closed with a JSON-RPC error when no daemon is reachable', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'switchboard-empty-'));
    try {
      const result = await run(['bridge', 'everything', '--no-start', '--data-dir', empty], `${INITIALIZE}\n`);
      expect(result.code).not.toBe(0);
      const answer = JSON.parse(result.stdout.trim().split('\n')[0]!);
      expect(answer).toMatchObject({ id: 1, error: { code: -32002 } });
      expect(answer.error.message).toContain('daemon is unreachable');
      expect(answer.error.message).toContain('switchboard serve');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reports an invalid config.json naming the field, without touching the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bad-'));
    try {
      const { writeFileSync, readFileSync } = await import('node:fs');
      const bad = JSON.stringify({ servers: [{ id: 'x', transport: 'stdio', command: '' }] });
      writeFileSync(join(dir, 'config.json'), bad);
      const result = await run(['server', 'list', '--data-dir', dir]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('config.json: servers.0.command');
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(bad);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the daemon is still alive and serving after all of it', async () => {
    expect(daemon.alive()).toBe(true);
    const client = await daemon.httpClient('everything');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'alive' } })).content).toEqual([{ type: 'text', text: 'Echo: alive' }]);
  });
});
