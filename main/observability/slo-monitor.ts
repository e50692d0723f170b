// Multi-window burn-rate alerting on the SLOs of the policy's `slo` section. For each objective
// and each server it matches, two error budgets: success (budget = 1 − success, bad = failed calls)
// and latency (budget = 5% of calls, bad = calls slower than latencyP95Ms). The burn rate of a
// window is (bad / calls) / budget. An alert fires when both the short and the long window burn
// faster than the threshold, with at least minCalls calls in the short window, and clears when
// they no longer both burn. Each change is reported once.
import picomatch from 'picomatch';
import type { SloObjective, SloPolicy } from '../../shared/slo-policy.ts';
import type { WindowCounts } from '../audit/health-queries.ts';

export const DEFAULT_BURN_THRESHOLD = 14.4;
export const DEFAULT_SHORT_WINDOW_MS = 3_600_000;
export const DEFAULT_LONG_WINDOW_MS = 6 * 3_600_000;
export const DEFAULT_EVALUATE_EVERY_MS = 60_000;
export const DEFAULT_MIN_CALLS = 10;
/** A p95 objective lets 5% of calls be slower. */
const LATENCY_BUDGET = 0.05;

export interface SloStatus {
  readonly serverId: string;
  /** The objective's tool glob; null for all of the server's calls. */
  readonly tool: string | null;
  readonly kind: 'success' | 'latency';
  /** The objective: the success share (0.99) or the p95 bound in ms. */
  readonly target: number;
  readonly shortBurn: number;
  readonly longBurn: number;
  /** The share of the long window's error budget not yet spent (0..1). */
  readonly budgetLeft: number;
  readonly firing: boolean;
}

export interface SloAlert extends SloStatus {
  readonly state: 'firing' | 'cleared';
  readonly threshold: number;
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
  readonly at: number;
}

export interface SloMonitorDeps {
  /** The effective SLO settings: objectives of every source, windows and threshold (see sloFromPolicies). */
  readonly policy: () => SloPolicy;
  readonly serverIds: () => readonly string[];
  readonly window: (args: { serverId: string; toolGlob?: string; sinceMs: number; thresholdMs: number }) => WindowCounts;
  readonly onAlert: (alert: SloAlert) => void;
  readonly now?: () => number;
}

/**
 * The SLO settings of several policy documents, strictest source first (managed, org, user):
 * every source's objectives apply; the first source that sets the threshold or a window decides it.
 */
export function sloFromPolicies(sections: ReadonlyArray<SloPolicy | undefined>): SloPolicy {
  const objectives: SloObjective[] = [];
  const merged: { -readonly [K in keyof SloPolicy]: SloPolicy[K] } = {};
  for (const section of sections) {
    if (!section) continue;
    objectives.push(...(section.objectives ?? []));
    merged.burnRateThreshold ??= section.burnRateThreshold;
    merged.shortWindowMs ??= section.shortWindowMs;
    merged.longWindowMs ??= section.longWindowMs;
    merged.evaluateEveryMs ??= section.evaluateEveryMs;
    merged.minCalls ??= section.minCalls;
  }
  return { ...merged, objectives };
}

export class SloMonitor {
  private readonly deps: SloMonitorDeps;
  private readonly firing = new Set<string>();
  private last: SloStatus[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: SloMonitorDeps) {
    this.deps = deps;
  }

