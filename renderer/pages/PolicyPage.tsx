import { useState } from 'react';
import { api } from '../api/client.ts';
import { Badge, EmptyState, ErrorBanner, JsonView, NotAvailable, PageHeader, Spinner, formatTime } from '../components/common.tsx';
import { DiffView } from '../components/DiffView.tsx';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';

function ruleText(rule: unknown): string {
  if (rule && typeof rule === 'object') {
    const r = rule as { action?: string; match?: string; kind?: string };
    if (r.action && r.match) return `${r.action} ${r.kind && r.kind !== 'tool' ? `${r.kind} ` : ''}${r.match}`;
  }
  return JSON.stringify(rule);
}

function CheckForm() {
  const [serverId, setServerId] = useState('');
  const [tool, setTool] = useState('');
  const [args, setArgs] = useState('');
  const check = useAction(async () => {
    const parsed = args.trim() ? (JSON.parse(args) as Record<string, unknown>) : undefined;
    return api['policy.check']({ serverId, tool, kind: 'tool', ...(parsed ? { arguments: parsed } : {}) });
  });
  const [result, setResult] = useState<Awaited<ReturnType<(typeof api)['policy.check']>> | null>(null);
  return (
    <form className="card check" aria-label="Check a call" onSubmit={(e) => { e.preventDefault(); void check.run().then((r) => setResult(r ?? null)); }}>
      <h2>What would happen?</h2>
      <div className="grid-3">
        <label>Server<input value={serverId} onChange={(e) => setServerId(e.target.value)} required placeholder="github" /></label>
        <label>Tool<input value={tool} onChange={(e) => setTool(e.target.value)} required placeholder="delete_repository" /></label>
        <label>Arguments (JSON, optional)<input className="mono" value={args} onChange={(e) => setArgs(e.target.value)} placeholder='{"path": "/etc"}' /></label>
      </div>
      <button type="submit" disabled={check.busy}>Check</button>
      <ErrorBanner error={check.error} />
      {result ? (
        <p role="status" className="check-result">
          <Badge value={result.decision.action} /> by <code>{result.decision.label}</code>
          {result.decision.reason ? ` — ${result.decision.reason}` : ''}
          {result.admission && !result.admission.ok ? <> · server refused: {result.admission.reason}</> : null}
        </p>
      ) : null}
    </form>
  );
}

