// The lifecycle entries of every policy source, compiled, and the rule that turns them (with the
// registry's status and the time) into one server's lifecycle. Strictest wins: decommissioned or
// deleted beats deprecated beats active; on a tie the first source in managed → org → user →
// registry order decides. A sunset that has passed makes its entry decommissioned.
import type { LifecycleEntry, ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import type { PolicySource } from '../../shared/policy.ts';
import type { ServerWithOrigin } from '../policy/registry-origin.ts';
import type { ServerIdentity } from '../policy/server-identity.ts';
import { compileServerMatcher, describeServerMatcher, type CompiledServerMatcher } from '../policy/server-rules.ts';
import type { RegistryStatus } from './registry-status.ts';

export interface CompiledLifecycleEntry {
  readonly source: PolicySource;
  readonly name: string;
  readonly entry: LifecycleEntry;
  readonly matcher: CompiledServerMatcher;
  /** Epoch milliseconds from which calls are refused. */
  readonly sunsetAt?: number;
}

export function compileLifecycleEntries(sources: ReadonlyArray<{ source: PolicySource; entries: readonly LifecycleEntry[] }>): CompiledLifecycleEntry[] {
  return sources.flatMap(({ source, entries }) => entries.map((entry) => ({
    source,
    name: entry.id ?? `lifecycle ${entry.state} ${describeServerMatcher(entry.match)}`,
    entry,
    matcher: compileServerMatcher(entry.match),
    ...(entry.sunset ? { sunsetAt: sunsetMillis(entry.sunset) } : {}),
  })));
}

/** A date alone is its first moment in UTC; a date-time is what it says. */
export function sunsetMillis(sunset: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(sunset) ? `${sunset}T00:00:00Z` : sunset);
}

const RANK: Record<ServerLifecycle['state'], number> = { active: 0, deprecated: 1, decommissioned: 2, deleted: 2 };

interface Candidate {
  readonly state: ServerLifecycle['state'];
  readonly rule: string;
  readonly source: ServerLifecycle['source'];
  readonly message?: string;
  readonly entry?: CompiledLifecycleEntry;
}

/** The server's lifecycle, or undefined when neither policy nor the registry says anything about it. */
export function resolveLifecycle(
  server: ServerWithOrigin,
  identity: ServerIdentity,
  entries: readonly CompiledLifecycleEntry[],
  registry: RegistryStatus | undefined,
  now: number,
): ServerLifecycle | undefined {
  const matching = entries.filter((e) => e.matcher.matches(identity, 'any'));
  const candidates: Candidate[] = matching.map((e) => {
    const passed = e.sunsetAt !== undefined && now >= e.sunsetAt;
    const state = passed ? 'decommissioned' : e.entry.state;
    const why = passed ? `its sunset ${e.entry.sunset} has passed` : undefined;
    const message = [why, e.entry.message].filter(Boolean).join('; ');
    return { state, rule: e.name, source: e.source, ...(message ? { message } : {}), entry: e };
  });
  if (registry) {
    const state = registry.status === 'deleted' ? 'deleted' : registry.status === 'deprecated' ? 'deprecated' : 'active';
    candidates.push({ state, rule: `registry status ${registry.status}`, source: 'registry', ...(registry.statusMessage ? { message: registry.statusMessage } : {}) });
  }
  if (candidates.length === 0) return undefined;
  let decider = candidates[0]!;
  for (const c of candidates) if (RANK[c.state] > RANK[decider.state]) decider = c;

  const replacement = decider.entry?.entry.replacement ?? matching.find((e) => e.entry.replacement)?.entry.replacement;
  const owner = decider.entry?.entry.owner ?? matching.find((e) => e.entry.owner)?.entry.owner;
  const sunsets = matching.filter((e) => e.sunsetAt !== undefined && !Number.isNaN(e.sunsetAt)).map((e) => e.sunsetAt!);
  const sunsetAt = decider.entry?.sunsetAt ?? (sunsets.length > 0 ? Math.min(...sunsets) : undefined);
  const version = server.installedFrom?.version ?? identity.inferredPackage?.version ?? (server.package?.version || undefined);
  const latestVersion = registry?.latestVersion;
  const refused = RANK[decider.state] === 2;
  const lifecycle: ServerLifecycle = {
    state: decider.state,
    refused,
    rule: decider.rule,
    source: decider.source,
    ...(decider.message ? { message: decider.message } : registry?.statusMessage && decider.source !== 'registry' && registry.status !== 'active' ? { message: registry.statusMessage } : {}),
    ...(replacement ? { replacement } : {}),
    ...(latestVersion ? { latestVersion } : {}),
    ...(version ? { version } : {}),
    ...(owner ? { owner } : {}),
    ...(sunsetAt !== undefined && !Number.isNaN(sunsetAt) ? { sunset: new Date(sunsetAt).toISOString() } : {}),
  };
  const howToMove = howToMoveFrom(server, lifecycle);
  return howToMove ? { ...lifecycle, howToMove } : lifecycle;
}

/** One sentence a person (or the model) can act on: the replacement, the upgrade, or whom to ask. */
export function howToMoveFrom(server: ServerWithOrigin, lifecycle: Omit<ServerLifecycle, 'howToMove'>): string | undefined {
  const ways: string[] = [];
  if (lifecycle.latestVersion && lifecycle.latestVersion !== lifecycle.version) {
    ways.push(`run \`switchboard server upgrade ${server.id}\` to move to the active version ${lifecycle.latestVersion}`);
  }
  if (lifecycle.replacement) ways.push(`use "${lifecycle.replacement}" instead`);
  if (ways.length === 0 && lifecycle.state === 'active') return undefined;
  if (lifecycle.owner) ways.push(`ask its owner, ${lifecycle.owner}`);
  return ways.length > 0 ? ways.join('; or ') : undefined;
}
