// The shell of the UI: navigation, the daemon's identity (app.info), live-connection state and
// the pending-approvals badge; the route picks the page. #/approval/<id> is the pop-up window.
import { useEffect, useState } from 'react';
import { api, hasToken, onStreamState, transportMode } from './api/client.ts';
import type { StreamState } from './api/event-stream.ts';
import { ErrorBanner, Spinner } from './components/common.tsx';
import { useEvent } from './hooks/useEvents.ts';
import { useQuery } from './hooks/useQuery.ts';
import { AppInfoContext, type AppInfoState } from './hooks/useServed.ts';
import { notifyApproval } from './notifications.ts';
import { ActivityPage } from './pages/ActivityPage.tsx';
import { ApprovalPopupPage } from './pages/ApprovalPopupPage.tsx';
import { ApprovalsPage } from './pages/ApprovalsPage.tsx';
import { ClientsPage } from './pages/ClientsPage.tsx';
import { PolicyPage } from './pages/PolicyPage.tsx';
import { ServersPage } from './pages/ServersPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { useRoute } from './router.ts';

const PAGES = [
  { path: '/servers', label: 'Servers' },
  { path: '/clients', label: 'Clients' },
  { path: '/activity', label: 'Activity' },
  { path: '/approvals', label: 'Approvals' },
  { path: '/policy', label: 'Policy' },
  { path: '/settings', label: 'Settings' },
] as const;

function usePendingCount(): number {
  const [count, setCount] = useState(0);
  const refresh = () => {
    api['approvals.list']({}).then((r) => setCount(r.pending.length), () => {});
  };
  useEffect(refresh, []);
  useEvent(['approval.added', 'approval.resolved'], (data, name) => {
    if (name === 'approval.added' && transportMode === 'http') notifyApproval(data);
    refresh();
  });
  return count;
}

function LiveIndicator() {
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(() => onStreamState(setState), []);
  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline — retrying';
  return (
    <span className={`live live-${state}`} role="status" title="Live updates from the daemon">
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

export function App() {
  const route = useRoute();
  const info = useQuery(() => api['app.info']({}), []);
  const pending = usePendingCount();
  const appInfo: AppInfoState | null = info.data
    ? { ...info.data, methods: new Set(info.data.methods) }
    : info.error
      ? { version: '?', dataDir: '?', mode: 'headless', methods: null }
      : null;

  if (!hasToken()) {
    return (
      <main className="standalone">
        <h1>MCP Switchboard</h1>
        <div className="error-banner" role="alert">
          This page has no API token. Open the UI with <code>switchboard serve --ui</code> (it opens the address with the token), or open the link it prints.
        </div>
      </main>
    );
  }

  if (route.segments[0] === 'approval') {
    return (
      <AppInfoContext.Provider value={appInfo}>
        <ApprovalPopupPage id={route.segments[1] ?? ''} />
      </AppInfoContext.Provider>
    );
  }

  const current = PAGES.find((p) => route.path.startsWith(p.path))?.path ?? '/servers';
  return (
    <AppInfoContext.Provider value={appInfo}>
      <div className="layout">
        <nav className="sidebar" aria-label="Main">
          <div className="sidebar-inner">
            <div className="brand">
              <span className="logo" aria-hidden="true">⇄</span> Switchboard
            </div>
            <ul>
              {PAGES.map((page) => (
                <li key={page.path}>
                  <a href={`#${page.path}`} aria-current={current === page.path ? 'page' : undefined}>
                    {page.label}
                    {page.path === '/approvals' && pending > 0 ? <span className="count" aria-label={`${pending} pending`}>{pending}</span> : null}
                  </a>
                </li>
              ))}
            </ul>
            <div className="sidebar-foot">
              <LiveIndicator />
              {info.data ? <span className="muted small">v{info.data.version} · {info.data.mode}</span> : null}
            </div>
          </div>
        </nav>
        <main className="content" id="main">
          {info.loading && !info.data ? <Spinner label="Connecting to the daemon…" /> : null}
          {info.error && !info.notAvailable ? <ErrorBanner error={info.error} onRetry={info.reload} /> : null}
          {current === '/servers' ? <ServersPage route={route} /> : null}
          {current === '/clients' ? <ClientsPage /> : null}
          {current === '/activity' ? <ActivityPage route={route} /> : null}
          {current === '/approvals' ? <ApprovalsPage /> : null}
          {current === '/policy' ? <PolicyPage /> : null}
          {current === '/settings' ? <SettingsPage /> : null}
        </main>
      </div>
    </AppInfoContext.Provider>
  );
}
