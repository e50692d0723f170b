// Health: per server and tool, p50/p95/p99 (approval waits left out), success rate, error types,
// auth failures, SLO budget left and burn rate, breaker state and restart history (health.get).
// Reloads when a call is recorded, an SLO alert fires or clears, or a server changes state.
import { useState } from 'react';
import type { ServerHealth } from '../../shared/api/health.ts';
import { api } from '../api/client.ts';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner, formatMs, formatTime } from '../components/common.tsx';
import { useEvent } from '../hooks/useEvents.ts';
import { useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';

const WINDOWS = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(value === 1 || value === 0 ? 0 : 2)}%`);

export function HealthPage() {
  const served = useServed('health.get');
  const [windowMs, setWindowMs] = useState<number>(86_400_000);
  const report = useQuery(() => api['health.get']({ windowMs }), [windowMs]);
  useEvent(['audit.record', 'slo.alert', 'server.state'], () => report.reload());

  if (!served || report.notAvailable) return <><PageHeader title="Health" /><NotAvailable what="Health" /></>;
  const data = report.data;
  return (
    <>
      <PageHeader
        title="Health"
        description="Latency percentiles (approval waits left out), success rate and errors per server and tool, SLO error budgets and burn rates, breakers and restarts."
        actions={(
          <label>
            Window{' '}
            <select value={windowMs} onChange={(event) => setWindowMs(Number(event.target.value))} aria-label="Window">
              {WINDOWS.map((w) => <option key={w.ms} value={w.ms}>{w.label}</option>)}
            </select>
          </label>
        )}
      />
      <ErrorBanner error={report.error} onRetry={report.reload} />
      {report.loading && !data ? <Spinner label="Loading health…" /> : null}
      {data && data.alerts.some((a) => a.state === 'firing') ? (
        <section aria-labelledby="alerts-title" className="card">
          <h2 id="alerts-title">SLO alerts</h2>
          <ul>{data.alerts.slice(0, 5).map((alert) => <li key={`${alert.at}-${alert.serverId}-${alert.kind}`}><Badge value={alert.state} /> {formatTime(alert.at)} {alert.message}</li>)}</ul>
        </section>
      ) : null}
      {data && data.servers.length === 0 ? <EmptyState title="No servers yet"><p>Add a server on the Servers page; its calls show up here.</p></EmptyState> : null}
      {data?.servers.map((server) => <ServerCard key={server.serverId} server={server} />)}
      {data ? (
        <p className="muted">Refused logins at the HTTP endpoint: {data.authFailures.total} since the daemon started, {data.authFailures.lastHour} in the last hour.</p>
      ) : null}
    </>
  );
}

function ServerCard({ server }: { server: ServerHealth }) {
  return (
    <section className="card" aria-label={`Health of ${server.serverId}`}>
      <h2>{server.serverId} <Badge value={server.state} /> {server.breaker ? <Badge value={`breaker ${server.breaker}`} /> : null}</h2>
      <p>
        {server.calls} calls · success {percent(server.successRate)} · restarts {server.restarts}
        {server.authFailures > 0 ? ` · auth failures ${server.authFailures}` : ''}
      </p>
      {server.tools.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`Tools of ${server.serverId}`}>
            <thead><tr><th>Tool</th><th>Calls</th><th>Success</th><th>p50</th><th>p95</th><th>p99</th><th>Errors</th><th>Auth failures</th></tr></thead>
            <tbody>
              {server.tools.map((tool) => (
                <tr key={tool.tool ?? ''}>
                  <td><code>{tool.tool ?? '(none)'}</code></td>
                  <td>{tool.calls}</td>
                  <td>{percent(tool.successRate)}</td>
                  <td>{formatMs(tool.p50)}</td>
                  <td>{formatMs(tool.p95)}</td>
                  <td>{formatMs(tool.p99)}</td>
                  <td>{Object.entries(tool.errors).map(([kind, n]) => `${kind} ${n}`).join(', ') || '–'}</td>
                  <td>{tool.authFailures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p className="muted">No calls in this window.</p>}
      {server.slos.length > 0 ? (
        <table aria-label={`SLOs of ${server.serverId}`}>
          <thead><tr><th>SLO</th><th>Objective</th><th>Budget left</th><th>Burn (short / long)</th><th>State</th></tr></thead>
          <tbody>
            {server.slos.map((slo) => (
              <tr key={`${slo.tool}-${slo.kind}`}>
                <td><code>{slo.tool ?? '*'}</code> {slo.kind}</td>
                <td>{slo.kind === 'success' ? `success ≥ ${percent(slo.target)}` : `p95 < ${slo.target} ms`}</td>
                <td>{percent(slo.budgetLeft)}</td>
                <td>{slo.shortBurn.toFixed(1)}× / {slo.longBurn.toFixed(1)}×</td>
                <td><Badge value={slo.firing ? 'burning' : 'ok'} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {server.history.length > 0 ? (
        <details>
          <summary>State history ({server.history.length})</summary>
          <ul>{server.history.map((entry) => <li key={`${entry.at}-${entry.state}`}>{formatTime(entry.at)} {entry.state}{entry.reason ? `: ${entry.reason}` : ''}</li>)}</ul>
        </details>
      ) : null}
    </section>
  );
}
