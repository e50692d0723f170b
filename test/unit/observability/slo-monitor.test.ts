// Burn rates over two windows: fires only when both burn faster than the threshold, reports each
// change once, clears when the short window recovers; latency objectives budget 5% slow calls.
import { describe, expect, it } from 'vitest';
import type { WindowCounts } from '../../../main/audit/health-queries.ts';
import { SloMonitor, sloFromPolicies, type SloAlert } from '../../../main/observability/slo-monitor.ts';
import type { SloPolicy } from '../../../shared/slo-policy.ts';

function monitor(policy: SloPolicy, counts: { short: WindowCounts; long: WindowCounts }) {
  const alerts: SloAlert[] = [];
  const now = 1_000_000;
  const slo = new SloMonitor({
    policy: () => policy,
    serverIds: () => ['api', 'other'],
    window: ({ sinceMs }) => (sinceMs === now - (policy.shortWindowMs ?? 3_600_000) ? counts.short : counts.long),
    onAlert: (alert) => alerts.push(alert),
    now: () => now,
  });
  return { slo, alerts, counts };
}

describe('SloMonitor', () => {
  it('fires when both windows burn over the threshold, once, and clears when the short window recovers', () => {
    const policy: SloPolicy = { objectives: [{ server: 'api', success: 0.99 }], shortWindowMs: 1000, longWindowMs: 6000 };
    const m = monitor(policy, { short: { calls: 100, failed: 20, slowerThan: 0 }, long: { calls: 100, failed: 20, slowerThan: 0 } });
    const [status] = m.slo.evaluate();
    expect(status).toMatchObject({ serverId: 'api', kind: 'success', firing: true });
    expect(status!.shortBurn).toBeCloseTo(20);
    m.slo.evaluate();
    expect(m.alerts.map((a) => a.state)).toEqual(['firing']);
    m.counts.short = { calls: 100, failed: 0, slowerThan: 0 };
    m.slo.evaluate();
    expect(m.alerts.map((a) => a.state)).toEqual(['firing', 'cleared']);
  });

  it('does not fire when only the short window burns', () => {
    const m = monitor({ objectives: [{ server: 'api', success: 0.99 }], shortWindowMs: 1000, longWindowMs: 6000 }, { short: { calls: 10, failed: 5, slowerThan: 0 }, long: { calls: 1000, failed: 5, slowerThan: 0 } });
    expect(m.slo.evaluate()[0]!.firing).toBe(false);
    expect(m.alerts).toEqual([]);
  });

  it('needs minCalls in the short window to fire, and once firing clears only when the burn stops', () => {
    const policy: SloPolicy = { objectives: [{ server: 'api', success: 0.99 }], shortWindowMs: 1000, longWindowMs: 6000 };
    const m = monitor(policy, { short: { calls: 3, failed: 1, slowerThan: 0 }, long: { calls: 3, failed: 1, slowerThan: 0 } });
    expect(m.slo.evaluate()[0]).toMatchObject({ firing: false });
    m.counts.short = m.counts.long = { calls: 30, failed: 10, slowerThan: 0 };
    expect(m.slo.evaluate()[0]).toMatchObject({ firing: true });
    m.counts.short = { calls: 3, failed: 1, slowerThan: 0 };
    expect(m.slo.evaluate()[0]).toMatchObject({ firing: true });
    m.counts.short = { calls: 0, failed: 0, slowerThan: 0 };
    expect(m.slo.evaluate()[0]).toMatchObject({ firing: false });
    expect(m.alerts.map((a) => a.state)).toEqual(['firing', 'cleared']);
    const strict = monitor({ ...policy, minCalls: 3 }, { short: { calls: 3, failed: 1, slowerThan: 0 }, long: { calls: 3, failed: 1, slowerThan: 0 } });
    expect(strict.slo.evaluate()[0]).toMatchObject({ firing: true });
  });

  it('budgets 5% slow calls for a p95 objective, and matches servers by glob', () => {
    const m = monitor({ objectives: [{ server: '*', latencyP95Ms: 500 }], burnRateThreshold: 2, shortWindowMs: 1000, longWindowMs: 6000 }, { short: { calls: 100, failed: 0, slowerThan: 15 }, long: { calls: 100, failed: 0, slowerThan: 15 } });
    const statuses = m.slo.evaluate();
    expect(statuses.map((s) => s.serverId)).toEqual(['api', 'other']);
    expect(statuses[0]!.shortBurn).toBeCloseTo(3);
    expect(statuses[0]!.firing).toBe(true);
    expect(statuses[0]!.budgetLeft).toBe(0);
  });

  it('merges policy sources: every objective applies, the first source to set a window decides it', () => {
    const merged = sloFromPolicies([{ objectives: [{ server: 'a', success: 0.9 }], shortWindowMs: 5000 }, undefined, { objectives: [{ server: 'b', success: 0.99 }], shortWindowMs: 1000, burnRateThreshold: 6 }]);
    expect(merged).toMatchObject({ shortWindowMs: 5000, burnRateThreshold: 6 });
    expect(merged.objectives!.map((o) => o.server)).toEqual(['a', 'b']);
  });
});
