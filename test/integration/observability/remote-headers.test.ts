// What a remote server receives as HTTP headers: with settings.observability.endUserHeader set,
// that header with the OS user's name (off by default); and the proxy span's traceparent, as in
// the request's _meta. The server (test/support/header-echo-server.ts) answers with the header it got.
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestDaemon, type TestDaemon } from '../../support/daemon.ts';
import { startHeaderEchoServer, type HeaderEchoServer } from '../../support/header-echo-server.ts';
import { FakeGateway } from '../../support/gateway.ts';

let echo: HeaderEchoServer;
let gateway: FakeGateway;
const daemons: TestDaemon[] = [];

beforeAll(async () => {
  echo = await startHeaderEchoServer();
  gateway = new FakeGateway();
  await gateway.start();
});

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  await echo?.close();
  await gateway?.stop();
});

async function start(observability: Record<string, unknown>): Promise<TestDaemon> {
  const daemon = await startTestDaemon({ servers: [{ id: 'remote', transport: 'streamable-http', url: echo.url }], settings: { observability } });
  daemons.push(daemon);
  return daemon;
}

async function header(client: Client, name: string, meta?: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name: 'whoami', arguments: { header: name }, ...(meta ? { _meta: meta } : {}) }) as { content: Array<{ text: string }> };
  return result.content[0]!.text;
}

describe('headers to remote servers', () => {
  it('sends the configured end-user header with the OS user, and the proxy span as traceparent', async () => {
    const daemon = await start({ endUserHeader: 'X-End-User', traces: { endpoint: `${gateway.url}/v1/traces` } });
    const client = await daemon.httpClient('remote');
    expect(await header(client, 'x-end-user')).toBe(userInfo().username);
    const traceId = 'ab'.repeat(16);
    const traceparent = await header(client, 'traceparent', { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` });
    expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(traceparent).not.toContain('cd'.repeat(8));
  });

  it('sends no end-user header by default', async () => {
    const daemon = await start({});
    const client = await daemon.httpClient('remote');
    expect(await header(client, 'x-end-user')).toBe('');
  });
});
