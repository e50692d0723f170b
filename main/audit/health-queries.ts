// Read side of the audit for the Health page, `switchboard health` and the SLO burn rates: per
// server and tool, calls, successes, errors by outcome and latency percentiles over a time range,
// and the counts of one window (calls, failed, slower than a threshold). Served by the hourly
// rollups for whole hours and by the rows for the partial hours at the ends (rollup-reader.ts).
//
// What the figures mean:
// - tool: the call's target (tool, prompt or resource name), as in the Activity stats per tool;
// - latency: duration_ms, which leaves out approval waits (since migration 4; approved rows from
//   before, whose duration includes the wait, and unfinished rows have none). p50/p95/p99 are
//   nearest-rank percentiles read from the rollups' histogram: within 9.6% of the exact value
//   (latency-bins.ts), null when no call has a latency;
// - errors: calls per outcome other than ok (denied, tool_error, timeout, …);
// - authFailures: always 0. No audit outcome records an authentication failure: a client refused
//   at the HTTP endpoint never becomes a call (main/endpoints/auth-failures.ts logs it, and the
//   metrics count it);
// - failed (window): tool_error, protocol_error, timeout, interrupted and circuit_open: the server
//   or the proxy did not serve the call. Not failed: denied (a policy or a person refused it),
//   cancelled (the client gave up), rate_limited and invalid_arguments (the client's own doing),
//   pending (not finished);
// - slowerThan (window): calls whose latency is above thresholdMs: exact for the partial hours and
//   when thresholdMs is a histogram edge (…, 200, 250, 300, 350, 400, 450, 500, 600, …, 1000, …
//   ms); otherwise the one bin around the threshold is split linearly.
// - toolGlob: SQLite GLOB over the target (`*`, `?`, `[abc]`; case-sensitive).
import type Database from 'better-sqlite3';
import { RollupReader, type OutcomeGroup } from './rollup-reader.ts';
import { addSummary, emptySummary, percentileOf } from './latency-bins.ts';

export interface ToolHealthRow {
  readonly serverId: string;
  readonly tool: string | null;
  readonly calls: number;
  readonly ok: number;
  /** outcome → count for outcomes other than ok */
  readonly errors: Readonly<Record<string, number>>;
  readonly authFailures: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface WindowCounts {
  readonly calls: number;
  readonly failed: number;
  /** calls with duration > thresholdMs */
  readonly slowerThan: number;
}

/** Outcomes that count against a server's success objective. */
export function isFailure(outcome: string): boolean {
  return FAILED_OUTCOMES.includes(outcome);
}

/** What fails a success objective: the server or the proxy did not serve the call (README, "SLOs"). */
export const FAILED_OUTCOMES: readonly string[] = ['tool_error', 'protocol_error', 'timeout', 'interrupted', 'circuit_open'];

export class HealthQueries {
  private readonly reader: RollupReader;
  private readonly settled: { beforeRead(): void };

  /** `settled.beforeRead` runs before each query: the daemon passes AuditStore.settle, so reads see every committed row. */
  constructor(db: Database.Database, settled: { beforeRead(): void }) {
    this.reader = new RollupReader(db);
    this.settled = settled;
  }

  tools(args: { sinceMs: number; untilMs?: number; serverId?: string }): ToolHealthRow[] {
    checkTime('sinceMs', args.sinceMs);
    if (args.untilMs !== undefined) checkTime('untilMs', args.untilMs);
    this.settled.beforeRead();
    const groups = this.reader.groups(
      { since: args.sinceMs, until: args.untilMs, serverId: args.serverId }, 'tool', { useRollups: this.reader.ready() },
    );
    const byTool = new Map<string, OutcomeGroup[]>();
    for (const g of groups) {
      const key = `${g.serverId}\u0000${g.tool ?? '\u0001'}`;
      const list = byTool.get(key);
      if (list) list.push(g);
      else byTool.set(key, [g]);
    }
    return [...byTool.values()].map((list) => {
      const latency = emptySummary();
      const errors: Record<string, number> = {};
      let calls = 0;
      let ok = 0;
      for (const g of list) {
        calls += g.calls;
        if (g.outcome === 'ok') ok += g.calls;
        else errors[g.outcome] = (errors[g.outcome] ?? 0) + g.calls;
        addSummary(latency, g.latency);
      }
      return {
        serverId: list[0]!.serverId, tool: list[0]!.tool, calls, ok, errors, authFailures: 0,
        p50: percentileOf(latency, 0.5), p95: percentileOf(latency, 0.95), p99: percentileOf(latency, 0.99),
      };
    }).sort((a, b) => b.calls - a.calls || a.serverId.localeCompare(b.serverId) || (a.tool ?? '').localeCompare(b.tool ?? ''));
  }

  window(args: { serverId: string; toolGlob?: string; sinceMs: number; thresholdMs: number }): WindowCounts {
    checkTime('sinceMs', args.sinceMs);
    if (typeof args.serverId !== 'string' || args.serverId === '') throw new TypeError('window: serverId must be a non-empty string');
    if (!Number.isFinite(args.thresholdMs) || args.thresholdMs < 0) throw new TypeError(`window: thresholdMs must be a number >= 0, got ${args.thresholdMs}`);
    this.settled.beforeRead();
    const groups = this.reader.groups(
      { since: args.sinceMs, serverId: args.serverId, toolGlob: args.toolGlob }, 'server', { useRollups: this.reader.ready(), thresholdMs: args.thresholdMs },
    );
    let calls = 0;
    let failed = 0;
    let slowerThan = 0;
    for (const g of groups) {
      calls += g.calls;
      if (isFailure(g.outcome)) failed += g.calls;
      slowerThan += g.slower;
    }
    return { calls, failed, slowerThan };
  }
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new TypeError(`health query: ${name} must be a time in ms since the epoch, got ${value}`);
}
