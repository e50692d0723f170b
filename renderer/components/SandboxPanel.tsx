// A stdio server's sandbox on the Servers page: how it runs, what this machine offers, and the
// profile (network, read-only and read-write paths) with the suggested one a click away.
import { useEffect, useId, useState } from 'react';
import type { ServerSandbox } from '../../shared/api/servers.ts';
import type { SandboxProfile } from '../../shared/sandbox.ts';
import { salientStderr } from '../../shared/stderr-tail.ts';
import { api } from '../api/client.ts';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { ErrorBanner, NotAvailable, Spinner } from './common.tsx';

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function ProfileEditor({ view, onSaved }: { view: ServerSandbox; onSaved: (next: ServerSandbox) => void }) {
  const uid = useId();
  const start: SandboxProfile = view.profile ?? view.suggested ?? { enabled: true, network: 'none', readOnly: [], readWrite: [] };
  const [enabled, setEnabled] = useState(start.enabled);
  const [network, setNetwork] = useState(start.network);
  const [readOnly, setReadOnly] = useState(start.readOnly.join('\n'));
  const [readWrite, setReadWrite] = useState(start.readWrite.join('\n'));
  const fill = (p: SandboxProfile) => {
    setEnabled(p.enabled);
    setNetwork(p.network);
    setReadOnly(p.readOnly.join('\n'));
    setReadWrite(p.readWrite.join('\n'));
  };
  useEffect(() => fill(view.profile ?? view.suggested ?? start), [view]);
  const save = useAction(async (sandbox: SandboxProfile | null) => onSaved(await api['servers.setSandbox']({ id: view.id, sandbox })));
  return (
    <form className="form sandbox-form" aria-label={`Sandbox profile of ${view.id}`} onSubmit={(e) => {
      e.preventDefault();
      void save.run({ enabled, network, readOnly: lines(readOnly), readWrite: lines(readWrite) });
    }}>
      {!view.profile ? <p className="muted">No profile yet: the server runs unconfined. Below is the profile suggested from its command.</p> : null}
      <div className="grid-2">
        <label htmlFor={`${uid}-enabled`} className="inline">
          <input id={`${uid}-enabled`} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Run in the sandbox
        </label>
        <label htmlFor={`${uid}-network`}>
          Network
          <select id={`${uid}-network`} value={network} onChange={(e) => setNetwork(e.target.value as SandboxProfile['network'])}>
            <option value="none">None (not even loopback)</option>
            <option value="all">All</option>
          </select>
        </label>
      </div>
      <label htmlFor={`${uid}-ro`}>
        Read-only paths <span className="muted small">(one per line; “~/” is your home folder)</span>
        <textarea id={`${uid}-ro`} rows={3} value={readOnly} onChange={(e) => setReadOnly(e.target.value)} />
      </label>
      <label htmlFor={`${uid}-rw`}>
        Read-write paths <span className="muted small">(one per line)</span>
        <textarea id={`${uid}-rw`} rows={3} value={readWrite} onChange={(e) => setReadWrite(e.target.value)} />
      </label>
      <p className="muted small">Also read-only: the runtime (/usr, the command’s own install, the needed files of /etc). A fresh /tmp. Nothing else of the home folder. Environment: only what the server’s configuration sets.</p>
      <ErrorBanner error={save.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.busy}>Save profile</button>
        {view.suggested ? <button type="button" className="ghost" onClick={() => fill(view.suggested!)}>Use suggested</button> : null}
        {view.profile ? <button type="button" className="ghost danger-text" disabled={save.busy} onClick={() => void save.run(null)}>Remove profile</button> : null}
      </div>
    </form>
  );
}

export function SandboxPanel({ id, stderrTail, failed }: { id: string; stderrTail: string[]; failed: boolean }) {
  const query = useQuery(() => api['servers.sandbox']({ id }), [id]);
  const [saved, setSaved] = useState<ServerSandbox | null>(null);
  if (query.notAvailable) return <NotAvailable what="Sandbox" />;
  if (query.loading && !query.data) return <Spinner label="Loading the sandbox…" />;
  if (query.error) return <ErrorBanner error={query.error} onRetry={query.reload} />;
  const view = saved ?? query.data!;
  const confined = view.state.startsWith('bwrap') || view.state.startsWith('sandbox-exec');
  return (
    <div className="sandbox">
      <dl className="facts">
        <dt>Sandbox</dt><dd><strong data-testid="sandbox-state">{view.state}</strong></dd>
        <dt>This machine</dt><dd>{view.support.available ? `${view.support.mechanism} available` : view.support.message}</dd>
      </dl>
      {failed && confined ? (
        <div className="error-banner offline-banner" role="note">
          <p>The server failed inside its sandbox. If it needs a path or the network, widen its profile.</p>
          {stderrTail.length ? <pre className="logs">{salientStderr(stderrTail).join('\n')}</pre> : null}
        </div>
      ) : null}
      {view.state === 'remote' ? <p className="muted">Remote servers are reached over the network; no sandbox applies to them.</p> : <ProfileEditor view={view} onSaved={setSaved} />}
    </div>
  );
}
