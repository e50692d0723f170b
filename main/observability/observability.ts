// The observability layer as the composition root builds it: Prometheus metrics fed by finished
// audit records, refused logins, approvals and supervisor events; the tracing interceptor and its
// exporter; the SLO monitor (alerts go to the event stream, the audit stream and the Health page);
// and the health report. Everything it reads comes in through `ObservabilityDeps`.
import { auditDatabaseBytes } from './audit-gauges.ts';
import type { ObservabilitySettings } from '../../shared/observability-settings.ts';
import type { SloPolicy } from '../../shared/slo-policy.ts';
import type { Logger } from '../base/logger.ts';
import type { HealthQueries } from '../audit/health-queries.ts';
import { newRecordId } from '../audit/record-id.ts';
import type { AuditCompletion, AuditEntry } from '../audit/store.ts';
import { HealthReporter, type HealthReportDeps, type ServerState } from './health-report.ts';
import { SwitchboardMetrics, type FinishedCall } from './metrics.ts';
import { createRemoteFetch } from './remote-fetch.ts';
import { describeAlert, SloMonitor, type SloAlert } from './slo-monitor.ts';
import { TraceExport, otlpTracesEndpoint } from './trace-export.ts';
import { TracingInterceptor } from './tracing.ts';

export const SLO_ALERT_METHOD = 'switchboard/slo.alert';

export interface ObservabilityDeps {
  readonly logger: Logger;
  readonly serviceVersion: string;
  readonly identity: { readonly deviceId: string; readonly osUser: string };
  readonly settings: () => ObservabilitySettings | undefined;
  /** The audit gateway now (policy or settings), for trace export when no traces endpoint is set. */
  readonly gateway: () => { url: string } | undefined;
  readonly gatewayToken: () => Promise<string | undefined>;
  readonly sloPolicy: () => SloPolicy;
  readonly serverIds: () => readonly string[];
  readonly healthQueries: HealthQueries;
  /** Writes an audit record (the SLO alert events): the store's begin and finish. */
  readonly writeAudit: (entry: AuditEntry, completion: AuditCompletion) => Promise<void>;
  /** Publishes on the API event stream. */
  readonly emit: (event: 'slo.alert', data: Record<string, unknown>) => void;
  readonly gauges: {
    readonly sessions: () => ReadonlyArray<{ serverId: string; transport: string }>;
    readonly auditBacklog: () => number;
    /** Seconds since the oldest record not yet delivered was written (0 when none, or no gateway). */
    readonly forwarderLagSeconds: () => number;
    readonly auditDbPath: string;
  };
  /** Test hook: trace batching delay. */
  readonly traceDelayMs?: number;
}

type HealthSources = Pick<HealthReportDeps, 'servers' | 'authFailures'>;

export class Observability {
  readonly metrics = new SwitchboardMetrics();
  readonly traces: TraceExport;
  readonly tracing: TracingInterceptor;
  readonly slo: SloMonitor;
  readonly health: HealthReporter;
  /** For the supervisor: the fetch of remote servers, with trace and end-user headers. */
  readonly remoteFetch: ReturnType<typeof createRemoteFetch>;
  private readonly deps: ObservabilityDeps;
  private healthSources: HealthSources = { servers: () => [], authFailures: () => ({ total: 0, lastHour: 0, byReason: {}, recent: [] }) };

  constructor(deps: ObservabilityDeps) {
    this.deps = deps;
    this.traces = new TraceExport({ serviceVersion: deps.serviceVersion, deviceId: deps.identity.deviceId, logger: deps.logger, ...(deps.traceDelayMs ? { scheduledDelayMs: deps.traceDelayMs } : {}) });
    this.tracing = new TracingInterceptor({ tracer: () => this.traces.tracer() });
    this.remoteFetch = createRemoteFetch({ endUserHeader: () => deps.settings()?.endUserHeader, osUser: deps.identity.osUser });
    this.health = new HealthReporter({
      tools: (args) => deps.healthQueries.tools(args),
      servers: () => this.healthSources.servers(),
      slos: () => this.slo.statuses(),
      authFailures: () => this.healthSources.authFailures(),
    });
    this.slo = new SloMonitor({
      policy: deps.sloPolicy,
      serverIds: deps.serverIds,
      window: (args) => deps.healthQueries.window(args),
      onAlert: (alert) => this.alerted(alert),
    });
    this.registerGauges();
  }

  /** The health report with the daemon's live sources (built after the supervisor and endpoints). */
  connectHealth(sources: HealthSources): void {
    this.healthSources = sources;
  }

