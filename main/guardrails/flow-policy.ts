// The flow guardrail sections (rateLimits, breaker, idempotency, cache) of the effective policy:
// read from the engine's sources (managed, org, then user unless the section is locked) and
// combined strictest-wins, once per engine (a policy change builds a new engine).
import type { PolicyDocument, PolicySource } from '../../shared/policy.ts';
import type { BreakerPolicy, CachePolicy, IdempotencyPolicy, RateLimitRule } from '../../shared/flow-guardrails-policy.ts';
import type { PolicyEngine } from '../policy/engine.ts';
import { compileGlob, type Matcher } from '../policy/glob.ts';

export type FlowSection = 'rateLimits' | 'breaker' | 'idempotency' | 'cache';

/** A rule as decisions name it: "managed: rate per client **". */
export interface NamedRule {
  readonly name: string;
  readonly source: PolicySource;
  readonly label: string;
}

export interface CompiledRateLimit extends NamedRule {
  readonly per: RateLimitRule['per'];
  readonly matches: Matcher;
  readonly client: Matcher | undefined;
  readonly perMinute: number;
  readonly burst: number;
}

export interface BreakerSettings extends NamedRule {
  readonly failures: number;
  readonly windowMs: number;
  readonly coolDownMs: number;
  readonly countToolErrors: boolean;
}

export interface DedupSettings extends NamedRule {
  readonly windowMs: number;
}

export interface CacheSettings extends NamedRule {
  readonly ttlMs: number;
  readonly shared: boolean;
}

export interface FlowPolicy {
  readonly rateLimits: readonly CompiledRateLimit[];
  /** The breaker of a server, undefined when no source gives it one. */
  breakerFor(serverId: string): BreakerSettings | undefined;
  /** The lowest timeout budget of any source for "<server>/<tool>", undefined when none matches. */
  timeoutFor(target: string): number | undefined;
  /** Undefined when no source turns idempotency on. */
  readonly idempotency: (NamedRule & { readonly windowMs: number; readonly maxEntries: number }) | undefined;
  dedupFor(target: string): DedupSettings | undefined;
  cacheFor(target: string): CacheSettings | undefined;
  readonly cacheLimits: { readonly maxEntries: number; readonly maxEntryBytes: number } | undefined;
}

type Sourced<K extends FlowSection> = { source: PolicySource; value: NonNullable<PolicyDocument[K]> };

/** Each source's value of a section, strictest source first; the user's only while the section is unlocked. */
export function flowSection<K extends FlowSection>(engine: PolicyEngine, key: K): Array<Sourced<K>> {
  const { managed, org, user } = engine.inputs;
  const found: Array<Sourced<K>> = [];
  const add = (source: PolicySource, doc: Partial<Pick<PolicyDocument, K>> | undefined) => {
    const value = doc?.[key];
    if (value !== undefined) found.push({ source, value: value as NonNullable<PolicyDocument[K]> });
  };
  if (managed.state === 'active') add('managed', managed.policy);
  if (org?.state === 'active') add('org', org.policy);
  if (user && !engine.isLocked(key)) add('user', user as Partial<Pick<PolicyDocument, K>>);
  return found;
}

const compiled = new WeakMap<PolicyEngine, FlowPolicy>();

export function flowPolicy(engine: PolicyEngine): FlowPolicy {
  let policy = compiled.get(engine);
  if (!policy) {
    policy = compileFlowPolicy(engine);
    compiled.set(engine, policy);
  }
  return policy;
}

function named(source: PolicySource, name: string): NamedRule {
  return { name, source, label: `${source}: ${name}` };
}

/** Memoizes a per-target answer (targets repeat: a client calls the same few tools). */
function memo<T>(compute: (target: string) => T): (target: string) => T {
  const seen = new Map<string, T>();
  return (target) => {
    if (seen.has(target)) return seen.get(target)!;
    const value = compute(target);
    if (seen.size >= 10_000) seen.clear();
    seen.set(target, value);
    return value;
  };
}