  /** Evaluates now and then every evaluateEveryMs (re-read at each round). */
  start(): void {
    this.stop();
    const round = () => {
      try {
        this.evaluate();
      } catch {
        // A failed read (database busy or closing) is tried again next round.
      }
      const every = this.deps.policy().evaluateEveryMs ?? DEFAULT_EVALUATE_EVERY_MS;
      this.timer = setTimeout(round, every);
      this.timer.unref();
    };
    round();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The statuses of the last evaluation. */
  statuses(): readonly SloStatus[] {
    return this.last;
  }

  evaluate(): SloStatus[] {
    const policy = this.deps.policy();
    const now = this.deps.now?.() ?? Date.now();
    const threshold = policy.burnRateThreshold ?? DEFAULT_BURN_THRESHOLD;
    const shortWindowMs = policy.shortWindowMs ?? DEFAULT_SHORT_WINDOW_MS;
    const longWindowMs = Math.max(policy.longWindowMs ?? DEFAULT_LONG_WINDOW_MS, shortWindowMs);
    const minCalls = policy.minCalls ?? DEFAULT_MIN_CALLS;
    const statuses: SloStatus[] = [];
    const seen = new Set<string>();
    const servers = this.deps.serverIds();
    for (const objective of policy.objectives ?? []) {
      const matches = picomatch(objective.server);
      for (const serverId of servers) {
        if (!matches(serverId)) continue;
        const read = (sinceMs: number) => this.deps.window({
          serverId, sinceMs, thresholdMs: objective.latencyP95Ms ?? Number.MAX_SAFE_INTEGER,
          ...(objective.tool !== undefined ? { toolGlob: objective.tool } : {}),
        });
        const short = read(now - shortWindowMs);
        const long = read(now - longWindowMs);
        const kinds: Array<{ kind: 'success' | 'latency'; target: number; budget: number; bad: (w: WindowCounts) => number }> = [];
        if (objective.success !== undefined) kinds.push({ kind: 'success', target: objective.success, budget: 1 - objective.success, bad: (w) => w.failed });
        if (objective.latencyP95Ms !== undefined) kinds.push({ kind: 'latency', target: objective.latencyP95Ms, budget: LATENCY_BUDGET, bad: (w) => w.slowerThan });
        for (const { kind, target, budget, bad } of kinds) {
          const burn = (w: WindowCounts) => (w.calls === 0 ? 0 : bad(w) / w.calls / budget);
          const shortBurn = burn(short);
          const longBurn = burn(long);
          const key = JSON.stringify([serverId, objective.tool ?? null, kind, target]);
          seen.add(key);
          const wasFiring = this.firing.has(key);
          // Hysteresis: firing needs minCalls in the short window, clearing only that the burn stops.
          const firing = shortBurn > threshold && longBurn > threshold && (wasFiring || short.calls >= minCalls);
          const status: SloStatus = { serverId, tool: objective.tool ?? null, kind, target, shortBurn, longBurn, budgetLeft: Math.max(0, 1 - longBurn), firing };
          statuses.push(status);
          if (firing === wasFiring) continue;
          if (firing) this.firing.add(key);
          else this.firing.delete(key);
          this.report({ ...status, state: firing ? 'firing' : 'cleared', threshold, shortWindowMs, longWindowMs, at: now });
        }
      }
    }
    // An objective removed from the policy (or a server removed) while firing: cleared silently.
    for (const key of [...this.firing]) if (!seen.has(key)) this.firing.delete(key);
    this.last = statuses;
    return statuses;
  }

  private report(alert: SloAlert): void {
    try {
      this.deps.onAlert(alert);
    } catch {
      // One broken listener must not stop the evaluation.
    }
  }
}

/** One line for a notification or the audit record. */
export function describeAlert(alert: SloAlert): string {
  const scope = alert.tool === null ? `server '${alert.serverId}'` : `'${alert.serverId}' tools ${alert.tool}`;
  const objective = alert.kind === 'success' ? `success ${(alert.target * 100).toFixed(2)}%` : `p95 < ${alert.target} ms`;
  const burn = `burn ${alert.shortBurn.toFixed(1)}× over ${Math.round(alert.shortWindowMs / 1000)} s and ${alert.longBurn.toFixed(1)}× over ${Math.round(alert.longWindowMs / 1000)} s (threshold ${alert.threshold}×)`;
  return alert.state === 'firing' ? `SLO alert: ${scope} is burning its ${objective} error budget: ${burn}` : `SLO alert cleared: ${scope}, ${objective}: ${burn}`;
}

/** The SLO settings of the policy sources now in force: managed, then org, then the user's. */
export function sloFromInputs(inputs: {
  managed: { state: string; policy?: { slo?: SloPolicy } };
  org?: { state: string; policy?: { slo?: SloPolicy } };
  user?: { slo?: SloPolicy };
}): SloPolicy {
  return sloFromPolicies([
    inputs.managed.state === 'active' ? inputs.managed.policy?.slo : undefined,
    inputs.org?.state === 'active' ? inputs.org.policy?.slo : undefined,
    inputs.user?.slo,
  ]);
}