  /** Connects the event sources; returns a function that disconnects them. */
  connect(sources: {
    audit: { onRecord(listener: (record: FinishedCall) => void): () => void };
    authFailures: { onRecord(listener: (failure: { reason: string; endpoint: string }) => void): () => void };
    supervisor: { onStatus(listener: (status: ServerState) => void): () => void };
    sessions: { onUpstreamRestart(listener: (serverId: string) => void): () => void };
    approvals: { events: { on(event: 'resolved', listener: (approval: { answer?: string }) => void): unknown; off(event: 'resolved', listener: (approval: { answer?: string }) => void): unknown } };
  }): () => void {
    const offs: Array<() => void> = [];
    offs.push(sources.audit.onRecord((record) => this.metrics.call(record)));
    offs.push(sources.authFailures.onRecord((failure) => {
      this.metrics.authFailure(failure.reason);
      this.health.authFailure(failure.endpoint);
    }));
    offs.push(sources.supervisor.onStatus((status) => {
      this.metrics.restartTotal(status.id, status.restarts);
      this.health.serverState(status);
    }));
    offs.push(sources.sessions.onUpstreamRestart((serverId) => this.metrics.sessionUpstreamRestarted(serverId)));
    const answered = (approval: { answer?: string }) => this.metrics.approvalAnswered(approval.answer ?? 'unknown');
    sources.approvals.events.on('resolved', answered);
    offs.push(() => sources.approvals.events.off('resolved', answered));
    return () => offs.forEach((off) => off());
  }

  /** Settings or the gateway changed: trace export follows. */
  apply(): void {
    const traces = this.deps.settings()?.traces;
    if (traces?.enabled === false) return this.traces.apply(null);
    const maxQueue = traces?.maxQueue ?? 2048;
    if (traces?.endpoint) return this.traces.apply({ url: traces.endpoint, maxQueue });
    const gateway = this.deps.gateway();
    this.traces.apply(gateway ? { url: otlpTracesEndpoint(gateway.url), maxQueue, token: this.deps.gatewayToken } : null);
  }

  start(): void {
    this.apply();
    this.slo.start();
  }

  async stop(): Promise<void> {
    this.slo.stop();
    await this.traces.stop();
  }

  private alerted(alert: SloAlert): void {
    const message = describeAlert(alert);
    this.deps.logger.warn(message);
    this.health.alert(alert);
    this.deps.emit('slo.alert', { serverId: alert.serverId, state: alert.state, message, tool: alert.tool, kind: alert.kind, shortBurn: alert.shortBurn, longBurn: alert.longBurn, threshold: alert.threshold });
    const entry: AuditEntry = {
      id: newRecordId(alert.at),
      time: alert.at,
      sessionId: null,
      requestId: null,
      serverId: alert.serverId,
      transport: null,
      clientName: 'switchboard',
      clientVersion: this.deps.serviceVersion,
      clientLabel: 'slo',
      method: SLO_ALERT_METHOD,
      target: `${alert.kind} ${alert.tool ?? '*'}`,
      arguments: null,
      argumentsTruncated: false,
      captureMode: null,
      osUser: this.deps.identity.osUser,
      deviceId: this.deps.identity.deviceId,
    };
    const completion: AuditCompletion = {
      decision: null, rule: null, source: 'slo', reason: null, approver: null,
      outcome: 'ok', errorType: `slo_${alert.state}`, errorMessage: message,
      durationMs: null, bytesIn: null, bytesOut: null,
    };
    this.deps.writeAudit(entry, completion).catch((error: unknown) => this.deps.logger.warn('audit: could not record an SLO alert', { error: error instanceof Error ? error.message : String(error) }));
  }

  private registerGauges(): void {
    const { gauges } = this.deps;
    this.metrics.registerGauge('switchboard_sessions', 'Open client sessions', ['server', 'transport'], () => {
      const counts = new Map<string, { server: string; transport: string; n: number }>();
      for (const session of gauges.sessions()) {
        const key = `${session.serverId}\u0000${session.transport}`;
        const entry = counts.get(key) ?? { server: session.serverId, transport: session.transport, n: 0 };
        entry.n++;
        counts.set(key, entry);
      }
      return [...counts.values()].slice(0, 200).map((c) => ({ labels: { server: c.server, transport: c.transport }, value: c.n }));
    });
    this.metrics.registerGauge('switchboard_audit_backlog', 'Audit records not yet delivered to the gateway', [], () => gauges.auditBacklog());
    this.metrics.registerGauge('switchboard_forwarder_lag_seconds', 'Age of the oldest audit record not yet delivered', [], () => gauges.forwarderLagSeconds());
    this.metrics.registerGauge('switchboard_audit_db_bytes', 'Size of the audit database with its write-ahead log', [], () => auditDatabaseBytes(gauges.auditDbPath));
    this.metrics.registerGauge('switchboard_breaker_state', 'Circuit breaker per server: 0 closed, 1 half-open, 2 open', ['server'], () => this.breakerSamples());
  }

  private breakerSource: ((serverId: string) => string | null) | undefined;

  /** A circuit breaker registers how to read a server's state ("closed" | "half-open" | "open"). */
  registerBreakerSource(read: (serverId: string) => string | null): void {
    this.breakerSource = read;
    this.health.registerBreakerSource(read);
  }

  private breakerSamples(): Array<{ labels: Record<string, string>; value: number }> {
    const read = this.breakerSource;
    if (!read) return [];
    const value: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };
    return this.deps.serverIds().slice(0, 200).flatMap((serverId) => {
      const state = read(serverId);
      return state === null || value[state] === undefined ? [] : [{ labels: { server: serverId }, value: value[state] }];
    });
  }
}
