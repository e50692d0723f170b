import { useState } from 'react';
import { ApiError } from '../../shared/api/define.ts';
import { api, transportMode } from '../api/client.ts';
import { ApprovalCard, type ApprovalAnswer } from '../components/ApprovalCard.tsx';
import { Badge, EmptyState, ErrorBanner, NotAvailable, PageHeader, Spinner, formatTime } from '../components/common.tsx';
import { useEvent, useNow } from '../hooks/useEvents.ts';
import { useAction, useQuery } from '../hooks/useQuery.ts';
import { useServed } from '../hooks/useServed.ts';
import { enableNotifications, notificationsSupported } from '../notifications.ts';

export function ApprovalsPage() {
  const served = useServed('approvals.list', 'approvals.answer');
  const pending = useQuery(() => api['approvals.list']({}), []);
  const history = useQuery(() => api['approvals.history']({ limit: 50 }), []);
  const now = useNow();
  const [permission, setPermission] = useState(() => (notificationsSupported() ? Notification.permission : 'unsupported'));
  // An answered approval leaves the list at once, not when the list reloads: until then its card
  // would still offer buttons for a request that no longer waits (the next card's click could land on it).
  const [settled, setSettled] = useState<ReadonlySet<string>>(() => new Set());
  const settle = (id: string) => setSettled((ids) => new Set(ids).add(id));
  const answer = useAction(async (id: string, value: ApprovalAnswer) => {
    try {
      await api['approvals.answer']({ id, answer: value });
    } catch (error) {
      // Answered elsewhere (the pop-up, the CLI) or timed out meanwhile: nothing is left to answer.
      if (!(error instanceof ApiError && error.code === 'not_found')) throw error;
    } finally {
      pending.reload();
      history.reload();
    }
    settle(id);
  });
  useEvent(['approval.added', 'approval.resolved'], (data, name) => {
    if (name === 'approval.resolved') settle(data.id);
    pending.reload();
    history.reload();
  });

  if (!served || pending.notAvailable) return <><PageHeader title="Approvals" /><NotAvailable what="Approvals" /></>;
  const list = (pending.data?.pending ?? []).filter((approval) => !settled.has(approval.id));
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Tool calls that policy says to ask about wait here until you answer; with no answer they are denied at the countdown's end."
        actions={transportMode === 'http' && permission === 'default' ? (
          <button type="button" onClick={() => void enableNotifications().then(setPermission)}>Notify me of new approvals</button>
        ) : null}
      />
      <ErrorBanner error={pending.error ?? answer.error} onRetry={pending.reload} />
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending {list.length > 0 ? <span className="count">{list.length}</span> : null}</h2>
        {pending.loading && !pending.data ? <Spinner label="Loading pending approvals…" /> : null}
        {pending.data && list.length === 0 ? (
          <EmptyState title="Nothing is waiting for you">
            <p>When a client calls a tool that a rule marks <code>ask</code>, it appears here (and in a pop-up in the desktop app). Rules are on the Policy page.</p>
          </EmptyState>
        ) : null}
        <div className="stack">
          {list.map((approval, index) => (
            <ApprovalCard key={approval.id} approval={approval} now={now} busy={answer.busy} autoFocus={index === 0} onAnswer={(value) => void answer.run(approval.id, value)} />
          ))}
        </div>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {history.data && history.data.history.length === 0 ? <p className="muted">No approvals answered yet.</p> : null}
        {history.data && history.data.history.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr><th>Answered</th><th>Server / tool</th><th>Client</th><th>Rule</th><th>Answer</th><th>By</th></tr>
              </thead>
              <tbody>
                {history.data.history.map((h) => (
                  <tr key={h.id}>
                    <td>{formatTime(h.resolvedAt)}</td>
                    <td>{h.serverId} / <code>{h.tool}</code></td>
                    <td>{h.client?.name ?? h.clientLabel}</td>
                    <td><code>{h.rule}</code></td>
                    <td><Badge value={h.answer} /></td>
                    <td>{h.by}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
