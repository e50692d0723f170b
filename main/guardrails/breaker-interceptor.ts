// The circuit breaker, innermost in the chain (closest to the upstream): one breaker per server,
// fed by the outcomes of the calls that reach it, and the per-tool timeout budgets of the policy.
// An open breaker answers at once with the rule and when the next probe is let through.
import { ProxyErrorCode } from '../base/proxy-error-codes.ts';
import { cancelledByClient, ProxyStopping, type CallContext, type Interceptor, type Next, type RelayResponse } from '../relay/interceptor.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { Breaker, type BreakerSnapshot, type BreakerStateName } from './breaker-state.ts';
import { flowPolicy, type BreakerSettings } from './flow-policy.ts';
import { callTarget, refuse, retryAfterSeconds } from './flow-refusal.ts';

export interface BreakerStateView {
  readonly serverId: string;
  readonly state: BreakerStateName;
  /** ISO time of the last state change. */
  readonly since: string;
  readonly failures: number;
}

export type BreakerListener = (view: BreakerStateView) => void;

export interface BreakerDeps {
  readonly engine: () => PolicyEngine;
  /** Monotonic ms (default performance.now): cool-downs and windows. */
  readonly clock?: () => number;
  /** Wall-clock ms (default Date.now): `since`. */
  readonly wallClock?: () => number;
}

/** Errors that say nothing about the server's health: the client's own mistakes, cancels, and the proxy's refusals. */
const NOT_FAILURES: ReadonlySet<number> = new Set([
  -32700, -32600, -32601, -32602, -32800,
  ProxyErrorCode.Denied, ProxyErrorCode.FailClosed, ProxyErrorCode.MessageTooLarge,
  ProxyErrorCode.RateLimited, ProxyErrorCode.CircuitOpen, ProxyErrorCode.IdempotencyConflict,
]);

export class BreakerInterceptor implements Interceptor {
  readonly name = 'breaker';
  readonly methods: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);
  private readonly deps: BreakerDeps;
  private readonly breakers = new Map<string, Breaker>();
  private readonly listeners = new Set<BreakerListener>();

  constructor(deps: BreakerDeps) {
    this.deps = deps;
  }

  /** Breaker state changes (for the API's server events); returns the unsubscribe function. */
  onChange(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every server that has a breaker under the current policy, with its state now (read-only). */
  breakerStates(): BreakerStateView[] {
    const policy = flowPolicy(this.deps.engine());
    const views: BreakerStateView[] = [];
    for (const [serverId, breaker] of this.breakers) {
      const settings = policy.breakerFor(serverId);
      if (settings) views.push(view(serverId, breaker.snapshot(settings)));
    }
    return views.sort((a, b) => a.serverId.localeCompare(b.serverId));
  }

  /** The state of one server's breaker; undefined when the policy gives it none. */
  breakerState(serverId: string): BreakerStateView | undefined {
    const settings = flowPolicy(this.deps.engine()).breakerFor(serverId);
    if (!settings) return undefined;
    return view(serverId, this.breaker(serverId).snapshot(settings));
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const policy = flowPolicy(this.deps.engine());
    const serverId = ctx.session.serverId;
    const budget = policy.timeoutFor(callTarget(ctx.request, serverId));
    if (budget !== undefined) ctx.timeoutMs = budget;
    const settings = policy.breakerFor(serverId);
    if (!settings) return next(ctx.request);
    const breaker = this.breaker(serverId);
    const admission = breaker.admit(settings);
    if (!admission.pass) {
      ctx.guardRule = settings.label;
      ctx.guardOutcome = 'circuit_open';
      return refuse(ctx.request, {
        rule: settings,
        code: ProxyErrorCode.CircuitOpen,
        reason: `the circuit breaker of server "${serverId}" is open after ${settings.failures} consecutive failures; calls fail fast until one probe call succeeds (next probe in about ${retryAfterSeconds(admission.retryAfterMs)} s).`,
        retryAfterMs: admission.retryAfterMs,
      });
    }
    let response: RelayResponse;
    try {
      response = await next(ctx.request);
    } catch (error) {
      this.settle(breaker, admission.probe, settings, ctx, 'failed');
      throw error;
    }
    this.settle(breaker, admission.probe, settings, ctx, isFailure(response, settings) ? 'failed' : 'succeeded');
    return response;
  }

  private settle(breaker: Breaker, probe: boolean, settings: BreakerSettings, ctx: CallContext, outcome: 'failed' | 'succeeded'): void {
    if (cancelledByClient(ctx.signal) || ctx.signal.reason instanceof ProxyStopping) breaker.released(probe);
    else if (outcome === 'failed') breaker.failed(probe, settings);
    else breaker.succeeded(probe);
  }

  private breaker(serverId: string): Breaker {
    let breaker = this.breakers.get(serverId);
    if (!breaker) {
      breaker = new Breaker({
        clock: this.deps.clock ?? (() => performance.now()),
        wallClock: this.deps.wallClock ?? Date.now,
        onChange: (snapshot) => {
          for (const listener of this.listeners) {
            try {
              listener(view(serverId, snapshot));
            } catch {
              // A broken listener must not affect the call.
            }
          }
        },
      });
      this.breakers.set(serverId, breaker);
    }
    return breaker;
  }
}

function isFailure(response: RelayResponse, settings: BreakerSettings): boolean {
  if ('error' in response) return !NOT_FAILURES.has(response.error.code);
  return settings.countToolErrors && (response.result as { isError?: unknown } | undefined)?.isError === true;
}

function view(serverId: string, snapshot: BreakerSnapshot): BreakerStateView {
  return { serverId, state: snapshot.state, since: new Date(snapshot.since).toISOString(), failures: snapshot.failures };
}
