// One pending approval: who asks, for what, which rule asked, the arguments, a countdown, and the
// four answers with Deny focused by default (Enter on an unread prompt never allows anything).
import { useEffect, useRef } from 'react';
import { Badge, Countdown, JsonView } from './common.tsx';
import { DiffView } from './DiffView.tsx';

export type ApprovalAnswer = 'deny' | 'allow-once' | 'allow-session' | 'always-allow';

export interface ApprovalView {
  id: string;
  kind?: string;
  serverId?: string;
  tool?: string;
  client?: { name: string; version?: string } | null;
  clientLabel?: string;
  arguments?: unknown;
  rule?: string;
  source?: string;
  reason?: string;
  change?: { old: unknown; new: unknown } | null;
  choices?: readonly string[];
  createdAt?: string | number;
  expiresAt?: string | number;
}

const ANSWERS: Array<{ answer: ApprovalAnswer; label: string; className: string }> = [
  { answer: 'deny', label: 'Deny', className: 'danger' },
  { answer: 'allow-once', label: 'Allow once', className: '' },
  { answer: 'allow-session', label: 'Allow for session', className: '' },
  { answer: 'always-allow', label: 'Always allow', className: '' },
];

/** The answers this approval offers (deny always), in the order the buttons show them. */
export function offeredAnswers(approval: ApprovalView): Array<{ answer: ApprovalAnswer; label: string; className: string }> {
  const allowed = new Set(approval.choices ?? ANSWERS.map((a) => a.answer));
  allowed.add('deny');
  return ANSWERS.filter((a) => allowed.has(a.answer));
}

export function approvalDeadline(approval: ApprovalView): number | null {
  if (approval.expiresAt === undefined) return null;
  const t = typeof approval.expiresAt === 'number' ? approval.expiresAt : Date.parse(approval.expiresAt);
  return Number.isNaN(t) ? null : t;
}

export function ApprovalCard({ approval, now, busy, onAnswer, autoFocus }: {
  approval: ApprovalView;
  now: number;
  busy: boolean;
  onAnswer: (answer: ApprovalAnswer) => void;
  autoFocus?: boolean;
}) {
  const denyRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (autoFocus) denyRef.current?.focus();
  }, [autoFocus, approval.id]);
  const deadline = approvalDeadline(approval);
  const client = approval.client ? `${approval.client.name}${approval.client.version ? ` ${approval.client.version}` : ''}` : approval.clientLabel ?? 'unknown client';
  return (
    <article className="card approval" aria-labelledby={`approval-${approval.id}-title`} data-approval-id={approval.id}>
      <header className="approval-head">
        <h3 id={`approval-${approval.id}-title`}>
          <span className="muted">{approval.serverId}</span> / <code>{approval.tool}</code>
        </h3>
        {deadline !== null ? <Countdown until={deadline} now={now} /> : null}
      </header>
      <dl className="facts">
        <dt>Client</dt>
        <dd>{client}{approval.clientLabel && approval.client ? <span className="muted"> ({approval.clientLabel})</span> : null}</dd>
        <dt>Asked by</dt>
        <dd>
          <code>{approval.rule ?? 'policy'}</code> {approval.source ? <Badge value={approval.source} /> : null}
          {approval.kind === 'pinning' ? <Badge value="ask" label="definition changed" /> : null}
        </dd>
        {approval.reason ? (
          <>
            <dt>Why</dt>
            <dd>{approval.reason}</dd>
          </>
        ) : null}
      </dl>
      {approval.change ? (
        <details open>
          <summary>What changed in the tool's definition</summary>
          <DiffView before={approval.change.old} after={approval.change.new} />
        </details>
      ) : null}
      <h4>Arguments</h4>
      <JsonView value={approval.arguments ?? {}} label="Arguments" />
      <div className="answer-row" role="group" aria-label="Answer">
        {offeredAnswers(approval).map((a) => (
          <button
            key={a.answer}
            type="button"
            ref={a.answer === 'deny' ? denyRef : undefined}
            className={a.className}
            disabled={busy}
            onClick={() => onAnswer(a.answer)}
          >
            {a.label}
          </button>
        ))}
      </div>
    </article>
  );
}
