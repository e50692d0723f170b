// RelaySession.shutdown (the daemon stopping): every request still in flight — forwarded
// upstream, or inside the interceptor chain before or after `next` — is answered with the reason
// before the session closes; requests arriving meanwhile too; the chains' signals are aborted
// with a reason that is not ClientCancelled, and their own answers are not sent a second time.
import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ProxyStopping, cancelledByClient, type Interceptor, type RelayResponse } from '../../../main/relay/interceptor.ts';
import { silentLogger } from '../../../main/base/logger.ts';
import { RelaySession } from '../../../main/relay/relay-session.ts';
import type { UpstreamTransport } from '../../../main/relay/upstream-transport.ts';

const tick = () => new Promise((r) => setTimeout(r, 20));

async function harness(interceptors: Interceptor[]) {
  const [clientSide, relayDown] = InMemoryTransport.createLinkedPair();
  const toClient: JSONRPCMessage[] = [];
  const toServer: JSONRPCMessage[] = [];
  let clientClosed = false;
  clientSide.onmessage = (m) => toClient.push(m);
  clientSide.onclose = () => {
    clientClosed = true;
  };
  await clientSide.start();
  let serverSide: InMemoryTransport | undefined;
  const relay = new RelaySession({
    session: { sessionId: 's1', serverId: 'srv', transport: 'socket', clientLabel: 'bridge' },
    downstream: relayDown,
    connectUpstream: async () => {
      const [relayUp, server] = InMemoryTransport.createLinkedPair();
      serverSide = server;
      server.onmessage = (m) => toServer.push(m); // never answers
      await server.start();
      return relayUp as UpstreamTransport;
    },
    interceptors,
    requestTimeoutMs: 60_000,
    logger: silentLogger,
  });
  await relay.start();
  return { relay, client: clientSide, toClient, toServer, server: () => serverSide!, clientClosed: () => clientClosed };
}

describe('RelaySession.shutdown', () => {
  it('answers every request in flight with the reason, then closes', async () => {
    const signals = new Map<string, AbortSignal>();
    const chainOutcomes: RelayResponse[] = [];
    // Like the approval broker: waits (before `next`) until answered or aborted.
    const approval: Interceptor = {
      name: 'approval', methods: new Set(['tools/call']),
      async handle(ctx, next) {
        signals.set(String(ctx.request.id), ctx.signal);
        if ((ctx.request.params as { name: string }).name === 'ask') {
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          return { jsonrpc: '2.0', id: ctx.request.id, error: { code: -32001, message: 'approval withdrawn' } };
        }
        return next(ctx.request);
      },
    };
    // Like the audit: outermost, sees what the chain answers.
    const recorder: Interceptor = {
      name: 'recorder', methods: new Set(['tools/call']),
      async handle(ctx, next) {
        const response = await next(ctx.request);
        chainOutcomes.push(response);
        return response;
      },
    };
    const h = await harness([recorder, approval]);
    await h.client.send({ jsonrpc: '2.0', id: 'fast', method: 'resources/read', params: { uri: 'x://y' } });
    await h.client.send({ jsonrpc: '2.0', id: 'upstream', method: 'tools/call', params: { name: 'slow' } });
    await h.client.send({ jsonrpc: '2.0', id: 'waiting', method: 'tools/call', params: { name: 'ask' } });
    await tick();
    expect(h.toServer.map((m) => (m as { id?: unknown }).id)).toEqual(['fast', 'upstream']);
    expect(h.relay.inflightCount).toBe(4); // two forwarded, two chains (one of them also forwarded)

    const stopping = h.relay.shutdown('the Switchboard daemon is stopping');
    // A request that arrives while the session drains is refused at once, with the same reason.
    await h.client.send({ jsonrpc: '2.0', id: 'late', method: 'ping' });
    await stopping;
    await tick();

    const answers = new Map(h.toClient.map((m) => [(m as { id: string }).id, m as { error?: { code: number; message: string } }]));
    expect([...answers.keys()].sort()).toEqual(['fast', 'late', 'upstream', 'waiting']);
    expect(h.toClient).toHaveLength(4); // each answered once: the chains' own answers are dropped
    for (const answer of answers.values()) {
      expect(answer.error?.code).toBe(-32002);
      expect((answer.error as { data?: { reason?: string } }).data?.reason).toBe('proxy-stopping');
      expect(answer.error?.message).toContain('the Switchboard daemon is stopping');
      expect(answer.error?.message).toContain("the result of this request to server 'srv' is unknown");
    }
    // The proxy ended these calls: the signals say so, not "cancelled by the client".
    for (const id of ['upstream', 'waiting']) {
      expect(signals.get(id)?.aborted).toBe(true);
      expect(cancelledByClient(signals.get(id)!)).toBe(false);
      expect(signals.get(id)?.reason).toBeInstanceOf(ProxyStopping);
    }
    // The chains unwound before the session closed (the outermost interceptor saw both outcomes).
    expect(chainOutcomes).toHaveLength(2);
    expect(chainOutcomes.find((r) => r.id === 'upstream')).toMatchObject({ error: { code: -32002 } });
    // The upstream was told the forwarded calls are cancelled; the session is closed.
    expect(h.toServer.filter((m) => 'method' in m && m.method === 'notifications/cancelled').map((m) => (m as unknown as { params: { requestId: string } }).params.requestId).sort())
      .toEqual(['fast', 'upstream']);
    expect(h.relay.closed).toBe(true);
    expect(h.clientClosed()).toBe(true);
    expect(h.relay.inflightCount).toBe(0);
  });

  it('does not wait past the grace period for a chain that ignores its signal', async () => {
    const stuck: Interceptor = { name: 'stuck', methods: new Set(['tools/call']), handle: () => new Promise<RelayResponse>(() => undefined) };
    const h = await harness([stuck]);
    await h.client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } });
    await tick();
    const started = Date.now();
    await h.relay.shutdown('stopping', 100);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.toClient).toEqual([expect.objectContaining({ id: 1, error: expect.objectContaining({ code: -32002 }) })]);
    expect(h.relay.closed).toBe(true);
  });
});
