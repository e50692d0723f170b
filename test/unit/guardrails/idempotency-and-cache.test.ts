import { describe, expect, it } from 'vitest';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { IDEMPOTENCY_META_KEY } from '../../../shared/flow-guardrails-policy.ts';
import { PolicyDocumentSchema, type PolicyDocumentInput } from '../../../shared/policy.ts';
import { ProxyErrorCode } from '../../../main/base/proxy-error-codes.ts';
import { IdempotencyInterceptor } from '../../../main/guardrails/idempotency-interceptor.ts';
import { ResponseCacheInterceptor } from '../../../main/guardrails/response-cache-interceptor.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import type { CallContext, Interceptor, RelayResponse, SessionInfo } from '../../../main/relay/interceptor.ts';

const session: SessionInfo = { sessionId: 's1', serverId: 'srv', transport: 'socket', clientLabel: 'bridge', client: { name: 'agent', version: '1' } };

function engine(policy: Omit<PolicyDocumentInput, 'version'>): PolicyEngine {
  return new PolicyEngine({ managed: { state: 'active', path: '/m.json', policy: PolicyDocumentSchema.parse({ version: 1, ...policy }) } });
}

const once = (e: PolicyEngine) => () => e;

/** Calls `interceptor` with a fake upstream that counts its calls and answers with `answer`. */
function harness(interceptor: Interceptor, answer: (n: number, request: JSONRPCRequest) => RelayResponse = (n, request) => ({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: `run ${n}` }] } })) {
  let runs = 0;
  let id = 0;
  const call = async (args: Record<string, unknown>, meta?: Record<string, unknown>, annotations?: Record<string, unknown>) => {
    const request: JSONRPCRequest = { jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'tool', arguments: args, ...(meta ? { _meta: meta } : {}) } };
    const ctx: CallContext = { session, request, signal: new AbortController().signal, startedAt: 0, ...(annotations ? { toolAnnotations: annotations } : {}) };
    const response = await interceptor.handle(ctx, async (forwarded) => answer(++runs, forwarded));
    return { response, ctx, text: ((response as { result?: { content?: Array<{ text: string }> } }).result?.content?.[0]?.text) };
  };
  return { call, runs: () => runs };
}

describe('idempotency interceptor', () => {
  it('keeps an answer per key, refuses the key with other arguments, and forgets what never ran', async () => {
    const h = harness(new IdempotencyInterceptor({ engine: once(engine({ idempotency: {} })) }), (n, request) => n === 1
      ? { jsonrpc: '2.0', id: request.id, error: { code: ProxyErrorCode.ServerUnavailable, message: 'down' } }
      : { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: `run ${n}` }] } });
    const key = { [IDEMPOTENCY_META_KEY]: 'k1' };
    expect((await h.call({ a: 1 }, key)).response).toMatchObject({ error: { code: ProxyErrorCode.ServerUnavailable } });
    expect((await h.call({ a: 1 }, key)).text).toBe('run 2');
    const replay = await h.call({ a: 1 }, key);
    expect(replay).toMatchObject({ text: 'run 2', ctx: { replayed: true, guardRule: 'managed: idempotency key' } });
    expect(replay.response.id).toBe(3);
    expect((await h.call({ a: 2 }, key)).response).toMatchObject({ result: { isError: true } });
    expect((await h.call({ a: 1 }, { [IDEMPOTENCY_META_KEY]: 42 })).response).toMatchObject({ result: { isError: true } });
    expect(h.runs()).toBe(2);
  });

  it('keeps at most maxEntries answers', async () => {
    const interceptor = new IdempotencyInterceptor({ engine: once(engine({ idempotency: { maxEntries: 10 } })) });
    const h = harness(interceptor);
    for (let i = 0; i < 100; i++) await h.call({}, { [IDEMPOTENCY_META_KEY]: `k${i}` });
    expect(interceptor.size).toBe(10);
    expect((await h.call({}, { [IDEMPOTENCY_META_KEY]: 'k99' })).ctx.replayed).toBe(true);
    expect((await h.call({}, { [IDEMPOTENCY_META_KEY]: 'k0' })).ctx.replayed).toBeUndefined();
  });

  it('dedup leaves tools annotated idempotentHint alone', async () => {
    const h = harness(new IdempotencyInterceptor({ engine: once(engine({ idempotency: { dedup: [{ match: 'srv/*', windowSeconds: 60 }] } })) }));
    await h.call({ x: 1 }, undefined, { idempotentHint: true });
    await h.call({ x: 1 }, undefined, { idempotentHint: true });
    expect(h.runs()).toBe(2);
    await h.call({ x: 1 });
    expect((await h.call({ x: 1 })).ctx.replayed).toBe(true);
    expect(h.runs()).toBe(3);
  });
});

describe('response cache interceptor', () => {
  const hints = { readOnlyHint: true, idempotentHint: true };

  it('caches only tools annotated read-only and idempotent, warns once about the others, and stays within maxEntries', async () => {
    const warnings: string[] = [];
    const policy = engine({ cache: { rules: [{ match: 'srv/*', ttlSeconds: 60 }], maxEntries: 5 } });
    const cache = new ResponseCacheInterceptor({ engine: () => policy, warn: (m) => warnings.push(m) });
    const h = harness(cache);
    await h.call({ k: 1 }, undefined, { readOnlyHint: true });
    await h.call({ k: 1 }, undefined, { readOnlyHint: true });
    expect(h.runs()).toBe(2);
    expect(warnings).toHaveLength(1);
    await h.call({ k: 1 }, undefined, hints);
    expect((await h.call({ k: 1 }, undefined, hints)).ctx.cacheHit).toBe(true);
    expect(h.runs()).toBe(3);
    for (let i = 0; i < 50; i++) await h.call({ k: `n${i}` }, undefined, hints);
    expect(cache.size).toBe(5);
  });

  it('expires entries after the TTL and never serves across an engine change', async () => {
    let now = 0;
    let current = engine({ cache: { rules: [{ match: 'srv/*', ttlSeconds: 10 }] } });
    const h = harness(new ResponseCacheInterceptor({ engine: () => current, clock: () => now }));
    await h.call({}, undefined, hints);
    now = 9_999;
    expect((await h.call({}, undefined, hints)).ctx.cacheHit).toBe(true);
    now = 10_000;
    expect((await h.call({}, undefined, hints)).ctx.cacheHit).toBeUndefined();
    current = engine({ cache: { rules: [{ match: 'srv/*', ttlSeconds: 10 }] } });
    expect((await h.call({}, undefined, hints)).ctx.cacheHit).toBeUndefined();
    expect(h.runs()).toBe(3);
  });
});
