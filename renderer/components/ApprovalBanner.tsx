// The oldest pending approval as a banner above every page (the Approvals page lists them all in
// full instead), with its answer buttons: in the web UI there is no pop-up window, and a badge on
// the Approvals link alone is easy to miss while a client waits. Deny comes first; nothing is
// focused automatically, so typing on the page underneath never answers it.
import { Countdown } from './common.tsx';
import { approvalDeadline, offeredAnswers, type ApprovalAnswer, type ApprovalView } from './ApprovalCard.tsx';

export function ApprovalBanner({ pending, now, busy, error, onAnswer }: {
  pending: readonly ApprovalView[];
  now: number;
  busy: boolean;
  error: Error | null;
  onAnswer: (id: string, answer: ApprovalAnswer) => void;
}) {
  const approval = pending[0];
  if (!approval) return null;
  const deadline = approvalDeadline(approval);
  const client = approval.client?.name ?? approval.clientLabel ?? 'A client';
  const more = pending.length - 1;
  return (
    <section className="approval-banner" role="region" aria-label="Pending approval" data-approval-id={approval.id}>
      <div className="approval-banner-text">
        <strong>{client}</strong> wants to call <code>{approval.tool}</code> on <strong>{approval.serverId}</strong>
        {approval.kind === 'pinning' ? <> (its definition changed)</> : null}
        <span className="muted"> · rule <code>{approval.rule ?? 'policy'}</code></span>
        {deadline !== null ? <> · <Countdown until={deadline} now={now} /></> : null}
        {more > 0 ? <> · <a href="#/approvals">{more} more waiting</a></> : <> · <a href="#/approvals">details</a></>}
        {error ? <div className="bad-text" role="alert">Could not answer: {error.message}</div> : null}
      </div>
      <div className="answer-row" role="group" aria-label="Answer">
        {offeredAnswers(approval).map((a) => (
          <button key={a.answer} type="button" className={a.className} disabled={busy} onClick={() => onAnswer(approval.id, a.answer)}>
            {a.label}
          </button>
        ))}
      </div>
    </section>
  );
}
