import { useMemo, useState } from 'react';
import type { ServerConfig } from '../../shared/config.ts';
import type { ServerEntry } from '../../shared/api/servers.ts';
import { api } from '../api/client.ts';
import { LifecycleBadge, LifecycleFact } from '../components/LifecycleBadge.tsx';
import { Badge, EmptyState, ErrorBanner, JsonView, NotAvailable, PageHeader, Spinner, formatTime } from '../components/common.tsx';
import { GuardrailFlags } from '../components/GuardrailFlags.tsx';
import { SandboxPanel } from '../components/SandboxPanel.tsx';
import { ServerForm } from '../components/ServerForm.tsx';
import { useStale } from '../hooks/useConnection.ts';
import { useEvent } from '../hooks/useEvents.ts';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';
import { navigate, type Route } from '../router.ts';

interface InstallRequest {
  id: string;
  transport: 'stdio' | 'streamable-http' | 'sse';
  command?: string;
  args?: string[];
  url?: string;
  source?: string;
}

function readInstall(route: Route): InstallRequest | null {
  const raw = route.params.get('install');
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as InstallRequest;
    return typeof value.id === 'string' && typeof value.transport === 'string' ? value : null;
  } catch {
    return null;
  }
}

function installToConfig(request: InstallRequest): Partial<ServerConfig> {
  return request.transport === 'stdio'
    ? { id: request.id, transport: 'stdio', command: request.command ?? '', args: request.args ?? [], env: {} }
    : { id: request.id, transport: request.transport, url: request.url ?? '', headers: {} };
}

function describe(config: ServerConfig): string {
  return config.transport === 'stdio' ? [config.command, ...config.args].join(' ') : config.url;
}

function ToolsPanel({ id }: { id: string }) {
  const tools = useQuery(() => api['servers.tools']({ id }), [id]);
  const [tool, setTool] = useState<string>('');
  const [args, setArgs] = useState('{}');
  const [result, setResult] = useState<unknown>(undefined);
  const call = useAction(async () => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(args || '{}') as Record<string, unknown>;
    } catch (error) {
      throw new Error(`arguments are not valid JSON: ${(error as Error).message}`);
    }
    setResult(await api['servers.callTool']({ id, name: tool, arguments: parsed }));
  });
  if (tools.notAvailable) return <NotAvailable what="Tool listing" />;
  if (tools.loading && !tools.data) return <Spinner label="Listing tools (starting the server if needed)…" />;
  if (tools.error) return <ErrorBanner error={tools.error} onRetry={tools.reload} />;
  const list = tools.data?.tools ?? [];
  if (list.length === 0) return <><GuardrailFlags serverId={id} /><EmptyState title="This server lists no tools" /></>;
  return (
    <div className="tools">
      <GuardrailFlags serverId={id} />
      <ul className="tool-list" aria-label={`Tools of ${id}`}>
        {list.map((t) => (
          <li key={t.name} className="tool">
            <details>
              <summary>
                <code>{t.name}</code>
                {t.annotations && (t.annotations as { destructiveHint?: boolean }).destructiveHint ? <Badge value="ask" label="destructive" /> : null}
                {t.annotations && (t.annotations as { readOnlyHint?: boolean }).readOnlyHint ? <Badge value="ok" label="read-only" /> : null}
                <span className="muted tool-desc">{t.description}</span>
              </summary>
              <JsonView value={t.inputSchema} label={`Input schema of ${t.name}`} />
              <button type="button" className="ghost" onClick={() => { setTool(t.name); setResult(undefined); }}>Try this tool</button>
            </details>
          </li>
        ))}
      </ul>
      <form className="card try" onSubmit={(e) => { e.preventDefault(); void call.run(); }} aria-label="Try a tool call">
        <h3>Try a tool call</h3>
        <p className="muted small">Runs through the daemon's own session with the server; the call is not recorded as a client's.</p>
        <label>
          Tool
          <select value={tool} onChange={(e) => setTool(e.target.value)} required>
            <option value="">Choose a tool…</option>
            {list.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
          </select>
        </label>
        <label>
          Arguments (JSON)
          <textarea rows={4} value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} className="mono" />
        </label>
        <button type="submit" className="primary" disabled={!tool || call.busy}>{call.busy ? 'Calling…' : 'Call'}</button>
        <ErrorBanner error={call.error} />
        {result !== undefined ? <JsonView value={result} label="Result" /> : null}
      </form>
    </div>
  );
}

