// Activity charts (recharts): calls over time, and latency per tool.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditStatsRow, AuditTimelineBucket } from '../../shared/audit.ts';

const COLORS = { calls: 'var(--accent)', errors: 'var(--bad)', denied: 'var(--warn)', p50: 'var(--accent)', p95: 'var(--warn)' };

export function CallsOverTime({ buckets }: { buckets: AuditTimelineBucket[] }) {
  const multiDay = buckets.length > 1 && buckets[buckets.length - 1]!.start - buckets[0]!.start > 24 * 3600_000;
  const label = (start: number) => multiDay
    ? new Date(start).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : new Date(start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const data = buckets.map((b) => ({ time: label(b.start), calls: b.count, errors: b.errors, denied: b.denied }));
  return (
    <figure className="chart" aria-label="Calls over time">
      <figcaption>Calls over time</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="time" stroke="var(--muted)" fontSize={12} />
          <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={12} />
          <Tooltip contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }} />
          <Legend />
          <Line type="monotone" dataKey="calls" stroke={COLORS.calls} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="errors" stroke={COLORS.errors} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="denied" stroke={COLORS.denied} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function LatencyPerTool({ rows }: { rows: AuditStatsRow[] }) {
  const data = rows.slice(0, 12).map((r) => ({ tool: `${r.serverId}/${r.tool ?? '*'}`, p50: r.p50Ms ?? 0, p95: r.p95Ms ?? 0 }));
  return (
    <figure className="chart" aria-label="Latency per tool">
      <figcaption>Latency per tool (ms)</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="tool" stroke="var(--muted)" fontSize={11} interval={0} />
          <YAxis stroke="var(--muted)" fontSize={12} />
          <Tooltip contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }} />
          <Legend />
          <Bar dataKey="p50" fill={COLORS.p50} isAnimationActive={false} />
          <Bar dataKey="p95" fill={COLORS.p95} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
