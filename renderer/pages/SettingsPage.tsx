import { useState } from 'react';
import type { AuthFailureSummary } from '../../shared/api/servers.ts';
import { api } from '../api/client.ts';
import { forwarderStatus, retryFailedDeliveries } from '../api/audit.ts';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner, formatTime } from '../components/common.tsx';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useAppInfo, useServed } from '../hooks/useServed.ts';

const UPDATE_STATE_LABEL: Record<string, string> = {
  unavailable: 'Not updated by itself',
  disabled: 'Off',
  idle: 'On',
  checking: 'Checking…',
  'up-to-date': 'Up to date',
  'not-allowed': 'Update not allowed',
  downloading: 'Downloading…',
  downloaded: 'Update ready',
  error: 'Check failed',
};

/** The app's version and its self-update state: off and why, the feed, a pin, a ready update. */
function UpdatesStatus() {
  const served = useServed('updates.status');
  const status = useQuery(() => api['updates.status']({}), []);
  const check = useAction(async () => {
    await api['updates.check']({});
    status.reload();
  });
  const install = useAction(async () => {
    await api['updates.install']({});
  });
  if (!served || status.notAvailable) return <NotAvailable what="Update status" />;
  if (status.loading && !status.data) return <Spinner label="Loading update status…" />;
  if (status.error) return <ErrorBanner error={status.error} onRetry={status.reload} />;
  const s = status.data!;
  const on = !['unavailable', 'disabled'].includes(s.state);
  return (
    <>
      <dl className="facts" aria-label="Updates">
        <dt>Version</dt><dd>{s.currentVersion}</dd>
        <dt>Updates</dt>
        <dd>
          <Badge value={s.state === 'error' ? 'error' : s.state === 'not-allowed' ? 'pending' : on ? 'ok' : 'neutral'} label={UPDATE_STATE_LABEL[s.state] ?? s.state} />
          {s.source && s.source !== 'user' && s.source !== 'default' ? <> <Badge value={s.source} /></> : null}
          {s.reason ? <span className="muted"> {s.reason}</span> : null}
        </dd>
        {s.feedUrl ? <><dt>Feed</dt><dd><code>{s.feedUrl}</code> · {s.channel}</dd></> : null}
        {s.pin ? <><dt>Pinned version</dt><dd>{s.pin}</dd></> : null}
        {s.availableVersion ? <><dt>Offered</dt><dd>{s.availableVersion}</dd></> : null}
        {s.checkedAt ? <><dt>Last check</dt><dd>{formatTime(s.checkedAt)}</dd></> : null}
        {s.error ? <><dt>Error</dt><dd className="bad-text">{s.error}</dd></> : null}
      </dl>
      <div className="actions">
        {on ? <button type="button" disabled={check.busy || s.state === 'checking'} onClick={() => void check.run()}>Check now</button> : null}
        {s.state === 'downloaded' ? <button type="button" className="primary" disabled={install.busy} onClick={() => void install.run()}>Restart and install {s.availableVersion}</button> : null}
      </div>
      <ErrorBanner error={check.error ?? install.error} />
    </>
  );
}