export function PolicyPage() {
  const served = useServed('policy.effective');
  const policy = useQuery(() => api['policy.effective']({}), []);
  const pins = useQuery(() => api['policy.pins']({}), []);
  const reload = useAction(async () => {
    await api['policy.reload']({});
    policy.reload();
  });
  const accept = useAction(async (serverId: string, tool: string) => {
    await api['policy.acceptPinChange']({ serverId, tool });
    pins.reload();
  });

  if (!served || policy.notAvailable) return <><PageHeader title="Policy" /><NotAvailable what="Policy" /></>;
  const p = policy.data;
  return (
    <>
      <PageHeader
        title="Policy"
        description="The effective policy: managed (set by your administrator), org (synced, signed) and user rules. Strictest wins; locked settings cannot be changed here."
        actions={<button type="button" className="ghost" disabled={reload.busy} onClick={() => void reload.run()}>{reload.busy ? 'Reloading…' : 'Reload policy'}</button>}
      />
      <ErrorBanner error={policy.error ?? reload.error ?? accept.error} onRetry={policy.error ? policy.reload : undefined} />
      {policy.loading && !p ? <Spinner label="Loading the effective policy…" /> : null}
      {p?.failClosed ? <div className="error-banner" role="alert"><strong>Fail closed:</strong> every server is refused and every call denied — {p.failClosed}</div> : null}
      {p ? (
        <>
          <section aria-labelledby="sources-title">
            <h2 id="sources-title">Sources</h2>
            <div className="table-wrap">
              <table>
                <thead><tr><th>Source</th><th>State</th><th>Where</th><th>Details</th></tr></thead>
                <tbody>
                  {p.sources.map((s) => (
                    <tr key={s.source}>
                      <td><Badge value={s.source} /></td>
                      <td><Badge value={s.state === 'active' ? 'ok' : s.state === 'error' ? 'failed' : s.state === 'stale' ? 'pending' : 'neutral'} label={s.state} /></td>
                      <td className="path">{s.location ? <code>{s.location}</code> : '—'}</td>
                      <td>{s.message ?? (s.fetchedAt ? `fetched ${formatTime(s.fetchedAt)}` : '')}{s.serial !== undefined ? ` · serial ${s.serial}` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="tools-title">
            <h2 id="tools-title">Tool rules</h2>
            {p.tools.length === 0 ? <EmptyState title="No tool rules"><p>Every tool of an admitted server is allowed. Answering “Always allow” to an approval adds a user rule here.</p></EmptyState> : (
              <div className="table-wrap">
                <table>
                  <thead><tr><th>Rule</th><th>Source</th><th>Definition</th></tr></thead>
                  <tbody>
                    {p.tools.map((t, i) => (
                      <tr key={`${t.source}-${t.name}-${i}`}>
                        <td><code>{t.name}</code></td>
                        <td><Badge value={t.source} />{t.source === 'managed' || t.source === 'org' ? <span className="lock" title="Set by your organisation; cannot be removed here" aria-label="locked"> 🔒</span> : null}</td>
                        <td><code>{ruleText(t.rule)}</code></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="servers-title">
            <h2 id="servers-title">Server allow and deny lists</h2>
            {p.servers.length === 0 ? <p className="muted">No server restrictions: any server you add may run.</p> : (
              <div className="table-wrap">
                <table>
                  <thead><tr><th>List</th><th>Entry</th><th>Source</th><th>Matches</th></tr></thead>
                  <tbody>{p.servers.map((s, i) => <tr key={i}><td><Badge value={s.list === 'allow' ? 'ok' : 'deny'} label={s.list} /></td><td><code>{s.name}</code></td><td><Badge value={s.source} /></td><td><code>{JSON.stringify(s.matcher)}</code></td></tr>)}</tbody>
                </table>
              </div>
            )}
          </section>
          {p.sandbox?.length ? (
            <section aria-labelledby="sandbox-title">
              <h2 id="sandbox-title">Sandbox requirements</h2>
              <p className="muted">Matching local servers must run in the OS sandbox; where there is none, they are refused.</p>
              <div className="table-wrap">
                <table>
                  <thead><tr><th>Rule</th><th>Source</th><th>Requirement</th></tr></thead>
                  <tbody>{p.sandbox.map((r, i) => <tr key={i}><td><code>{r.name}</code></td><td><Badge value={r.source} /></td><td><code>{JSON.stringify(r.requirement)}</code></td></tr>)}</tbody>
                </table>
              </div>
            </section>
          ) : null}
          <section aria-labelledby="settings-title">
            <h2 id="settings-title">Settings</h2>
            <div className="table-wrap">
              <table>
                <thead><tr><th>Setting</th><th>Value</th><th>Source</th></tr></thead>
                <tbody>
                  {Object.entries(p.settings).map(([name, s]) => (
                    <tr key={name}>
                      <td><code>{name}</code></td>
                      <td><code>{JSON.stringify(s.value)}</code></td>
                      <td><Badge value={s.source} />{s.locked ? <span className="lock" aria-label="locked" title="Locked by policy"> 🔒 locked</span> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
      <CheckForm />
      <section aria-labelledby="pins-title">
        <h2 id="pins-title">Pinned tools</h2>
        {pins.notAvailable ? <NotAvailable what="Tool pinning" /> : null}
        <ErrorBanner error={pins.notAvailable ? null : pins.error} onRetry={pins.reload} />
        {pins.data && pins.data.changes.length > 0 ? (
          <div className="stack">
            {pins.data.changes.map((c) => (
              <article key={`${c.serverId}/${c.tool}`} className="card">
                <h3>{c.serverId} / <code>{c.tool}</code> changed <span className="muted small">{formatTime(c.detectedAt)}</span></h3>
                <DiffView before={c.old} after={c.new} />
                <button type="button" disabled={accept.busy} onClick={() => void accept.run(c.serverId, c.tool)}>Accept the new definition</button>
              </article>
            ))}
          </div>
        ) : null}
        {pins.data && pins.data.pinned.length === 0 ? <p className="muted">No tools pinned yet: a tool is pinned the first time a client lists it.</p> : null}
        {pins.data && pins.data.pinned.length > 0 ? (
          <details>
            <summary>{pins.data.pinned.length} pinned tool definitions</summary>
            <div className="table-wrap">
              <table>
                <thead><tr><th>Server / tool</th><th>First seen</th><th>Hash</th></tr></thead>
                <tbody>{pins.data.pinned.map((t) => <tr key={`${t.serverId}/${t.tool}`}><td>{t.serverId} / <code>{t.tool}</code></td><td>{formatTime(t.firstSeen)}</td><td><code>{t.hash.slice(0, 12)}</code></td></tr>)}</tbody>
              </table>
            </div>
          </details>
        ) : null}
      </section>
      {p && p.locks.length > 0 ? <JsonView value={p.locks} label="Locks" /> : null}
    </>
  );
}
