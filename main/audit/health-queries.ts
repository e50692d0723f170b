// Per-server and per-tool health figures over the audit (the Health page, `switchboard health`,
// SLO burn rates). Plain SQL over finished calls; durations leave approval waits out (as
// duration_ms does since migration 4).
//
// "Failed" for a success objective: outcomes that say the server or the proxy did not serve the
// call — tool_error, protocol_error, timeout, interrupted. Not failed: denied (the policy or a
// person said no; that is the system working), cancelled (the client gave up), rate_limited (the
// client's own quota) and pending (still running). Those still count as calls.
import type Database from 'better-sqlite3';

export const FAILED_OUTCOMES: readonly string[] = ['tool_error', 'protocol_error', 'timeout', 'interrupted'];
/** Error types that say an upstream refused the proxy's credentials. */
const AUTH_ERROR_TYPES: readonly string[] = ['unauthorized', 'forbidden', 'auth_required'];
const CALL_METHODS = `('tools/call', 'resources/read', 'prompts/get')`;
const FAILED_SQL = `(${FAILED_OUTCOMES.map((o) => `'${o}'`).join(', ')})`;

export interface ToolHealthRow {
  readonly serverId: string;
  readonly tool: string | null;
  readonly calls: number;
  readonly ok: number;
  /** outcome → count for outcomes other than ok. */
  readonly errors: Readonly<Record<string, number>>;
  readonly authFailures: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface WindowCounts {
  readonly calls: number;
  readonly failed: number;
  /** Calls with duration > thresholdMs. */
  readonly slowerThan: number;
}

interface Row { server_id: string; target: string | null; outcome: string; error_type: string | null; duration_ms: number | null }

export class HealthQueries {
  private readonly db: Database.Database;
  private readonly settled: { beforeRead(): void };

  constructor(db: Database.Database, settled: { beforeRead(): void }) {
    this.db = db;
    this.settled = settled;
  }

  tools(args: { sinceMs: number; untilMs?: number; serverId?: string }): ToolHealthRow[] {
    this.settled.beforeRead();
    const rows = this.db.prepare(`SELECT server_id, target, outcome, error_type, duration_ms FROM audit_records
      WHERE ts >= ? AND ts < ? AND method IN ${CALL_METHODS} ${args.serverId === undefined ? '' : 'AND server_id = ?'}`)
      .all(...[args.sinceMs, args.untilMs ?? Number.MAX_SAFE_INTEGER, ...(args.serverId === undefined ? [] : [args.serverId])]) as Row[];
    const groups = new Map<string, { serverId: string; tool: string | null; ok: number; errors: Record<string, number>; auth: number; durations: number[] }>();
    for (const row of rows) {
      const key = JSON.stringify([row.server_id, row.target]);
      let group = groups.get(key);
      if (!group) {
        group = { serverId: row.server_id, tool: row.target, ok: 0, errors: {}, auth: 0, durations: [] };
        groups.set(key, group);
      }
      if (row.outcome === 'ok') group.ok++;
      else group.errors[row.outcome] = (group.errors[row.outcome] ?? 0) + 1;
      if (row.error_type !== null && AUTH_ERROR_TYPES.includes(row.error_type)) group.auth++;
      if (row.duration_ms !== null && row.outcome !== 'pending') group.durations.push(row.duration_ms);
    }
    return [...groups.values()].map((group) => {
      const sorted = group.durations.sort((a, b) => a - b);
      return {
        serverId: group.serverId,
        tool: group.tool,
        calls: group.ok + Object.values(group.errors).reduce((a, b) => a + b, 0),
        ok: group.ok,
        errors: group.errors,
        authFailures: group.auth,
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        p99: percentile(sorted, 0.99),
      };
    }).sort((a, b) => a.serverId.localeCompare(b.serverId) || (a.tool ?? '').localeCompare(b.tool ?? ''));
  }

  window(args: { serverId: string; toolGlob?: string; sinceMs: number; thresholdMs: number }): WindowCounts {
    this.settled.beforeRead();
    const row = this.db.prepare(`SELECT count(*) AS calls,
        coalesce(sum(outcome IN ${FAILED_SQL}), 0) AS failed,
        coalesce(sum(duration_ms > ?), 0) AS slowerThan
      FROM audit_records WHERE ts >= ? AND server_id = ? AND method IN ${CALL_METHODS} AND outcome <> 'pending'
      ${args.toolGlob === undefined ? '' : 'AND target GLOB ?'}`)
      .get(...[args.thresholdMs, args.sinceMs, args.serverId, ...(args.toolGlob === undefined ? [] : [args.toolGlob])]) as WindowCounts;
    return { calls: row.calls, failed: row.failed, slowerThan: row.slowerThan };
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