function GatewayStatus() {
  const status = useQuery(() => forwarderStatus(), []);
  const [requeued, setRequeued] = useState<number | null>(null);
  const retry = useAction(async () => {
    setRequeued(await retryFailedDeliveries());
    status.reload();
  });
  if (status.notAvailable) return <NotAvailable what="Audit forwarding status" />;
  if (status.loading && !status.data) return <Spinner label="Loading gateway status…" />;
  if (status.error) return <ErrorBanner error={status.error} onRetry={status.reload} />;
  const s = status.data!;
  if (!s.enabled) {
    return <EmptyState title="No enterprise gateway configured"><p>Audit records stay on this machine. Your administrator sets the gateway in the managed policy (or set <code>settings.gateway</code> in config.json).</p></EmptyState>;
  }
  return (
    <>
      <dl className="facts">
        <dt>Gateway</dt><dd><code>{s.url}</code></dd>
        <dt>State</dt><dd><Badge value={s.state} />{s.nextAttemptAt ? ` · next attempt ${formatTime(s.nextAttemptAt)}` : ''}</dd>
        <dt>Backlog</dt><dd>{s.backlog} record{s.backlog === 1 ? '' : 's'} waiting{s.failed ? ` · ${s.failed} refused` : ''}{s.droppedTotal ? ` · ${s.droppedTotal} dropped (backlog cap)` : ''}</dd>
        <dt>Delivered</dt><dd>{s.deliveredSinceStart} since start · last success {formatTime(s.lastSuccessAt)}</dd>
        {s.rejectedTotal ? <><dt>Rejected</dt><dd>{s.rejectedTotal} record{s.rejectedTotal === 1 ? '' : 's'} the gateway reported as rejected</dd></> : null}
        {s.lastError ? <><dt>Last error</dt><dd className="bad-text">{s.lastError.status && !s.lastError.message.includes(`HTTP ${s.lastError.status}`) ? `HTTP ${s.lastError.status}: ` : ''}{s.lastError.message} ({formatTime(s.lastError.at)})</dd></> : null}
        <dt>Inventory sent</dt><dd>{formatTime(s.inventorySentAt)}</dd>
      </dl>
      <div className="form-actions">
        <button type="button" className="ghost" onClick={status.reload}>Refresh</button>
        {s.failed > 0 || s.state === 'backoff' ? <button type="button" disabled={retry.busy} onClick={() => void retry.run()}>{retry.busy ? 'Retrying…' : 'Retry now'}</button> : null}
      </div>
      {requeued !== null ? <p className="notice" role="status">Retrying now{requeued > 0 ? `; ${requeued} refused record${requeued === 1 ? '' : 's'} queued again` : ''}.</p> : null}
      <ErrorBanner error={retry.error} />
    </>
  );
}

function OrgSync() {
  const served = useServed('policy.effective');
  const policy = useQuery(() => api['policy.effective']({}), []);
  if (!served || policy.notAvailable) return <NotAvailable what="Org policy sync status" />;
  if (policy.loading && !policy.data) return <Spinner label="Loading…" />;
  if (policy.error) return <ErrorBanner error={policy.error} onRetry={policy.reload} />;
  const org = policy.data?.sources.find((s) => s.source === 'org');
  if (!org || org.state === 'absent') return <p className="muted">No org policy: the managed policy does not name an org URL.</p>;
  return (
    <dl className="facts">
      <dt>State</dt><dd><Badge value={org.state === 'active' ? 'ok' : org.state === 'error' ? 'failed' : 'pending'} label={org.state} /></dd>
      <dt>URL</dt><dd><code>{org.location ?? '—'}</code></dd>
      <dt>Last fetched</dt><dd>{formatTime(org.fetchedAt)}</dd>
      {org.message ? <><dt>Details</dt><dd>{org.message}</dd></> : null}
    </dl>
  );
}

