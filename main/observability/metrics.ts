// The daemon's Prometheus metrics (prom-client, its own registry: no default process metrics).
// Calls are counted from the audit interceptor's finished records into plain numbers
// (call-series.ts), rendered only when /metrics is scraped, as the gauges are read.
//
// Label cardinality is bounded (README "Metrics"): at most MAX_SERVERS server ids, MAX_TOOLS_PER_SERVER
// tool names per server and MAX_CLIENTS client names; later values are counted as `other`.
// `method` and `outcome` come from fixed sets.
import { Counter, Gauge, Registry } from 'prom-client';
import { CallSeries } from './call-series.ts';
import { LabelLimit } from './label-limit.ts';

export const MAX_SERVERS = 100;
export const MAX_TOOLS_PER_SERVER = 50;
export const MAX_CLIENTS = 20;
export const MAX_REASONS = 20;

/** Seconds. 2 s is a bound of its own so that an approval wait (left out) would show if it leaked in. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** What metrics need of one finished call (an AuditRecord has these fields). */
export interface FinishedCall {
  readonly serverId: string;
  readonly method: string;
  readonly target: string | null;
  readonly clientName: string | null;
  readonly outcome: string;
  /** Milliseconds, without the approval wait. */
  readonly durationMs: number | null;
  readonly decision: string | null;
  readonly source: string | null;
}

/** One sample of a gauge read at scrape time. */
export interface GaugeSample {
  readonly labels?: Record<string, string>;
  readonly value: number;
}

export class SwitchboardMetrics {
  readonly registry = new Registry();
  private readonly servers = new LabelLimit(MAX_SERVERS);
  private readonly tools = new LabelLimit(MAX_TOOLS_PER_SERVER);
  private readonly clients = new LabelLimit(MAX_CLIENTS);
  private readonly reasons = new LabelLimit(MAX_REASONS);
  private readonly callSeries: CallSeries;
  private readonly denials: Counter<'server' | 'source'>;
  private readonly approvals: Counter<'answer'>;
  private readonly rateLimited: Counter<'server' | 'tool'>;
  private readonly authFailures: Counter<'reason'>;
  private readonly restarts: Counter<'server'>;
  /** The last restart count seen per server (the supervisor reports totals). */
  private readonly restartTotals = new Map<string, number>();

  constructor() {
    const registers = [this.registry];
    this.callSeries = new CallSeries(this.registry, {
      histogram: { name: 'switchboard_call_duration_seconds', help: 'Proxied call duration (proxy and server time; approval waits left out)', buckets: DURATION_BUCKETS },
      counter: { name: 'switchboard_calls_total', help: 'Proxied calls (tools/call, resources/read, prompts/get) by outcome' },
    });
    this.denials = new Counter({ name: 'switchboard_denials_total', help: 'Calls denied, by the policy source (or interceptor) that decided', labelNames: ['server', 'source'], registers });
    this.approvals = new Counter({ name: 'switchboard_approvals_total', help: 'Approval prompts answered, by answer (allow-once, session, always, deny, timeout, withdrawn)', labelNames: ['answer'], registers });
    this.rateLimited = new Counter({ name: 'switchboard_rate_limited_total', help: 'Calls refused by a rate limit', labelNames: ['server', 'tool'], registers });
    this.authFailures = new Counter({ name: 'switchboard_auth_failures_total', help: 'Refused logins at the loopback HTTP endpoint, by reason', labelNames: ['reason'], registers });
    this.restarts = new Counter({ name: 'switchboard_upstream_restarts_total', help: 'Restarts of a server\'s upstream process after it failed (the daemon\'s own and each client session\'s)', labelNames: ['server'], registers });
  }

  /** One finished call (the audit interceptor's record). Kept small: it runs on every call. */
  call(record: FinishedCall): void {
    const server = this.servers.label('', record.serverId);
    const tool = record.target === null ? '' : this.tools.label(server, record.target);
    const client = record.clientName === null ? '' : this.clients.label('', record.clientName);
    const key = `${server}\u0000${tool}\u0000${record.method}\u0000${client}\u0000${record.outcome}`;
    this.callSeries.add(key, () => ({ server, tool, method: record.method, client, outcome: record.outcome }), record.durationMs === null ? null : record.durationMs / 1000);
    if (record.outcome === 'denied') this.denials.inc({ server, source: this.reasons.label('source', record.source ?? 'unknown') });
    else if (record.outcome === 'rate_limited') this.rateLimited.inc({ server, tool });
  }

  approvalAnswered(answer: string): void {
    this.approvals.inc({ answer: this.reasons.label('answer', answer) });
  }

  authFailure(reason: string): void {
    this.authFailures.inc({ reason: this.reasons.label('auth', reason) });
  }

  /** A client session's own upstream process was started again after it failed. */
  sessionUpstreamRestarted(serverId: string): void {
    this.restarts.inc({ server: this.servers.label('', serverId) });
  }

  /** The supervisor's restart total of a server; the counter grows by the difference. */
  restartTotal(serverId: string, total: number): void {
    const last = this.restartTotals.get(serverId) ?? 0;
    this.restartTotals.set(serverId, total);
    if (total > last) this.restarts.inc({ server: this.servers.label('', serverId) }, total - last);
  }

  /**
   * A gauge read at scrape time (sessions, backlog, breaker state…). Other parts register theirs
   * here, e.g. a circuit breaker: registerGauge('switchboard_breaker_state', '0 closed, 1 half-open, 2 open', ['server'], read).
   * Label values from `read` should already be bounded.
   */
  registerGauge(name: string, help: string, labelNames: readonly string[], read: () => readonly GaugeSample[] | number): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      collect() {
        this.reset();
        const samples = read();
        if (typeof samples === 'number') {
          this.set(samples);
          return;
        }
        for (const sample of samples) {
          if (sample.labels) this.set(sample.labels, sample.value);
          else this.set(sample.value);
        }
      },
    });
  }

  /** The text exposition format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
