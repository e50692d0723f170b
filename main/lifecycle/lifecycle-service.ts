// The lifecycle of each configured server: the lifecycle entries of the policy in force (managed,
// org, user) and the registry's status, strictest wins (lifecycle-rules.ts). Reads are computed at
// the time they are made, so a sunset that passes while the daemon runs refuses the next call
// without a restart; evaluate() (on start, on policy change, and every `recheckMs`) tells the
// listeners (inventory, UI events) when any server's lifecycle changed.
import { EventEmitter } from 'node:events';
import type { LifecycleEntry, ServerLifecycle } from '../../shared/lifecycle-policy.ts';
import type { PolicySource } from '../../shared/policy.ts';
import { canonicalJson } from '../base/canonical-json.ts';
import type { PolicyInputs } from '../policy/engine.ts';
import type { ServerWithOrigin } from '../policy/registry-origin.ts';
import { identifyServer, type ServerIdentity } from '../policy/server-identity.ts';
import { compileLifecycleEntries, resolveLifecycle, type CompiledLifecycleEntry } from './lifecycle-rules.ts';
import type { RegistryStatusOf } from './registry-status.ts';

export interface LifecycleServiceDeps {
  /** The inputs of the policy engine in force (PolicyEngine.inputs), re-read on every evaluation. */
  readonly policy: () => PolicyInputs;
  /** The configured servers. */
  readonly servers: () => readonly ServerWithOrigin[];
  /** The registry's status of a server's version (the registry client's RegistryStatusSource.statusOf). */
  readonly registryStatus?: RegistryStatusOf;
  /** Epoch milliseconds (tests pass their own clock). */
  readonly now?: () => number;
  /** How often evaluate() runs after start() (default 60 s; 0: never). */
  readonly recheckMs?: number;
}

export class LifecycleService {
  private readonly deps: LifecycleServiceDeps;
  private readonly events = new EventEmitter<{ changed: [] }>();
  private compiled: { inputs: PolicyInputs; entries: CompiledLifecycleEntry[] } | undefined;
  private readonly identities = new WeakMap<ServerWithOrigin, ServerIdentity>();
  private snapshot = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: LifecycleServiceDeps) {
    this.deps = deps;
  }

  /** The server's lifecycle now; undefined when it is not configured or nothing is known about it. */
  of(serverId: string): ServerLifecycle | undefined {
    const server = this.deps.servers().find((s) => s.id === serverId);
    return server ? this.resolve(server) : undefined;
  }

  /** Every configured server's lifecycle that is known, by id. */
  all(): Record<string, ServerLifecycle> {
    const out: Record<string, ServerLifecycle> = {};
    for (const server of this.deps.servers()) {
      const lifecycle = this.resolve(server);
      if (lifecycle) out[server.id] = lifecycle;
    }
    return out;
  }

  /** Evaluates every server again; tells the listeners when anything changed. Returns whether it did. */
  evaluate(): boolean {
    const next = canonicalJson(this.all());
    if (next === this.snapshot) return false;
    this.snapshot = next;
    this.events.emit('changed');
    return true;
  }

  start(): void {
    this.snapshot = canonicalJson(this.all());
    const every = this.deps.recheckMs ?? 60_000;
    if (every > 0 && !this.timer) {
      this.timer = setInterval(() => this.evaluate(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.events.removeAllListeners();
  }

  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  private resolve(server: ServerWithOrigin): ServerLifecycle | undefined {
    let identity = this.identities.get(server);
    if (!identity) {
      identity = identifyServer(server);
      this.identities.set(server, identity);
    }
    const now = this.deps.now?.() ?? Date.now();
    return resolveLifecycle(server, identity, this.entries(), this.deps.registryStatus?.(server.id), now);
  }

  private entries(): CompiledLifecycleEntry[] {
    const inputs = this.deps.policy();
    if (this.compiled?.inputs !== inputs) this.compiled = { inputs, entries: compileLifecycleEntries(lifecycleSources(inputs)) };
    return this.compiled.entries;
  }
}

/** The lifecycle entries of each source in force, managed first. */
export function lifecycleSources(inputs: PolicyInputs): Array<{ source: PolicySource; entries: readonly LifecycleEntry[] }> {
  const sources: Array<{ source: PolicySource; entries: readonly LifecycleEntry[] }> = [];
  if (inputs.managed.state === 'active' && inputs.managed.policy.lifecycle) sources.push({ source: 'managed', entries: inputs.managed.policy.lifecycle });
  if (inputs.org?.state === 'active' && inputs.org.policy.lifecycle) sources.push({ source: 'org', entries: inputs.org.policy.lifecycle });
  if (inputs.user?.lifecycle) sources.push({ source: 'user', entries: inputs.user.lifecycle });
  return sources;
}
