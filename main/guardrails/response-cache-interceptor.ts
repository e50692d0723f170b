// The response cache, after idempotency: a tools/call to a tool a cache rule names, and that its
// server annotates readOnlyHint and idempotentHint, is answered from the cache within the rule's
// TTL, keyed on the canonical arguments and (by default) the client. A rule naming any other tool
// does not apply to it. Nothing cached survives a policy change: entries belong to the engine that
// was current when they were stored.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../base/canonical-json.ts';
import { messageBytes } from '../base/wire-size.ts';
import type { CallContext, Interceptor, Next, RelayResponse } from '../relay/interceptor.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { evictOldest, FifoKeys } from './flow-fifo.ts';
import { flowPolicy } from './flow-policy.ts';
import { callTarget, clientIdentity } from './flow-refusal.ts';

/** Marks an answer served from the cache in its result's `_meta`. */
export const CACHE_HIT_META_KEY = 'switchboard.mcp/cache-hit';

export interface ResponseCacheDeps {
  readonly engine: () => PolicyEngine;
  /** Monotonic ms (default performance.now). */
  readonly clock?: () => number;
  /** Told once per tool that a cache rule names a tool not annotated read-only and idempotent. */
  readonly warn?: (message: string) => void;
}

interface Cached {
  readonly response: RelayResponse;
  readonly expiresAt: number;
}

export class ResponseCacheInterceptor implements Interceptor {
  readonly name = 'response-cache';
  readonly methods: ReadonlySet<string> = new Set(['tools/call']);
  private readonly deps: ResponseCacheDeps;
  private readonly entries = new Map<string, Cached>();
  private readonly order = new FifoKeys<Cached>();
  private readonly warned = new Set<string>();
  private engine: PolicyEngine | undefined;

  constructor(deps: ResponseCacheDeps) {
    this.deps = deps;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops every entry (a policy change). */
  clear(): void {
    this.entries.clear();
    this.order.clear();
    this.warned.clear();
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const engine = this.deps.engine();
    if (engine !== this.engine) {
      this.clear();
      this.engine = engine;
    }
    const policy = flowPolicy(engine);
    const limits = policy.cacheLimits;
    if (!limits) return next(ctx.request);
    const target = callTarget(ctx.request, ctx.session.serverId);
    const rule = policy.cacheFor(target);
    if (!rule) return next(ctx.request);
    const annotations = ctx.toolAnnotations;
    if (annotations?.readOnlyHint !== true || annotations.idempotentHint !== true) {
      if (!this.warned.has(target) && this.warned.size < 1000) {
        this.warned.add(target);
        this.deps.warn?.(`cache rule ${rule.label} names ${target}, which is not annotated readOnlyHint and idempotentHint: its answers are not cached`);
      }
      return next(ctx.request);
    }
    const params = (ctx.request.params ?? {}) as { name?: unknown; arguments?: unknown };
    const key = `${rule.shared ? '*' : clientIdentity(ctx.session)}\u0001${target}\u0001${canonicalJson(params.arguments ?? {})}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) {
      ctx.cacheHit = true;
      ctx.guardRule = rule.label;
      return served(ctx.request, hit.response);
    }
    if (hit) this.entries.delete(key);
    const response = await next(ctx.request);
    // Only a good answer, and only while the policy it was cached under is still the one in force.
    if ('result' in response && (response.result as { isError?: unknown }).isError !== true && this.engine === engine
      && messageBytes(response) <= limits.maxEntryBytes) {
      const cached = { response, expiresAt: this.now() + rule.ttlMs };
      this.entries.set(key, cached);
      this.order.push(key, cached);
      evictOldest(this.entries, this.order, limits.maxEntries);
    }
    return response;
  }

  private now(): number {
    return (this.deps.clock ?? performance.now.bind(performance))();
  }
}

function served(request: JSONRPCRequest, response: RelayResponse): RelayResponse {
  const result = (response as { result: { _meta?: Record<string, unknown> } }).result;
  return { ...response, id: request.id, result: { ...result, _meta: { ...result._meta, [CACHE_HIT_META_KEY]: true } } } as RelayResponse;
}