function LogsPanel({ id }: { id: string }) {
  const logs = useQuery(() => api['servers.logs']({ id }), [id]);
  if (logs.notAvailable) return <NotAvailable what="Server logs" />;
  if (logs.loading && !logs.data) return <Spinner label="Loading logs…" />;
  if (logs.error) return <ErrorBanner error={logs.error} onRetry={logs.reload} />;
  return (
    <div>
      <button type="button" className="ghost" onClick={logs.reload}>Refresh</button>
      {logs.data && logs.data.lines.length === 0 ? <p className="muted">The server has written nothing on stderr.</p> : <pre className="logs" tabIndex={0} aria-label={`stderr of ${id}`}>{logs.data?.lines.join('\n')}</pre>}
    </div>
  );
}

function ServerDetails({ entry }: { entry: ServerEntry }) {
  const [tab, setTab] = useState<'tools' | 'logs' | 'sessions' | 'sandbox'>('tools');
  const { status } = entry;
  return (
    <section className="card details" aria-label={`Details of ${entry.config.id}`}>
      <dl className="facts">
        <dt>Runs</dt><dd><code>{describe(entry.config)}</code></dd>
        {/* The state badge is on the row above; the details add only when it began. */}
        <dt>Since</dt><dd>{formatTime(status.since)}{status.restarts ? ` · ${status.restarts} restarts` : ''}</dd>
        {status.reason ? <><dt>Reason</dt><dd>{status.reason}</dd></> : null}
        {status.serverInfo ? <><dt>Server</dt><dd>{status.serverInfo.name} {status.serverInfo.version}</dd></> : null}
        {status.sandbox ? <><dt>Sandbox</dt><dd>{status.sandbox}</dd></> : null}
        <LifecycleFact lifecycle={status.lifecycle} />
        {status.breaker ? <><dt>Circuit breaker</dt><dd>{status.breaker.state} since {formatTime(status.breaker.since)}{status.breaker.failures ? ` · ${status.breaker.failures} consecutive failures` : ''}</dd></> : null}
      </dl>
      <div className="tabs" role="tablist" aria-label="Server details">
        {(['tools', 'logs', 'sessions', 'sandbox'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
            {t === 'tools' ? 'Tools' : t === 'logs' ? 'Logs' : t === 'sandbox' ? 'Sandbox' : `Sessions (${entry.sessions.length})`}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'tools' ? <ToolsPanel id={entry.config.id} /> : null}
        {tab === 'logs' ? <LogsPanel id={entry.config.id} /> : null}
        {tab === 'sandbox' ? <SandboxPanel id={entry.config.id} stderrTail={status.stderrTail} failed={status.state === 'failed'} /> : null}
        {tab === 'sessions' ? (
          entry.sessions.length === 0 ? <p className="muted">No client is connected to this server through the app.</p> : (
            <table>
              <thead><tr><th>Client</th><th>Via</th><th>In flight</th><th>PID</th></tr></thead>
              <tbody>{entry.sessions.map((s) => <tr key={s.sessionId}><td>{s.client ? `${s.client.name} ${s.client.version}` : s.clientLabel}</td><td>{s.transport}</td><td>{s.inflight}</td><td>{s.pid ?? '—'}</td></tr>)}</tbody>
            </table>
          )
        ) : null}
      </div>
    </section>
  );
}

export function ServersPage({ route }: { route: Route }) {
  const served = useServed('servers.list');
  const stale = useStale();
  const servers = useQuery(() => api['servers.list']({}), []);
  const [mode, setMode] = useState<{ kind: 'none' } | { kind: 'add'; initial?: Partial<ServerConfig> } | { kind: 'edit'; config: ServerConfig }>({ kind: 'none' });
  const [open, setOpen] = useState<string | null>(null);
  const install = useMemo(() => readInstall(route), [route]);
  useEvent(['server.state', 'server.breaker', 'config.changed'], () => servers.reload());

  const save = useAction(async (server: ServerConfig, options: { sandbox: boolean }) => {
    if (mode.kind === 'edit') await api['servers.update']({ server });
    else if (options.sandbox && server.transport === 'stdio') {
      // Suggested before the add, so the server's first start is already inside the sandbox.
      const { profile } = await api['servers.suggestSandbox']({ command: server.command, args: server.args, ...(server.cwd ? { cwd: server.cwd } : {}) });
      await api['servers.add']({ server: { ...server, sandbox: profile } });
    } else await api['servers.add']({ server });
    setMode({ kind: 'none' });
    setOpen(server.id);
    if (install) navigate('/servers');
    servers.reload();
  });
  const act = useAction(async (verb: 'start' | 'stop' | 'restart' | 'remove', id: string) => {
    if (verb === 'remove') {
      if (!window.confirm(`Remove server "${id}"? Linked clients will no longer reach it.`)) return;
      await api['servers.remove']({ id });
    } else {
      await api[`servers.${verb}`]({ id });
    }
    servers.reload();
  });

  if (!served || servers.notAvailable) return <><PageHeader title="Servers" /><NotAvailable what="Servers" /></>;
  const list = servers.data?.servers ?? [];
  const formOpen = mode.kind !== 'none';
  return (
    <>
      <PageHeader
        title="Servers"
        description="The MCP servers your clients reach through the app."
        actions={<button type="button" className="primary" onClick={() => setMode({ kind: 'add' })} disabled={formOpen}>Add server</button>}
      />
      {install && !formOpen ? (
        <div className="card confirm" role="alertdialog" aria-labelledby="install-title">
          <h2 id="install-title">Install “{install.id}”?</h2>
          <p>A link asked to add this server. Check what it would run before adding it:</p>
          <JsonView value={install.transport === 'stdio' ? { command: install.command, args: install.args } : { url: install.url, transport: install.transport }} label="What would run" />
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => setMode({ kind: 'add', initial: installToConfig(install) })}>Review and add</button>
            <button type="button" className="ghost" onClick={() => navigate('/servers')}>Dismiss</button>
          </div>
        </div>
      ) : null}
      {formOpen ? (
        <ServerForm
          key={mode.kind === 'edit' ? `edit-${mode.config.id}` : 'add'}
          editing={mode.kind === 'edit'}
          initial={mode.kind === 'edit' ? mode.config : mode.initial}
          busy={save.busy}
          onSubmit={(server, options) => void save.run(server, options)}
          onCancel={() => { setMode({ kind: 'none' }); save.clearError(); }}
        />
      ) : null}
      <ErrorBanner error={save.error ?? act.error ?? servers.error} onRetry={servers.error ? servers.reload : undefined} />
      {servers.loading && !servers.data ? <Spinner label="Loading servers…" /> : null}
      {servers.data && list.length === 0 && !formOpen ? (
        <EmptyState title="No servers yet">
          <p>Add a local command (for example <code>npx -y @modelcontextprotocol/server-memory</code>) or a remote URL with <strong>Add server</strong>, or import the servers your AI clients already use from the <a href="#/clients">Clients</a> page.</p>
        </EmptyState>
      ) : null}
      <ul className="server-list" aria-label="Servers">
        {list.map((entry) => {
          const { config, status } = entry;
          const expanded = open === config.id;
          return (
            <li key={config.id} className="server">
              <div className="server-row">
                <button type="button" className="disclosure" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : config.id)}>
                  <span className="server-name">{config.id}</span>
                  <span className="muted small">{config.transport}</span>
                </button>
                <Badge value={status.state} stale={stale} />
                {!config.enabled ? <Badge value="neutral" label="disabled" /> : null}
                <LifecycleBadge lifecycle={status.lifecycle} />
                {status.breaker && status.breaker.state !== 'closed' ? <Badge value="failed" label={`breaker ${status.breaker.state}`} /> : null}
                <span className="muted small sessions">{entry.sessions.length} session{entry.sessions.length === 1 ? '' : 's'}</span>
                <span className="grow muted small ellipsis" title={describe(config)}>{status.state === 'failed' && status.reason ? status.reason : describe(config)}</span>
                <div className="row-actions">
                  {status.state === 'ready' || status.state === 'starting' ? (
                    <button type="button" onClick={() => void act.run('stop', config.id)} disabled={act.busy}>Stop</button>
                  ) : (
                    <button type="button" onClick={() => void act.run('start', config.id)} disabled={act.busy}>Start</button>
                  )}
                  <button type="button" className="ghost" onClick={() => setMode({ kind: 'edit', config })}>Edit</button>
                  <button type="button" className="ghost danger-text" onClick={() => void act.run('remove', config.id)}>Remove</button>
                </div>
              </div>
              {expanded ? <ServerDetails entry={entry} /> : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}
