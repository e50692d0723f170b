// The content of the desktop app's always-on-top approval pop-up (route #/approval/<id>). Main
// closes the window when the approval is resolved, wherever it was answered.
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ApprovalCard, type ApprovalAnswer } from '../components/ApprovalCard.tsx';
import { ErrorBanner, Spinner } from '../components/common.tsx';
import { useEvent, useNow } from '../hooks/useEvents.ts';
import { useAction, useQuery } from '../hooks/useQuery.ts';

export function ApprovalPopupPage({ id }: { id: string }) {
  const pending = useQuery(() => api['approvals.list']({}), [id]);
  const now = useNow();
  const [done, setDone] = useState<string | null>(null);
  const answer = useAction(async (value: ApprovalAnswer) => {
    await api['approvals.answer']({ id, answer: value });
    setDone(value);
  });
  useEvent('approval.resolved', (data) => {
    if (data.id === id) setDone(data.answer ?? 'resolved');
  });
  const approval = pending.data?.pending.find((a) => a.id === id);
  return (
    <main className="popup">
      <h1 className="popup-title">Approve tool call?</h1>
      <ErrorBanner error={pending.error ?? answer.error} />
      {pending.loading && !pending.data ? <Spinner label="Loading…" /> : null}
      {done ? <p role="status">Answered: {done}.</p> : null}
      {!done && pending.data && !approval ? <p role="status">This approval is no longer pending.</p> : null}
      {!done && approval ? <ApprovalCard approval={approval} now={now} busy={answer.busy} autoFocus onAnswer={(value) => void answer.run(value)} /> : null}
    </main>
  );
}