function Secrets() {
  const served = useServed('secrets.list');
  const secrets = useQuery(() => api['secrets.list']({}), []);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const save = useAction(async () => {
    await api['secrets.set']({ name, value });
    setName('');
    setValue('');
    secrets.reload();
  });
  const remove = useAction(async (secret: string) => {
    if (!window.confirm(`Delete secret "${secret}" from the keychain? Servers that use it will fail to start.`)) return;
    await api['secrets.delete']({ name: secret });
    secrets.reload();
  });
  if (!served || secrets.notAvailable) return <NotAvailable what="Secrets" />;
  return (
    <>
      <ErrorBanner error={secrets.error ?? save.error ?? remove.error} onRetry={secrets.error ? secrets.reload : undefined} />
      {secrets.data && secrets.data.names.length === 0 ? <p className="muted">No secrets yet. Store a token here, then reference it by name in a server's environment or headers.</p> : null}
      {secrets.data && secrets.data.names.length > 0 ? (
        <ul className="secret-list">
          {secrets.data.names.map((n) => (
            <li key={n}><code>{n}</code> <button type="button" className="ghost danger-text" onClick={() => void remove.run(n)}>Delete</button></li>
          ))}
        </ul>
      ) : null}
      <form className="inline-form" aria-label="Store a secret" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <label>Name<input value={name} onChange={(e) => setName(e.target.value)} required placeholder="github-token" autoComplete="off" /></label>
        <label>Value<input type="password" value={value} onChange={(e) => setValue(e.target.value)} required autoComplete="new-password" /></label>
        <button type="submit" disabled={save.busy}>{save.busy ? 'Storing…' : 'Store in keychain'}</button>
      </form>
    </>
  );
}

/** HTTP 401/403s since the daemon started: how many, how fast, and the latest (never a token). */
function AuthFailures({ summary }: { summary: AuthFailureSummary }) {
  if (summary.total === 0) return <>None since the daemon started</>;
  return (
    <>
      {summary.total} since start · {summary.lastMinute} in the last minute · {summary.lastHour} in the last hour
      <ul className="small">
        {summary.recent.slice(0, 5).map((failure, index) => (
          <li key={index}>
            {formatTime(failure.at)} · {failure.status} {failure.reason} · <code>{failure.endpoint}</code> · {failure.client}
          </li>
        ))}
      </ul>
    </>
  );
}

export function SettingsPage() {
  const info = useAppInfo();
  const daemon = useQuery(() => api['daemon.status']({}), []);
  const [startAtLogin, setStartAtLogin] = useState<boolean | undefined>(info?.startAtLogin);
  const login = useAction(async (enabled: boolean) => {
    const r = await api['app.setStartAtLogin']({ enabled });
    setStartAtLogin(r.enabled);
  });
  return (
    <>
      <PageHeader title="Settings" description="Where the app keeps its data, how it is reached, and where audit records go." />
      <section className="card" aria-labelledby="app-title">
        <h2 id="app-title">This app</h2>
        {info ? (
          <dl className="facts">
            <dt>Version</dt><dd>{info.version}</dd>
            <dt>Mode</dt><dd>{info.mode === 'desktop' ? 'Desktop app' : 'Headless daemon with the web UI'}</dd>
            <dt>Data folder</dt><dd><code>{info.dataDir}</code></dd>
            {daemon.data ? <>
              <dt>HTTP endpoint</dt><dd><code>http://127.0.0.1:{daemon.data.httpPort}/mcp/&lt;server&gt;</code></dd>
              <dt>Local socket</dt><dd><code>{daemon.data.socketPath}</code></dd>
              <dt>Running since</dt><dd>{formatTime(daemon.data.startedAt)} · pid {daemon.data.pid} · {daemon.data.sessions} client session{daemon.data.sessions === 1 ? '' : 's'}</dd>
              <dt>Refused logins</dt><dd><AuthFailures summary={daemon.data.authFailures} /></dd>
            </> : null}
          </dl>
        ) : <Spinner label="Loading…" />}
        {info?.mode === 'desktop' ? (
          <label className="inline">
            <input type="checkbox" checked={startAtLogin ?? info.startAtLogin ?? false} disabled={login.busy || info.startAtLoginLockedBy !== undefined} onChange={(e) => void login.run(e.target.checked)} /> Start MCP Switchboard when I log in
            {info.startAtLoginLockedBy ? <span className="muted"> (set by {info.startAtLoginLockedBy} policy)</span> : null}
          </label>
        ) : info ? (
          <p className="muted small">Start the daemon at login: <code>switchboard service install</code> (a systemd user unit on Linux), or <code>switchboard service start-at-login on</code> for the desktop app.</p>
        ) : null}
        <ErrorBanner error={login.error} />
      </section>
      <section className="card" aria-labelledby="updates-title">
        <h2 id="updates-title">Updates</h2>
        <UpdatesStatus />
      </section>
      <section className="card" aria-labelledby="gateway-title">
        <h2 id="gateway-title">Enterprise gateway</h2>
        <GatewayStatus />
      </section>
      <section className="card" aria-labelledby="org-title">
        <h2 id="org-title">Org policy sync</h2>
        <OrgSync />
      </section>
      <section className="card" aria-labelledby="secrets-title">
        <h2 id="secrets-title">Secrets (OS keychain)</h2>
        <Secrets />
      </section>
      {info?.methods ? (
        <details className="card">
          <summary>API methods this daemon serves ({info.methods.size})</summary>
          <p className="muted small mono">{[...info.methods].join(' · ')}</p>
        </details>
      ) : null}
    </>
  );
}
