// Idempotency, after rate limits: a tools/call carrying an idempotency key in
// params._meta["switchboard.mcp/idempotency-key"] runs once per key and client within the window; a
// retry gets the first call's answer, or waits for it while it runs. The same key with other
// arguments is refused. A dedup rule does the same, keyed on the canonical arguments, for tools not
// annotated idempotentHint. Answers the call surely never ran for (refused, server unreachable,
// cancelled) are not kept, so a retry of those runs.
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { IDEMPOTENCY_META_KEY } from '../../shared/flow-guardrails-policy.ts';
import { canonicalJson } from '../base/canonical-json.ts';
import { ProxyErrorCode } from '../base/proxy-error-codes.ts';
import { cancelledByClient, type CallContext, type Interceptor, type Next, type RelayResponse } from '../relay/interceptor.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { evictOldest, FifoKeys } from './flow-fifo.ts';
import { flowPolicy, type NamedRule } from './flow-policy.ts';
import { callTarget, clientIdentity, refuse } from './flow-refusal.ts';

/** Marks a replayed answer in its result's `_meta`, so a client can tell it from a fresh one. */
export const REPLAYED_META_KEY = 'switchboard.mcp/replayed';

export interface IdempotencyDeps {
  readonly engine: () => PolicyEngine;
  /** Monotonic ms (default performance.now). */
  readonly clock?: () => number;
}

interface Entry {
  readonly fingerprint: string;
  /** Set while the first call runs; retries wait on it. */
  running: Promise<RelayResponse | undefined> | undefined;
  response: RelayResponse | undefined;
  expiresAt: number;
}

/** Errors the proxy answers without the server having run the call: a retry must run. */
const NOT_RUN: ReadonlySet<number> = new Set([
  ProxyErrorCode.Denied, ProxyErrorCode.FailClosed, ProxyErrorCode.ServerUnavailable, ProxyErrorCode.MessageTooLarge,
  ProxyErrorCode.RateLimited, ProxyErrorCode.CircuitOpen, ProxyErrorCode.IdempotencyConflict, -32800,
]);

const MAX_WAITS = 5;

export class IdempotencyInterceptor implements Interceptor {
  readonly name = 'idempotency';
  readonly methods: ReadonlySet<string> = new Set(['tools/call']);
  private readonly deps: IdempotencyDeps;
  private readonly entries = new Map<string, Entry>();
  private readonly order = new FifoKeys<Entry>();

  constructor(deps: IdempotencyDeps) {
    this.deps = deps;
  }

  get size(): number {
    return this.entries.size;
  }

  async handle(ctx: CallContext, next: Next): Promise<RelayResponse> {
    const policy = flowPolicy(this.deps.engine());
    const params = (ctx.request.params ?? {}) as { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> };
    const key = params._meta?.[IDEMPOTENCY_META_KEY];
    let rule: NamedRule & { windowMs: number; maxEntries?: number };
    let entryKey: string;
    let fingerprint: string;
    if (key !== undefined && policy.idempotency) {
      if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
        return refuse(ctx.request, { rule: policy.idempotency, code: ProxyErrorCode.IdempotencyConflict, reason: `the idempotency key in _meta["${IDEMPOTENCY_META_KEY}"] must be a string of 1 to 200 characters.` });
      }
      rule = policy.idempotency;
      fingerprint = canonicalJson({ name: params.name, arguments: params.arguments ?? {} });
      entryKey = `key\u0001${clientIdentity(ctx.session)}\u0001${ctx.session.serverId}\u0001${key}`;
    } else {
      if (ctx.toolAnnotations?.idempotentHint === true) return next(ctx.request);
      const dedup = policy.dedupFor(callTarget(ctx.request, ctx.session.serverId));
      if (!dedup) return next(ctx.request);
      rule = dedup;
      fingerprint = canonicalJson({ name: params.name, arguments: params.arguments ?? {} });
      entryKey = `dedup\u0001${clientIdentity(ctx.session)}\u0001${ctx.session.serverId}\u0001${fingerprint}`;
    }
    const maxEntries = policy.idempotency?.maxEntries ?? 10_000;

    for (let wait = 0; wait < MAX_WAITS; wait++) {
      const now = this.now();
      const entry = this.live(entryKey, now);
      if (!entry) break;
      if (entry.fingerprint !== fingerprint) {
        ctx.guardRule = rule.label;
        return refuse(ctx.request, { rule, code: ProxyErrorCode.IdempotencyConflict, reason: `the idempotency key "${String(key)}" was used for another call (other tool or arguments) within the last ${Math.round(rule.windowMs / 1000)} s; use a new key for a new call.` });
      }
      const answer = entry.response ?? await this.waitFor(entry, ctx.signal);
      if (ctx.signal.aborted) return { jsonrpc: '2.0', id: ctx.request.id, error: { code: -32800, message: 'Request cancelled' } };
      if (answer) {
        ctx.replayed = true;
        ctx.guardRule = rule.label;
        return replay(ctx.request, answer);
      }
      // The first call ended without an answer to keep (it never ran): try to run this one.
    }

    const entry: Entry = { fingerprint, running: undefined, response: undefined, expiresAt: Infinity };
    let settle!: (response: RelayResponse | undefined) => void;
    entry.running = new Promise((resolve) => { settle = resolve; });
    this.entries.set(entryKey, entry);
    this.order.push(entryKey, entry);
    // A running call is never dropped: its retries wait on it.
    evictOldest(this.entries, this.order, maxEntries, (old) => !old.running);
    let response: RelayResponse | undefined;
    try {
      response = await next(ctx.request);
      return response;
    } finally {
      const keep = response !== undefined && !cancelledByClient(ctx.signal) && !('error' in response && NOT_RUN.has(response.error.code));
      entry.running = undefined;
      if (keep) {
        entry.response = response;
        entry.expiresAt = this.now() + rule.windowMs;
      } else if (this.entries.get(entryKey) === entry) {
        this.entries.delete(entryKey);
      }
      settle(keep ? response : undefined);
    }
  }

  private now(): number {
    return (this.deps.clock ?? performance.now.bind(performance))();
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private waitFor(entry: Entry, signal: AbortSignal): Promise<RelayResponse | undefined> {
    const running = entry.running ?? Promise.resolve(entry.response);
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      void running.then((answer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      });
    });
  }

}

function replay(request: JSONRPCRequest, answer: RelayResponse): RelayResponse {
  if ('error' in answer) return { ...answer, id: request.id };
  const result = answer.result as { _meta?: Record<string, unknown> };
  return { ...answer, id: request.id, result: { ...answer.result, _meta: { ...result._meta, [REPLAYED_META_KEY]: true } } };
}
