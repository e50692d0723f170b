// The shell of the UI: navigation, the daemon's identity (app.info), live-connection state, the
// pending-approvals badge and the banner of the oldest pending approval with its answers (every
// page but Approvals, which lists them all); the route picks the page. #/approval/<id> is the
// pop-up window.
// Offline, the pages stay but are marked out of date; once the daemon refuses this page's token
// (it restarted), no page is shown at all, only how to open the UI again.
import { useEffect, useState } from 'react';
import { api, hasToken, transportMode, type Connection } from './api/client.ts';
import { ApprovalBanner } from './components/ApprovalBanner.tsx';
import type { ApprovalAnswer, ApprovalView } from './components/ApprovalCard.tsx';
import { ErrorBanner, Spinner, formatTime } from './components/common.tsx';
import { useConnection } from './hooks/useConnection.ts';
import { useEvent, useNow } from './hooks/useEvents.ts';
import { useAction, useQuery } from './hooks/useQuery.ts';
import { AppInfoContext, type AppInfoState } from './hooks/useServed.ts';
import { notifyApproval } from './notifications.ts';
import { ActivityPage } from './pages/ActivityPage.tsx';
import { ApprovalPopupPage } from './pages/ApprovalPopupPage.tsx';
import { ApprovalsPage } from './pages/ApprovalsPage.tsx';
import { CatalogPage } from './pages/CatalogPage.tsx';
import { ClientsPage } from './pages/ClientsPage.tsx';
import { HealthPage } from './pages/HealthPage.tsx';
import { PolicyPage } from './pages/PolicyPage.tsx';
import { ProfilesPage } from './pages/ProfilesPage.tsx';
import { ServersPage } from './pages/ServersPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { useRoute } from './router.ts';

const PAGES = [
  { path: '/servers', label: 'Servers' },
  { path: '/catalog', label: 'Catalog' },
  { path: '/clients', label: 'Clients' },
  { path: '/profiles', label: 'Profiles' },
  { path: '/activity', label: 'Activity' },
  { path: '/health', label: 'Health' },
  { path: '/approvals', label: 'Approvals' },
  { path: '/policy', label: 'Policy' },
  { path: '/settings', label: 'Settings' },
] as const;

function usePendingApprovals(): { pending: ApprovalView[]; refresh: () => void } {
  const [pending, setPending] = useState<ApprovalView[]>([]);
  const refresh = () => {
    api['approvals.list']({}).then((r) => setPending(r.pending), () => {});
  };
  useEffect(refresh, []);
  useEvent(['approval.added', 'approval.resolved'], (data, name) => {
    if (name === 'approval.added' && transportMode === 'http') notifyApproval(data);
    refresh();
  });
  return { pending, refresh };
}

function PendingApprovalBanner({ approvals }: { approvals: ReturnType<typeof usePendingApprovals> }) {
  const now = useNow();
  const answer = useAction(async (id: string, value: ApprovalAnswer) => {
    await api['approvals.answer']({ id, answer: value });
    approvals.refresh();
  });
  return <ApprovalBanner pending={approvals.pending} now={now} busy={answer.busy} error={answer.error} onAnswer={(id, value) => void answer.run(id, value)} />;
}

function LiveIndicator({ state }: { state: Connection['state'] }) {
  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : state === 'offline' ? 'Offline — retrying' : 'Access expired';
  return (
    <span className={`live live-${state}`} role="status" title="Live updates from the daemon">
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

/** The daemon answers but no longer accepts this page's token: say what to do, show no data. */
function AccessExpired() {
  return (
    <main className="standalone">
      <h1>MCP Switchboard</h1>
      <div className="error-banner" role="alert" aria-label="Access expired">
        <p><strong>The Switchboard daemon restarted, so this page's access token has expired.</strong></p>
        <p>
          Open the new address printed by <code>switchboard serve --ui</code> (it ends in <code>#token=…</code>; you can paste it into this tab).
          This page cannot reconnect with its old token, so it no longer shows the daemon's data.
        </p>
      </div>
    </main>
  );
}

/** Offline: what the pages show is the last the UI heard, not the daemon's current state. */
function OfflineBanner({ since }: { since: number }) {
  return (
    <div className="error-banner offline-banner" role="alert" aria-label="Daemon not reachable">
      <strong>The Switchboard daemon is not reachable</strong> (retrying). What this page shows is from {formatTime(since)} and may be out of date.
    </div>
  );
}

export function App() {
  const route = useRoute();
  const connection = useConnection();
  const info = useQuery(() => api['app.info']({}), []);
  const approvals = usePendingApprovals();
  const pending = approvals.pending.length;
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

  if (connection.state === 'expired') return <AccessExpired />;

  if (route.segments[0] === 'approval') {
    return (
      <AppInfoContext.Provider value={appInfo}>
        {connection.state === 'offline' ? <OfflineBanner since={connection.since} /> : null}
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
              <LiveIndicator state={connection.state} />
              {info.data ? <span className="muted small">v{info.data.version} · {info.data.mode}</span> : null}
            </div>
          </div>
        </nav>
        <main className="content" id="main">
          {connection.state === 'offline' ? <OfflineBanner since={connection.since} /> : null}
          {current !== '/approvals' && connection.state !== 'offline' ? <PendingApprovalBanner approvals={approvals} /> : null}
          <div className={connection.state === 'offline' ? 'page-body stale' : 'page-body'}>
            {info.loading && !info.data ? <Spinner label="Connecting to the daemon…" /> : null}
            {info.error && !info.notAvailable ? <ErrorBanner error={info.error} onRetry={info.reload} /> : null}
            {current === '/servers' ? <ServersPage route={route} /> : null}
            {current === '/catalog' ? <CatalogPage route={route} /> : null}
            {current === '/clients' ? <ClientsPage /> : null}
            {current === '/profiles' ? <ProfilesPage /> : null}
            {current === '/activity' ? <ActivityPage route={route} /> : null}
            {current === '/health' ? <HealthPage /> : null}
            {current === '/approvals' ? <ApprovalsPage /> : null}
            {current === '/policy' ? <PolicyPage /> : null}
            {current === '/settings' ? <SettingsPage /> : null}
          </div>
        </main>
      </div>
    </AppInfoContext.Provider>
  );
}
