import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import type { AuditFilter, AuditRecord } from '../../shared/audit.ts';
import { auditStats, auditTimeline, exportAudit, queryAudit } from '../api/audit.ts';
import { Badge, EmptyState, ErrorBanner, JsonView, NotAvailable, PageHeader, Spinner, formatMs, formatTime } from '../components/common.tsx';
import { CallsOverTime, LatencyPerTool } from '../components/Charts.tsx';
import { fillTimeline } from '../components/timeline.ts';
import { useEvent } from '../hooks/useEvents.ts';
import { useQuery } from '../hooks/useQuery.ts';
import type { Route } from '../router.ts';

const RANGES = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000, bucket: 60_000 },
  { id: '1h', label: 'Last hour', ms: 3600_000, bucket: 5 * 60_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000, bucket: 3600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000, bucket: 6 * 3600_000 },
] as const;

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ActivityPage({ route }: { route: Route }) {
  const [range, setRange] = useState<(typeof RANGES)[number]['id']>('24h');
  const [draft, setDraft] = useState<AuditFilter>({ ...(route.params.get('server') ? { serverId: route.params.get('server')! } : {}) });
  const [filter, setFilter] = useState<AuditFilter>(draft);
  const [older, setOlder] = useState<AuditRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [exporting, setExporting] = useState<{ done: number } | null>(null);
  const [exportError, setExportError] = useState<Error | null>(null);
  const rangeSpec = RANGES.find((r) => r.id === range)!;
  const full = useMemo(() => ({ ...filter, since: Date.now() - rangeSpec.ms }), [filter, rangeSpec.ms]);

  const page = useQuery(() => queryAudit({ ...full, limit: 50 }), [full]);
  const timeline = useQuery(async () => fillTimeline(await auditTimeline({ ...full, bucketMs: rangeSpec.bucket }), full.since, Date.now(), rangeSpec.bucket), [full]);
  const stats = useQuery(() => auditStats({ ...full, groupBy: 'tool' }), [full]);

  useEffect(() => {
    setOlder([]);
    setCursor(page.data?.nextCursor ?? null);
  }, [page.data]);

  // Live updates: a burst of calls refreshes the first page and charts at most twice a second.
  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEvent('audit.record', () => {
    if (pendingRefresh.current) return;
    pendingRefresh.current = setTimeout(() => {
      pendingRefresh.current = null;
      page.reload();
      timeline.reload();
      stats.reload();
    }, 500);
  });
  useEffect(() => () => { if (pendingRefresh.current) clearTimeout(pendingRefresh.current); }, []);

  const loadMore = async () => {
    if (!cursor) return;
    const next = await queryAudit({ ...full, limit: 50, cursor });
    setOlder((o) => [...o, ...next.records]);
    setCursor(next.nextCursor);
  };

  const exportAll = async (format: 'jsonl' | 'csv') => {
    setExportError(null);
    setExporting({ done: 0 });
    try {
      const { content } = await exportAudit(full, format, (done) => setExporting({ done }));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      if (format === 'jsonl') download(`switchboard-audit-${stamp}.jsonl`, 'application/x-ndjson', content);
      else download(`switchboard-audit-${stamp}.csv`, 'text/csv', content);
    } catch (error) {
      setExportError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setExporting(null);
    }
  };

  if (page.notAvailable) return <><PageHeader title="Activity" /><NotAvailable what="The audit log" /></>;
  const records = [...(page.data?.records ?? []), ...older];
  const set = (patch: Partial<AuditFilter>) => setDraft((d) => {
    const next: Record<string, unknown> = { ...d, ...patch };
    for (const key of Object.keys(next)) if (next[key] === '' || next[key] === undefined) delete next[key];
    return next as AuditFilter;
  });

  return (
    <>
      <PageHeader
        title="Activity"
        description="Every tool call, resource read and prompt that passed the proxy, with the decision that let it through or stopped it."
        actions={
          <>
            <button type="button" className="ghost" disabled={!!exporting || records.length === 0} onClick={() => void exportAll('jsonl')}>Export JSONL</button>
            <button type="button" className="ghost" disabled={!!exporting || records.length === 0} onClick={() => void exportAll('csv')}>Export CSV</button>
          </>
        }
      />
      {exporting ? <Spinner label={`Exporting… ${exporting.done} records`} /> : null}
      <ErrorBanner error={exportError} />
      <form className="filters" aria-label="Filters" onSubmit={(e) => { e.preventDefault(); setFilter(draft); }}>
        <label>Time<select value={range} onChange={(e) => setRange(e.target.value as typeof range)}>{RANGES.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}</select></label>
        <label>Server<input value={draft.serverId ?? ''} onChange={(e) => set({ serverId: e.target.value })} placeholder="any" /></label>
        <label>Tool<input value={draft.tool ?? ''} onChange={(e) => set({ tool: e.target.value })} placeholder="any" /></label>
        <label>Client<input value={draft.client ?? ''} onChange={(e) => set({ client: e.target.value })} placeholder="any" /></label>
        <label>Decision<select value={draft.decision ?? ''} onChange={(e) => set({ decision: (e.target.value || undefined) as AuditFilter['decision'] })}><option value="">any</option><option value="allow">allow</option><option value="ask">ask</option><option value="deny">deny</option></select></label>
        <label>Outcome<select value={draft.outcome ?? ''} onChange={(e) => set({ outcome: (e.target.value || undefined) as AuditFilter['outcome'] })}><option value="">any</option>{['ok', 'tool_error', 'protocol_error', 'timeout', 'cancelled', 'denied', 'invalid_arguments', 'interrupted', 'rate_limited', 'circuit_open'].map((o) => <option key={o} value={o}>{o}</option>)}</select></label>
        <label className="grow">Search<input type="search" value={draft.text ?? ''} onChange={(e) => set({ text: e.target.value })} placeholder="tool, error, rule…" /></label>
        <button type="submit" className="primary">Apply</button>
      </form>
      <div className="charts">
        {timeline.data?.some((b) => b.count > 0) ? <CallsOverTime buckets={timeline.data} /> : null}
        {stats.data && stats.data.length > 0 ? <LatencyPerTool rows={stats.data} /> : null}
      </div>
      <ErrorBanner error={page.error} onRetry={page.reload} />
      {page.loading && !page.data ? <Spinner label="Loading activity…" /> : null}
      {page.data && records.length === 0 ? (
        <EmptyState title="No calls in this range">
          <p>Link a client on the <a href="#/clients">Clients</a> page (or point it at <code>switchboard bridge &lt;server&gt;</code>) and use a tool: each call appears here as it happens.</p>
        </EmptyState>
      ) : null}
      {records.length > 0 ? (
        <div className="table-wrap">
          <table className="activity" aria-label="Audit records">
            <thead><tr><th>Time</th><th>Client</th><th>Server</th><th>Tool / target</th><th>Decision</th><th>Outcome</th><th>Duration</th></tr></thead>
            <tbody>
              {records.map((r) => (
                <Fragment key={r.id}>
                  <tr className={selected === r.id ? 'selected' : undefined}>
                    <td><button type="button" className="link" aria-expanded={selected === r.id} onClick={() => setSelected(selected === r.id ? null : r.id)}>{formatTime(r.time)}</button></td>
                    <td>{r.clientName ?? r.clientLabel ?? '—'}</td>
                    <td>{r.serverId}</td>
                    <td><code>{r.target ?? r.method}</code></td>
                    <td>{r.decision ? <Badge value={r.decision} /> : '—'}{r.approver ? <span className="muted small"> {r.approver}</span> : null}</td>
                    <td><Badge value={r.outcome} /></td>
                    <td>{formatMs(r.durationMs)}</td>
                  </tr>
                  {selected === r.id ? (
                    <tr className="record-details">
                      <td colSpan={7}>
                        <dl className="facts">
                          <dt>Method</dt><dd>{r.method}</dd>
                          <dt>Rule</dt><dd>{r.rule ? <><code>{r.rule}</code> ({r.source})</> : '—'}</dd>
                          {r.errorMessage ? <><dt>Error</dt><dd>{r.errorType}: {r.errorMessage}</dd></> : null}
                          <dt>Session</dt><dd>{r.sessionId ?? '—'} · {r.transport ?? '—'}</dd>
                          <dt>Bytes</dt><dd>{r.bytesIn ?? '—'} in · {r.bytesOut ?? '—'} out</dd>
                          <dt>Tokens (est., bytes/4)</dt><dd>{r.estTokensIn ?? '—'} in · {r.estTokensOut ?? '—'} out</dd>
                          {r.guardrailRule || r.guardrailFlags ? <><dt>Guardrails</dt><dd>{r.guardrailRule ? <code>{r.guardrailRule}</code> : null}{r.detectors ? ` · detectors: ${r.detectors}` : ''}{r.guardrailFlags ? ` · ${r.guardrailFlags}` : ''}</dd></> : null}
                          <dt>Delivery</dt><dd><Badge value={r.delivery} /></dd>
                        </dl>
                        {r.arguments !== null ? <JsonView value={r.arguments} label="Arguments" /> : <p className="muted small">Arguments not captured ({r.captureMode ?? 'none'}).</p>}
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
          {cursor ? <button type="button" className="ghost" onClick={() => void loadMore()}>Load older</button> : null}
        </div>
      ) : null}
    </>
  );
}
