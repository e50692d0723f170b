import { describe, expect, it } from 'vitest';
import { PolicyDocumentSchema, UserPolicySchema, type PolicyDocumentInput, type UserPolicyInput } from '../../../shared/policy.ts';
import { flowPolicy } from '../../../main/guardrails/flow-policy.ts';
import { PolicyEngine } from '../../../main/policy/engine.ts';

function engine(managed: Omit<PolicyDocumentInput, 'version'>, user?: UserPolicyInput, org?: Omit<PolicyDocumentInput, 'version'>): PolicyEngine {
  return new PolicyEngine({
    managed: { state: 'active', path: '/managed.json', policy: PolicyDocumentSchema.parse({ version: 1, ...managed }) },
    ...(org ? { org: { state: 'active', url: 'https://org.example/policy', fetchedAt: new Date(0).toISOString(), policy: PolicyDocumentSchema.parse({ version: 1, ...org }) } } : {}),
    ...(user ? { user: UserPolicySchema.parse(user) } : {}),
  });
}

describe('flow guardrail policy: sources, strictest wins, locks', () => {
  it('every source\'s rate limits apply; a lock drops the user\'s', () => {
    const user = { rateLimits: { rules: [{ id: 'mine', per: 'client' as const, perMinute: 10, burst: 2 }] } };
    const open = flowPolicy(engine({ rateLimits: { rules: [{ id: 'it', per: 'server', perMinute: 100, burst: 20 }] } }, user));
    expect(open.rateLimits.map((r) => r.label)).toEqual(['managed: it', 'user: mine']);
    const locked = flowPolicy(engine({ rateLimits: { rules: [{ id: 'it', per: 'server', perMinute: 100, burst: 20 }] }, locks: ['rateLimits'] }, user));
    expect(locked.rateLimits.map((r) => r.label)).toEqual(['managed: it']);
  });

  it('the breaker takes the strictest numbers of the sources that cover the server, and the lowest timeout', () => {
    const policy = flowPolicy(engine(
      { breaker: { servers: 'git*', failures: 5, coolDownSeconds: 10, timeouts: [{ match: 'github/*', timeoutMs: 5000 }] } },
      { breaker: { failures: 3, coolDownSeconds: 60, windowSeconds: 5, timeouts: [{ match: 'github/search', timeoutMs: 9000 }] } },
      { breaker: { servers: 'github', failures: 8, windowSeconds: 120 } },
    ));
    expect(policy.breakerFor('github')).toMatchObject({ failures: 3, coolDownMs: 60_000, windowMs: 120_000, source: 'user' });
    expect(policy.breakerFor('other')).toMatchObject({ failures: 3, source: 'user' });
    expect(policy.timeoutFor('github/search')).toBe(5000);
    expect(policy.timeoutFor('gitlab/x')).toBeUndefined();
  });

  it('the cache takes the shortest TTL and shares only when every matching rule does; nothing set means off', () => {
    const policy = flowPolicy(engine({ cache: { rules: [{ match: 'docs/*', ttlSeconds: 60, shared: true }] } }, { cache: { rules: [{ id: 'short', match: 'docs/search', ttlSeconds: 5 }] } }));
    expect(policy.cacheFor('docs/search')).toMatchObject({ ttlMs: 5000, shared: false, label: 'user: short' });
    expect(policy.cacheFor('docs/read')).toMatchObject({ ttlMs: 60_000, shared: true });
    const off = flowPolicy(engine({}));
    expect(off.cacheLimits).toBeUndefined();
    expect(off.idempotency).toBeUndefined();
    expect(off.breakerFor('x')).toBeUndefined();
    expect(off.rateLimits).toEqual([]);
  });

  it('idempotency keeps answers for the longest window of any source; a malformed rule names the field', () => {
    const policy = flowPolicy(engine({ idempotency: { windowSeconds: 60 } }, { idempotency: { windowSeconds: 3600 } }));
    expect(policy.idempotency).toMatchObject({ windowMs: 3_600_000, label: 'managed: idempotency key' });
    const bad = PolicyDocumentSchema.safeParse({ version: 1, rateLimits: { rules: [{ per: 'client', perMinute: -1, burst: 2 }] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['rateLimits', 'rules', 0, 'perMinute']);
  });
});
