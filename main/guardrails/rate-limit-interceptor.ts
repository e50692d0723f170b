// Rate limits, right after policy in the chain: every rate-limit rule of every source whose globs
// match the call counts it in its bucket (per client, server, tool, or client × tool); a call that
// finds any of its buckets empty is refused with the rule's name and when to retry, and takes no
// token from the others. Buckets are keyed on the client identity, so a reconnect does not reset them.
import { ProxyErrorCode } from '../base/proxy-error-codes.ts';
import type { CallContext, Interceptor, Next, RelayResponse } from '../relay/interceptor.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { flowPolicy, type CompiledRateLimit } from './flow-policy.ts';
import { callTarget, clientIdentity, refuse } from './flow-refusal.ts';
import { TokenBuckets, type Bucket } from './rate-limit-bucket.ts';

export interface RateLimitDeps {
  readonly engine: () => PolicyEngine;
  /** Milliseconds, monotonic (default performance.now). */
  readonly now?: () => number;
  readonly maxBuckets?: number;
}

export class RateLimitInterceptor implements Interceptor {
  readonly name = 'rate-limit';
  readonly methods: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);
  private readonly deps: RateLimitDeps;
  private readonly buckets: TokenBuckets;

  constructor(deps: RateLimitDeps) {
    this.deps = deps;
    this.buckets = new TokenBuckets({ ...(deps.now ? { now: deps.now } : {}), ...(deps.maxBuckets ? { maxBuckets: deps.maxBuckets } : {}) });
  }

  handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const rules = flowPolicy(this.deps.engine()).rateLimits;
    if (rules.length === 0) return next(ctx.request);
    const target = callTarget(ctx.request, ctx.session.serverId);
    const clientName = ctx.session.client?.name ?? '';
    const counted: Bucket[] = [];
    let refused: { rule: CompiledRateLimit; retryAfterMs: number } | undefined;
    const now = this.buckets.time();
    for (const rule of rules) {
      if (!rule.matches(target) || (rule.client && !rule.client(clientName))) continue;
      const result = this.buckets.check(rule.label, bucketKey(rule, ctx, target), rule, now);
      if (!result.ok) {
        // The longest wait among the empty buckets: a retry sooner would be refused again.
        if (!refused || result.retryAfterMs > refused.retryAfterMs) refused = { rule, retryAfterMs: result.retryAfterMs };
        continue;
      }
      counted.push(result.bucket);
    }
    if (refused) {
      const { rule, retryAfterMs } = refused;
      ctx.guardRule = rule.label;
      ctx.guardOutcome = 'rate_limited';
      return Promise.resolve(refuse(ctx.request, {
        rule,
        code: ProxyErrorCode.RateLimited,
        reason: `rate limit exceeded: ${rule.burst} calls at once, ${rule.perMinute} per minute, per ${rule.per} (${describeScope(rule, ctx, target)}).`,
        retryAfterMs,
      }));
    }
    for (const bucket of counted) this.buckets.take(bucket);
    return next(ctx.request);
  }
}

/** The bucket's key within its rule's group. */
function bucketKey(rule: CompiledRateLimit, ctx: CallContext, target: string): string {
  switch (rule.per) {
    case 'client': return clientIdentity(ctx.session);
    case 'server': return ctx.session.serverId;
    case 'tool': return target;
    case 'client-tool': return clientToolKey(clientIdentity(ctx.session), target);
  }
}

/** "<identity>\u0001<target>", the same string object while a session calls the same tool (a map key hashed once). */
function clientToolKey(identity: string, target: string): string {
  if (identity !== lastClientTool.identity || target !== lastClientTool.target) lastClientTool = { identity, target, key: `${identity}\u0001${target}` };
  return lastClientTool.key;
}

let lastClientTool = { identity: '', target: '', key: '' };

function describeScope(rule: CompiledRateLimit, ctx: CallContext, target: string): string {
  const client = `client ${ctx.session.client?.name ?? '(unnamed)'} via ${ctx.session.clientLabel}`;
  switch (rule.per) {
    case 'client': return client;
    case 'server': return `server ${ctx.session.serverId}`;
    case 'tool': return target;
    case 'client-tool': return `${client}, ${target}`;
  }
}
