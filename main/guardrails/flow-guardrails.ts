// The four flow guardrails of the data path, built together from the current policy engine. The
// composition root registers each interceptor at its own place in the chain (rate limits right
// after policy; idempotency and the response cache after that; the breaker last, next to the
// upstream) and clears the cache on every policy change.
import type { PolicyEngine } from '../policy/engine.ts';
import { BreakerInterceptor, type BreakerStateView } from './breaker-interceptor.ts';
import { IdempotencyInterceptor } from './idempotency-interceptor.ts';
import { RateLimitInterceptor } from './rate-limit-interceptor.ts';
import { ResponseCacheInterceptor } from './response-cache-interceptor.ts';

export interface FlowGuardrailsDeps {
  readonly engine: () => PolicyEngine;
  readonly warn?: (message: string) => void;
  /** Monotonic ms for buckets, windows and cool-downs (default performance.now). */
  readonly clock?: () => number;
}

export class FlowGuardrails {
  readonly rateLimits: RateLimitInterceptor;
  readonly idempotency: IdempotencyInterceptor;
  readonly cache: ResponseCacheInterceptor;
  readonly breaker: BreakerInterceptor;

  constructor(deps: FlowGuardrailsDeps) {
    const clock = deps.clock ? { clock: deps.clock } : {};
    this.rateLimits = new RateLimitInterceptor({ engine: deps.engine, ...(deps.clock ? { now: deps.clock } : {}) });
    this.idempotency = new IdempotencyInterceptor({ engine: deps.engine, ...clock });
    this.cache = new ResponseCacheInterceptor({ engine: deps.engine, ...clock, ...(deps.warn ? { warn: deps.warn } : {}) });
    this.breaker = new BreakerInterceptor({ engine: deps.engine, ...clock });
  }

  /** Every server's breaker under the current policy (read-only; for status, the UI and metrics). */
  breakerStates(): BreakerStateView[] {
    return this.breaker.breakerStates();
  }

  policyChanged(): void {
    this.cache.clear();
  }
}
