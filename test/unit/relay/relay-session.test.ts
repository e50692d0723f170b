// The relay's own logic, with in-memory transports on both sides: the interceptor chain, the
// untouched fast path, cancellation, timeouts, and the crash/replay path.
import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ProxyErrorCode, cancelledByClient, type Interceptor } from '../../../main/relay/interceptor.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { RelaySession } from '../../../main/relay/relay-session.ts';
import type { UpstreamTransport } from '../../../main/relay/upstream-transport.ts';

interface Harness {
  relay: RelaySession;
  /** What the client received. */
  toClient: JSONRPCMessage[];
  /** What each upstream connection received (one array per connection). */
  toServer: JSONRPCMessage[][];
  client: InMemoryTransport;
  servers: InMemoryTransport[];
}

async function harness(interceptors: Interceptor[] = [], requestTimeoutMs = 5000): Promise<Harness> {
  const [clientSide, relayDown] = InMemoryTransport.createLinkedPair();
  const toClient: JSONRPCMessage[] = [];
  const toServer: JSONRPCMessage[][] = [];
  const servers: InMemoryTransport[] = [];
  clientSide.onmessage = (m) => toClient.push(m);
  await clientSide.start();
  const relay = new RelaySession({
    session: { sessionId: 's1', serverId: 'srv', transport: 'socket', clientLabel: 'bridge' },
    downstream: relayDown,
    connectUpstream: async () => {
      const [relayUp, serverSide] = InMemoryTransport.createLinkedPair();
      const received: JSONRPCMessage[] = [];
      toServer.push(received);
      servers.push(serverSide);
      serverSide.onmessage = (m) => {
        received.push(m);
        // The fake server answers initialize at once (also the replayed one).
        if ('method' in m && m.method === 'initialize' && 'id' in m) void serverSide.send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'fake', version: '1' } } });
      };
      await serverSide.start();
      return Object.assign(relayUp, { failure: () => ({ summary: 'crashed (signal SIGKILL)', stderrTail: ['boom'] }) }) as UpstreamTransport;
    },
    interceptors,
    requestTimeoutMs,
    restart: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    logger: silentLogger,
  });
  await relay.start();
  return { relay, toClient, toServer, client: clientSide, servers };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('RelaySession', () => {
  it('forwards unintercepted messages unchanged in both directions', async () => {
    const h = await harness();
    const request = { jsonrpc: '2.0' as const, id: 'a-1', method: 'resources/read', params: { uri: 'x://y', _meta: { progressToken: 9 } } };
    await h.client.send(request);
    await tick();
    expect(h.toServer[0]).toEqual([request]);
    const progress = { jsonrpc: '2.0' as const, method: 'notifications/progress', params: { progressToken: 9, progress: 1 } };
    const response = { jsonrpc: '2.0' as const, id: 'a-1', result: { contents: [] } };
    await h.servers[0]!.send(progress);
    await h.servers[0]!.send(response);
    await tick();
    expect(h.toClient).toEqual([progress, response]);
    await h.relay.close();
  });

  it('runs the chain outermost first and lets an interceptor deny or rewrite', async () => {
    const order: string[] = [];
    const outer: Interceptor = {
      name: 'outer', methods: new Set(['tools/call']),
      async handle(ctx, next) {
        order.push('outer');
        if ((ctx.request.params as { name: string }).name === 'forbidden') return { jsonrpc: '2.0', id: ctx.request.id, error: { code: -32001, message: 'denied by rule x' } };
        return next(ctx.request);
      },
    };
    const inner: Interceptor = {
      name: 'inner', methods: new Set(['tools/call']),
      async handle(ctx, next) {
        order.push('inner');
        return next({ ...ctx.request, params: { ...(ctx.request.params as object), rewritten: true } });
      },
    };
    const h = await harness([outer, inner]);
    await h.client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'forbidden' } });
    await tick();
    expect(h.toClient).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'denied by rule x' } }]);
    expect(h.toServer[0]).toEqual([]);

    await h.client.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ok' } });
    await tick();
    expect(h.toServer[0]).toEqual([{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ok', rewritten: true } }]);
    await h.servers[0]!.send({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    await tick();
    expect(h.toClient[1]).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    expect(order).toEqual(['outer', 'outer', 'inner']);
    await h.relay.close();
  });

  it('aborts the call context on client cancellation and forwards the cancellation', async () => {
    let signal: AbortSignal | undefined;
    const spy: Interceptor = { name: 'spy', methods: new Set(['tools/call']), async handle(ctx, next) { signal = ctx.signal; return next(ctx.request); } };
    const h = await harness([spy]);
    await h.client.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } });
    await tick();
    const cancel = { jsonrpc: '2.0' as const, method: 'notifications/cancelled', params: { requestId: 5, reason: 'user' } };
    await h.client.send(cancel);
    await tick();
    expect(signal?.aborted).toBe(true);
    expect(h.toServer[0]!.at(-1)).toEqual(cancel);
    await h.servers[0]!.send({ jsonrpc: '2.0', id: 5, result: { content: [] } });
    await tick();
    expect(h.toClient).toEqual([]); // a cancelled request gets no response
    await h.relay.close();
  });

  it('ends the chain of a call the client cancels after it went upstream, or abandons by closing the session', async () => {
    const settled: Array<{ id: unknown; response: unknown; cancelledByClient: boolean }> = [];
    const watcher: Interceptor = {
      name: 'watcher', methods: new Set(['tools/call']),
      async handle(ctx, next) {
        const response = await next(ctx.request);
        // What the audit interceptor does at this point: record the outcome.
        settled.push({ id: ctx.request.id, response, cancelledByClient: cancelledByClient(ctx.signal) });
        return response;
      },
    };
    const h = await harness([watcher]);
    await h.client.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } });
    await h.client.send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'slow' } });
    await tick();
    await h.client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5 } });
    await tick();
    expect(settled).toEqual([{ id: 5, response: { jsonrpc: '2.0', id: 5, error: { code: -32800, message: 'Request cancelled by the client' } }, cancelledByClient: true }]);
    await h.client.close();
    await tick();
    expect(settled[1]).toMatchObject({ id: 6, response: { error: { code: ProxyErrorCode.ServerUnavailable } }, cancelledByClient: true });
    expect(h.toClient).toEqual([]);
  });

  it('times a request out with a clear error and cancels it upstream', async () => {
    const h = await harness([], 50);
    await h.client.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'x' } });
    await new Promise((r) => setTimeout(r, 120));
    expect(h.toClient[0]).toMatchObject({ id: 'slow', error: { code: -32003 } });
    expect((h.toClient[0] as { error: { message: string } }).error.message).toContain("server 'srv' did not answer tools/call within 50 ms");
    expect(h.toServer[0]!.at(-1)).toMatchObject({ method: 'notifications/cancelled', params: { requestId: 'slow' } });
    await h.relay.close();
  });

  it('answers in-flight requests when the upstream dies, respawns and replays the handshake', async () => {
    const h = await harness();
    const init = { jsonrpc: '2.0' as const, id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };
    await h.client.send(init);
    await h.client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await h.client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'long' } });
    await tick();
    await h.servers[0]!.close(); // the server dies mid-call
    await new Promise((r) => setTimeout(r, 100));
    const crash = h.toClient.find((m) => 'id' in m && m.id === 1) as { error: { code: number; message: string } };
    expect(crash.error.code).toBe(-32002);
    expect(crash.error.message).toBe("server 'srv' crashed (signal SIGKILL) while handling tools/call; last stderr: boom; restarting");
    expect(h.toServer).toHaveLength(2);
    expect(h.toServer[1]![0]).toMatchObject({ method: 'initialize', params: init.params });
    expect(h.toServer[1]![1]).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // The replayed initialize's answer is not shown to the client (only the first one was).
    expect(h.toClient.filter((m) => 'result' in m && (m.result as { serverInfo?: unknown }).serverInfo)).toHaveLength(1);
    await h.client.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await tick();
    expect(h.toServer[1]!.at(-1)).toEqual({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(h.relay.restartCount).toBe(1);
    await h.relay.close();
  });
});
