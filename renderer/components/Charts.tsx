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

/** How many characters of a tool's name fit beside its bar; longer names are shortened. */
const TOOL_LABEL_CHARS = 26;

/**
 * `server/tool` shortened to `max` characters: the server part gives way first (the tool is what
 * tells bars apart), then the tool's middle (names that differ only at their end stay apart).
 * The full name stays in the tick's tooltip.
 */
export function shortToolLabel(name: string, max = TOOL_LABEL_CHARS): string {
  if (name.length <= max) return name;
  const slash = name.indexOf('/');
  const tool = slash >= 0 ? name.slice(slash + 1) : name;
  const server = slash >= 0 ? name.slice(0, slash) : '';
  const serverRoom = max - tool.length - 2; // "…/"
  if (server && serverRoom >= 3) return `${server.slice(0, serverRoom)}…/${tool}`;
  const head = Math.ceil((max - 1) / 2);
  return `${tool.slice(0, head)}…${tool.slice(tool.length - (max - 1 - head))}`;
}

function ToolTick({ x = 0, y = 0, payload }: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  const name = String(payload?.value ?? '');
  return (
    <g transform={`translate(${x},${y})`} className="tool-tick">
      <title>{name}</title>
      <text x={-6} dy={4} textAnchor="end" fill="var(--muted)" fontSize={11}>{shortToolLabel(name)}</text>
    </g>
  );
}

/** Horizontal bars: one row per tool, so names read left to right however many tools there are. */
export function LatencyPerTool({ rows }: { rows: AuditStatsRow[] }) {
  const data = rows.slice(0, 12).map((r) => ({ tool: `${r.serverId}/${r.tool ?? '*'}`, p50: r.p50Ms ?? 0, p95: r.p95Ms ?? 0 }));
  return (
    <figure className="chart" aria-label="Latency per tool">
      <figcaption>Latency per tool (ms)</figcaption>
      <ResponsiveContainer width="100%" height={data.length * 30 + 70}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 0 }} barGap={1}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" horizontal={false} />
          <XAxis type="number" stroke="var(--muted)" fontSize={12} />
          <YAxis type="category" dataKey="tool" width={190} interval={0} stroke="var(--muted)" tick={ToolTick} />
          <Tooltip contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }} />
          <Legend />
          <Bar dataKey="p50" fill={COLORS.p50} isAnimationActive={false} />
          <Bar dataKey="p95" fill={COLORS.p95} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
