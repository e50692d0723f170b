import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from '../../../main/api/events.ts';
import { createEventStreamHandler } from '../../../main/api/sse.ts';
import { until } from '../../support/until.ts';

const TOKEN = 'test-token-0123456789';
let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function start(hub: EventHub): Promise<number> {
  server = http.createServer(createEventStreamHandler({ hub, token: TOKEN }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('GET /api/events', () => {
  it('streams hub events as SSE to a caller with the token', async () => {
    const hub = new EventHub(() => {});
    const port = await start(hub);
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The handler subscribes before writing its first comment: once that arrives, emit.
    while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value);
    hub.emit('approval.added', { id: 'ap-1', serverId: 'everything', tool: 'echo' });
    for (let i = 0; i < 20 && !text.includes('ap-1'); i++) text += decoder.decode((await reader.read()).value);
    expect(text).toContain('event: approval.added\ndata: {"id":"ap-1","serverId":"everything","tool":"echo"}\n\n');
    controller.abort();
    await until(() => hub.subscriberCount === 0, { timeoutMs: 1000 }).catch(() => undefined);
    expect(hub.subscriberCount).toBe(0);
  });

  it('refuses a missing or wrong token with 401 and never subscribes', async () => {
    const hub = new EventHub(() => {});
    const port = await start(hub);
    const none = await fetch(`http://127.0.0.1:${port}/api/events`);
    const wrong = await fetch(`http://127.0.0.1:${port}/api/events`, { headers: { authorization: 'Bearer nope' } });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(/API token/);
    expect(hub.subscriberCount).toBe(0);
  });

  it('refuses a foreign Origin and a non-loopback Host (DNS rebinding)', async () => {
    const hub = new EventHub(() => {});
    const port = await start(hub);
    const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { authorization: `Bearer ${TOKEN}`, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(await status({ origin: 'http://evil.example' })).toBe(403);
    expect(await status({ host: 'evil.example:80' })).toBe(403);
    expect(hub.subscriberCount).toBe(0);
  });
});
