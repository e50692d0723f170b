// `switchboard health [--json] [--window 24h]`: per server and tool p50/p95/p99, success rate,
// error types, auth failures, SLO budget and burn rate, breaker and restarts (health.get).
// `switchboard health metrics-token`: creates the token that opens /metrics (printed once).
import type { Command } from 'commander';
import type { HealthReport, ServerHealth } from '../../shared/api/health.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import { parseTime } from './audit.ts';
import type { CliContext } from './context.ts';
import { columns, line, printer } from './output.ts';

const ms = (value: number | null) => (value === null ? '-' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`);
const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(value === 1 ? 0 : 2)}%`);

export function formatHealth(report: HealthReport): string[] {
  const out: string[] = [line`health over the last ${Math.round(report.windowMs / 3_600_000 * 10) / 10} h (at ${report.generatedAt})`];
  if (report.servers.length === 0) out.push('no servers');
  for (const server of report.servers) out.push(...formatServer(server));
  out.push(`auth failures: ${report.authFailures.total} since start, ${report.authFailures.lastHour} in the last hour${Object.keys(report.authFailures.byReason).length ? ` (${Object.entries(report.authFailures.byReason).map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`);
  for (const alert of report.alerts.slice(0, 5)) out.push(line`${alert.at} ${alert.message}`);
  return out;
}

function formatServer(server: ServerHealth): string[] {
  const head = line`${server.serverId}: ${server.state}, ${server.calls} calls, success ${pct(server.successRate)}, restarts ${server.restarts}${server.breaker ? `, breaker ${server.breaker}` : ''}${server.authFailures ? `, auth failures ${server.authFailures}` : ''}`;
  const lines = [head];
  if (server.tools.length > 0) {
    const rows = [['  tool', 'calls', 'success', 'p50', 'p95', 'p99', 'errors']];
    for (const tool of server.tools) {
      rows.push([`  ${tool.tool ?? '(none)'}`, String(tool.calls), pct(tool.successRate), ms(tool.p50), ms(tool.p95), ms(tool.p99), Object.entries(tool.errors).map(([k, n]) => `${k} ${n}`).join(', ') || '-']);
    }
    lines.push(columns(rows));
  }
  for (const slo of server.slos) {
    const objective = slo.kind === 'success' ? `success ${pct(slo.target)}` : `p95 < ${slo.target} ms`;
    lines.push(line`  SLO ${slo.tool ?? '*'} ${objective}: budget left ${pct(slo.budgetLeft)}, burn ${slo.shortBurn.toFixed(1)}x short / ${slo.longBurn.toFixed(1)}x long${slo.firing ? ' FIRING' : ''}`);
  }
  return lines;
}

export function registerHealthCommands(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const health = program.command('health')
    .description('Latency percentiles, success rate, errors, SLO burn and restarts per server and tool')
    .option('--json', 'print JSON')
    .option('--window <duration>', 'how far back, e.g. 1h, 24h, 7d (default 24h)')
    .action(async (options: { json?: boolean; window?: string }) => {
      const now = Date.now();
      const windowMs = options.window ? now - parseTime(options.window, now) : undefined;
      if (windowMs !== undefined && windowMs <= 0) throw new Error(`--window must be a duration like 1h, 24h or 7d, got "${options.window}"`);
      await withApi(context, async ({ api }) => {
        const report = await api['health.get'](windowMs !== undefined ? { windowMs } : {});
        if (options.json) return out.json(report);
        for (const text of formatHealth(report)) out(text);
      });
    });
  health.command('metrics-token')
    .description('Create the bearer token that opens /metrics (replaces the earlier one; shown once)')
    .action(async () => {
      await withApi(context, async ({ api }) => {
        const { token } = await api['health.metricsToken']({});
        out(token);
      });
    });
}
