// Small building blocks every page uses: states (loading, empty, error, not available), badges,
// JSON display, a countdown.
import type { ReactNode } from 'react';
import { ApiError } from '../../shared/api/define.ts';

export function Spinner({ label }: { label: string }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children ? <div className="empty-next">{children}</div> : null}
    </div>
  );
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="empty not-available" role="note">
      <h3>{what} is not available</h3>
      <p>This daemon does not serve it yet. Update MCP Switchboard, or check that the daemon started completely (Settings shows what it serves).</p>
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: Error | null; onRetry?: () => void }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error-banner" role="alert">
      <strong>{code === 'forbidden' ? 'Not allowed' : code === 'unavailable' ? 'Unavailable' : code === 'invalid_input' ? 'Invalid input' : 'Error'}:</strong> {error.message}
      {error instanceof ApiError && error.issues?.length ? (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue.path + issue.message}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

const TONES: Record<string, string> = {
  ready: 'ok', running: 'ok', linked: 'ok', ok: 'ok', allow: 'ok', 'allow-once': 'ok', 'allow-session': 'ok', 'always-allow': 'ok', delivered: 'ok', idle: 'ok',
  starting: 'warn', ask: 'warn', drifted: 'warn', pending: 'warn', backoff: 'warn', sending: 'warn', timeout: 'warn', inflight: 'warn',
  failed: 'bad', deny: 'bad', denied: 'bad', tool_error: 'bad', protocol_error: 'bad', error: 'bad', crashed: 'bad', dropped: 'bad',
  burning: 'bad', firing: 'bad', circuit_open: 'bad', 'half-open': 'warn', rate_limited: 'warn', cleared: 'ok',
};

/** `stale`: the daemon is not reachable, so this is the last state heard, not the current one. */
export function Badge({ value, label, stale }: { value: string; label?: string; stale?: boolean }) {
  if (stale) {
    return <span className="badge badge-stale" title="The daemon is not reachable: this is the last state the page heard of">last known: {label ?? value}</span>;
  }
  return <span className={`badge badge-${TONES[value] ?? 'neutral'}`}>{label ?? value}</span>;
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else {
    text = JSON.stringify(value, null, 2) ?? 'undefined';
  }
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

export function Countdown({ until, now }: { until: number; now: number }) {
  // `now` ticks once a second; a card that appears between ticks must not show more than is left.
  const seconds = Math.max(0, Math.ceil((until - Math.max(now, Date.now())) / 1000));
  return (
    <span className={`countdown${seconds <= 10 ? ' countdown-urgent' : ''}`} aria-label={`${seconds} seconds left, then deny`}>
      {seconds}s
    </span>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="muted">{description}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}

export function formatTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toLocaleString();
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
