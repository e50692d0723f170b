import { describe, expect, it } from 'vitest';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { PolicyDocumentSchema } from '../../../shared/policy.ts';
import { ProxyErrorCode } from '../../../main/base/proxy-error-codes.ts';
import { RateLimitInterceptor } from '../../../main/guardrails/rate-limit-interceptor.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';
import { REFUSAL_META_KEY, type CallContext, type RelayResponse, type SessionInfo } from '../../../main/relay/interceptor.ts';

const policy = new PolicyEngine({ managed: { state: 'active', path: '/m.json', policy: PolicyDocumentSchema.parse({
  version: 1,
  rateLimits: { rules: [
    { id: 'per-tool', per: 'tool', match: 'srv/slow_*', perMinute: 6, burst: 1 },
    { id: 'per-server', per: 'server', perMinute: 60, burst: 3 },
  ] },
}) } });

function call(limits: RateLimitInterceptor, method: string, name: string, client = 'agent') {
  const session: SessionInfo = { sessionId: `s-${Math.random()}`, serverId: 'srv', transport: 'http', clientLabel: 'token', client: { name: client, version: '1' } };
  const request: JSONRPCRequest = { jsonrpc: '2.0', id: 7, method, params: method === 'resources/read' ? { uri: name } : { name, arguments: {} } };
  const ctx: CallContext = { session, request, signal: new AbortController().signal, startedAt: 0 };
  let ran = false;
  const answer = limits.handle(ctx, async (r): Promise<RelayResponse> => {
    ran = true;
    return { jsonrpc: '2.0', id: r.id, result: { content: [] } };
  });
  return answer.then((response) => ({ response, ctx, ran }));
}

describe('rate-limit interceptor', () => {
  it('names the limit and the retry time: a tool error for tools/call, JSON-RPC -32007 with retryAfterMs otherwise', async () => {
    const now = 0;
    const limits = new RateLimitInterceptor({ engine: () => policy, now: () => now });
    expect((await call(limits, 'tools/call', 'slow_a')).ran).toBe(true);
    const refused = await call(limits, 'tools/call', 'slow_a');
    expect(refused.ran).toBe(false);
    expect(refused.ctx).toMatchObject({ guardRule: 'managed: per-tool', guardOutcome: 'rate_limited' });
    expect(refused.response).toMatchObject({ id: 7, result: { isError: true, _meta: { [REFUSAL_META_KEY]: { rule: 'per-tool', source: 'managed', retryAfterMs: 10_000 } } } });
    expect(JSON.stringify(refused.response)).toContain('Retry after 10 s');
    // A refused call took no token from the server's bucket: two more calls fit in it.
    expect((await call(limits, 'resources/read', 'file:///a')).ran).toBe(true);
    expect((await call(limits, 'prompts/get', 'p')).ran).toBe(true);
    const rpc = await call(limits, 'resources/read', 'file:///b');
    expect(rpc.response).toMatchObject({ error: { code: ProxyErrorCode.RateLimited, data: { rule: 'per-server', source: 'managed', retryAfterMs: 1000 } } });
  });
});