function compileFlowPolicy(engine: PolicyEngine): FlowPolicy {
  const rateLimits = flowSection(engine, 'rateLimits').flatMap(({ source, value }) => value.rules.map((rule): CompiledRateLimit => ({
    ...named(source, rule.id ?? `rate per ${rule.per} ${rule.match}${rule.client ? ` client ${rule.client}` : ''}`),
    per: rule.per,
    matches: compileGlob(rule.match),
    client: rule.client === undefined ? undefined : compileGlob(rule.client),
    perMinute: rule.perMinute,
    burst: rule.burst,
  })));

  const breakers = flowSection(engine, 'breaker').map(({ source, value }) => ({ source, value, servers: compileGlob(value.servers) }));
  const breakerFor = memo((serverId: string): BreakerSettings | undefined => {
    const applying = breakers.filter((b) => b.servers(serverId));
    if (applying.length === 0) return undefined;
    const strictest = (pick: (b: BreakerPolicy) => number, lowest: boolean) => applying.reduce((best, b) => ((lowest ? pick(b.value) < pick(best.value) : pick(b.value) > pick(best.value)) ? b : best));
    const byFailures = strictest((b) => b.failures, true);
    return {
      ...named(byFailures.source, `breaker ${byFailures.value.servers}`),
      failures: byFailures.value.failures,
      windowMs: strictest((b) => b.windowSeconds, false).value.windowSeconds * 1000,
      coolDownMs: strictest((b) => b.coolDownSeconds, false).value.coolDownSeconds * 1000,
      countToolErrors: applying.some((b) => b.value.countToolErrors),
    };
  });
  const timeouts = breakers.flatMap(({ value }) => (value.timeouts ?? []).map((t) => ({ matches: compileGlob(t.match), timeoutMs: t.timeoutMs })));
  const timeoutFor = memo((target: string) => timeouts.reduce<number | undefined>((low, t) => (t.matches(target) && (low === undefined || t.timeoutMs < low) ? t.timeoutMs : low), undefined));

  const idempotencies = flowSection(engine, 'idempotency');
  const idempotency = idempotencies.length === 0 ? undefined : {
    ...named(idempotencies[0]!.source, 'idempotency key'),
    windowMs: Math.max(...idempotencies.map((i) => i.value.windowSeconds)) * 1000,
    maxEntries: Math.min(...idempotencies.map((i) => i.value.maxEntries)),
  };
  const dedups = idempotencies.flatMap(({ source, value }: { source: PolicySource; value: IdempotencyPolicy }) => (value.dedup ?? []).map((rule) => ({
    ...named(source, rule.id ?? `dedup ${rule.match}`), matches: compileGlob(rule.match), windowMs: rule.windowSeconds * 1000,
  })));
  const dedupFor = memo((target: string): DedupSettings | undefined => dedups.filter((d) => d.matches(target))
    .reduce<DedupSettings | undefined>((best, d) => (!best || d.windowMs > best.windowMs ? { name: d.name, source: d.source, label: d.label, windowMs: d.windowMs } : best), undefined));

  const caches = flowSection(engine, 'cache');
  const cacheRules = caches.flatMap(({ source, value }: { source: PolicySource; value: CachePolicy }) => value.rules.map((rule) => ({
    ...named(source, rule.id ?? `cache ${rule.match}`), matches: compileGlob(rule.match), ttlMs: rule.ttlSeconds * 1000, shared: rule.shared,
  })));
  const cacheFor = memo((target: string): CacheSettings | undefined => {
    const applying = cacheRules.filter((c) => c.matches(target));
    if (applying.length === 0) return undefined;
    const shortest = applying.reduce((best, c) => (c.ttlMs < best.ttlMs ? c : best));
    return { name: shortest.name, source: shortest.source, label: shortest.label, ttlMs: shortest.ttlMs, shared: applying.every((c) => c.shared) };
  });
  const cacheLimits = caches.length === 0 ? undefined : {
    maxEntries: Math.min(...caches.map((c) => c.value.maxEntries)),
    maxEntryBytes: Math.min(...caches.map((c) => c.value.maxEntryBytes)),
  };

  return { rateLimits, breakerFor, timeoutFor, idempotency, dedupFor, cacheFor, cacheLimits };
}
