import { useState } from 'react';
import { api } from '../api/client.ts';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner } from '../components/common.tsx';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';

type ClientId = Parameters<(typeof api)['clients.link']>[0]['client'];

export function ClientsPage() {
  const served = useServed('clients.list');
  const clients = useQuery(() => api['clients.list']({}), []);
  const [message, setMessage] = useState<string | null>(null);
  const act = useAction(async (verb: 'link' | 'unlink' | 'import', client: ClientId, file: string) => {
    setMessage(null);
    if (verb === 'link') {
      const r = await api['clients.link']({ client, file });
      setMessage(`Linked ${r.linked.length} server${r.linked.length === 1 ? '' : 's'} in ${r.file} (backup: ${r.backup}).${r.warnings.length ? ` ${r.warnings.join(' ')}` : ''}`);
    } else if (verb === 'unlink') {
      const r = await api['clients.unlink']({ client, file });
      setMessage(r.restored === 'exact' ? `Restored ${r.file} exactly as it was.` : `Restored the original entries in ${r.file}${r.keptChanged.length ? `; kept your changes to ${r.keptChanged.join(', ')}` : ''}.`);
    } else {
      const r = await api['clients.import']({ client, file });
      const imported = r.entries.filter((e) => e.outcome === 'imported');
      const secrets = r.entries.flatMap((e) => e.secrets);
      setMessage(`Imported ${imported.length} server${imported.length === 1 ? '' : 's'} from ${r.file}${secrets.length ? `; moved ${secrets.length} secret${secrets.length === 1 ? '' : 's'} to the keychain` : ''}.${r.skipped.length ? ` Skipped: ${r.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}.` : ''}`);
    }
    clients.reload();
  });

  if (!served || clients.notAvailable) return <><PageHeader title="Clients" /><NotAvailable what="Clients" /></>;
  const list = clients.data?.clients ?? [];
  return (
    <>
      <PageHeader
        title="Clients"
        description="AI clients found on this machine. Linking rewrites a client's MCP entries to go through the app (a backup is kept); unlinking restores them."
        actions={<button type="button" className="ghost" onClick={clients.reload}>Detect again</button>}
      />
      {message ? <div className="notice" role="status">{message}</div> : null}
      <ErrorBanner error={act.error ?? clients.error} onRetry={clients.error ? clients.reload : undefined} />
      {clients.loading && !clients.data ? <Spinner label="Looking for Claude Desktop, Cursor, VS Code, Windsurf and Claude Code…" /> : null}
      {clients.data && list.length === 0 ? (
        <EmptyState title="No AI clients found">
          <p>Install Claude Desktop, Cursor, VS Code, Windsurf or Claude Code, then press <strong>Detect again</strong>. Clients that take a URL can also use a token from <code>switchboard token create</code>.</p>
        </EmptyState>
      ) : null}
      <div className="stack">
        {list.map((client) => (
          <section key={client.id} className="card client" aria-labelledby={`client-${client.id}`}>
            <header className="client-head">
              <h2 id={`client-${client.id}`}>{client.name}</h2>
              {client.installed ? <Badge value="ok" label="installed" /> : <Badge value="neutral" label="not installed" />}
              <span className="muted small">links via {client.linkMode === 'bridge' ? 'the bridge command' : 'a URL and token'}</span>
            </header>
            {client.files.length === 0 ? <p className="muted">No config file found.</p> : (
              <table>
                <thead><tr><th>Config file</th><th>Scope</th><th>Servers</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {client.files.map((file) => (
                    <tr key={file.path}>
                      <td className="path"><code>{file.path}</code>{file.error ? <div className="field-error">{file.error}</div> : null}{!file.exists ? <div className="muted small">does not exist yet</div> : null}</td>
                      <td>{file.scope}</td>
                      <td>{file.servers.length ? file.servers.join(', ') : <span className="muted">none</span>}</td>
                      <td><Badge value={file.status} />{file.status === 'drifted' ? <div className="muted small">changed since it was linked</div> : null}</td>
                      <td><div className="row-actions">
                        {file.exists && file.servers.length > 0 && file.status === 'unlinked' ? <button type="button" className="ghost" disabled={act.busy} onClick={() => void act.run('import', client.id, file.path)}>Import servers</button> : null}
                        {file.status === 'unlinked' ? (
                          <button type="button" disabled={act.busy || !!file.error} onClick={() => void act.run('link', client.id, file.path)}>Link</button>
                        ) : (
                          <button type="button" disabled={act.busy} onClick={() => void act.run('unlink', client.id, file.path)}>Unlink</button>
                        )}
                        {file.status === 'drifted' ? <button type="button" className="ghost" disabled={act.busy} onClick={() => void act.run('link', client.id, file.path)}>Link again</button> : null}
                      </div></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))}
      </div>
    </>
  );
}
