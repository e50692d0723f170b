// Assembles `health.get`: the audit's per-tool figures (HealthQueries), the SLO statuses, the
// supervisor's states with a short history of changes per server, breaker states (read from
// whatever registered a breaker source) and refused logins.
import type { HealthReport, ServerHealth } from '../../shared/api/health.ts';
import type { ToolHealthRow } from '../audit/health-queries.ts';
import { describeAlert, type SloAlert, type SloStatus } from './slo-monitor.ts';

const HISTORY = 20;
const ALERTS = 50;
export const DEFAULT_HEALTH_WINDOW_MS = 86_400_000;

export interface ServerState {
  readonly id: string;
  readonly state: string;
  readonly restarts: number;
  readonly since: string;
  readonly reason?: string;
}

export interface HealthReportDeps {
  readonly tools: (args: { sinceMs: number }) => ToolHealthRow[];
  readonly servers: () => readonly ServerState[];
  readonly slos: () => readonly SloStatus[];
  readonly authFailures: () => { total: number; lastHour: number; byReason: Record<string, number>; recent: ReadonlyArray<{ endpoint: string }> };
  readonly now?: () => number;
}

export class HealthReporter {
  private readonly deps: HealthReportDeps;
  private readonly history = new Map<string, Array<{ at: string; state: string; reason?: string }>>();
  private readonly alerts: HealthReport['alerts'] = [];
  private readonly authByServer = new Map<string, number>();
  private breakerSource: ((serverId: string) => string | null) | undefined;

  constructor(deps: HealthReportDeps) {
    this.deps = deps;
  }

  /** A circuit breaker registers how to read a server's state ("closed", "open", "half-open"). */
  registerBreakerSource(read: (serverId: string) => string | null): void {
    this.breakerSource = read;
  }

  /** A server's state changed (the supervisor's onStatus). */
  serverState(status: ServerState): void {
    let list = this.history.get(status.id);
    if (!list) {
      list = [];
      this.history.set(status.id, list);
    }
    if (list[0]?.state === status.state && list[0].at === status.since) return;
    list.unshift({ at: status.since, state: status.state, ...(status.reason ? { reason: status.reason.slice(0, 300) } : {}) });
    if (list.length > HISTORY) list.length = HISTORY;
  }

  /** A refused login at /mcp/<server>. */
  authFailure(endpoint: string): void {
    if (!endpoint.startsWith('/mcp/')) return;
    const serverId = endpoint.slice('/mcp/'.length);
    if (this.authByServer.size < 1000 || this.authByServer.has(serverId)) this.authByServer.set(serverId, (this.authByServer.get(serverId) ?? 0) + 1);
  }

  alert(alert: SloAlert): void {
    this.alerts.unshift({ at: new Date(alert.at).toISOString(), serverId: alert.serverId, tool: alert.tool, kind: alert.kind, state: alert.state, message: describeAlert(alert) });
    if (this.alerts.length > ALERTS) this.alerts.length = ALERTS;
  }

  report(windowMs = DEFAULT_HEALTH_WINDOW_MS): HealthReport {
    const now = this.deps.now?.() ?? Date.now();
    const rows = this.deps.tools({ sinceMs: now - windowMs });
    const slos = this.deps.slos();
    const servers = new Map<string, ServerHealth>();
    const entry = (serverId: string, state?: ServerState): ServerHealth => {
      let server = servers.get(serverId);
      if (!server) {
        server = {
          serverId,
          state: state?.state ?? 'unknown',
          restarts: state?.restarts ?? 0,
          breaker: this.breakerSource?.(serverId) ?? null,
          calls: 0,
          successRate: null,
          authFailures: this.authByServer.get(serverId) ?? 0,
          tools: [],
          slos: slos.filter((s) => s.serverId === serverId).map(({ serverId: _omit, ...rest }) => rest),
          history: [...(this.history.get(serverId) ?? [])],
        };
        servers.set(serverId, server);
      }
      return server;
    };
    for (const state of this.deps.servers()) entry(state.id, state);
    const okByServer = new Map<string, number>();
    for (const row of rows) {
      const server = entry(row.serverId);
      server.tools.push({
        tool: row.tool,
        calls: row.calls,
        successRate: row.calls === 0 ? null : row.ok / row.calls,
        p50: row.p50,
        p95: row.p95,
        p99: row.p99,
        errors: { ...row.errors },
        authFailures: row.authFailures,
      });
      server.calls += row.calls;
      okByServer.set(row.serverId, (okByServer.get(row.serverId) ?? 0) + row.ok);
    }
    for (const server of servers.values()) server.successRate = server.calls === 0 ? null : (okByServer.get(server.serverId) ?? 0) / server.calls;
    const auth = this.deps.authFailures();
    return {
      generatedAt: new Date(now).toISOString(),
      windowMs,
      servers: [...servers.values()].sort((a, b) => a.serverId.localeCompare(b.serverId)),
      authFailures: { total: auth.total, lastHour: auth.lastHour, byReason: { ...auth.byReason } },
      alerts: this.alerts.map((a) => ({ ...a })),
    };
  }
}
