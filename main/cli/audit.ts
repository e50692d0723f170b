// `switchboard audit list | export | stats`: reads <dataDir>/audit.db directly and read-only
// (WAL lets it read while the daemon writes), so it works whether or not the daemon runs.
// `switchboard audit retry` asks the running daemon's forwarder to deliver now. Tables escape
// control characters in every cell (output.ts); `export` writes the records exactly (JSONL, CSV).
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { auditContract } from '../../shared/api/audit.ts';
import { AuditFilterSchema, AuditOutcomeSchema, type AuditFilter, type AuditRecord } from '../../shared/audit.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import { AuditQueries } from '../audit/audit-queries.ts';
import { auditDbPath, openAuditDatabase } from '../audit/database.ts';
import { settleAuditFile } from '../audit/store.ts';
import { csvHeader, formatRecord, type ExportFormat } from '../audit/audit-export.ts';
import { columns, jsonText, terminalText } from './output.ts';

export interface AuditCommandContext {
  dataDir: string;
  stdout?: Writable;
  stderr?: Writable;
}

interface FilterOptions {
  since?: string;
  until?: string;
  server?: string;
  tool?: string;
  client?: string;
  outcome?: string;
  decision?: string;
  text?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "15m", "2h", "7d" (ago) or an ISO date/time. */
export function parseTime(value: string, now = Date.now()): number {
  const relative = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`cannot read time "${value}": use an ISO date like 2026-11-23T09:00:00Z or a duration like 15m, 2h, 7d`);
  return parsed;
}

function toFilter(options: FilterOptions): AuditFilter {
  return AuditFilterSchema.parse({
    ...(options.since ? { since: parseTime(options.since) } : {}),
    ...(options.until ? { until: parseTime(options.until) } : {}),
    ...(options.server ? { serverId: options.server } : {}),
    ...(options.tool ? { tool: options.tool } : {}),
    ...(options.client ? { client: options.client } : {}),
    ...(options.outcome ? { outcome: options.outcome } : {}),
    ...(options.decision ? { decision: options.decision } : {}),
    ...(options.text ? { text: options.text } : {}),
  });
}

function addFilterOptions(command: Command): Command {
  return command
    .option('--since <time>', 'from this time: ISO date or 15m, 2h, 7d ago')
    .option('--until <time>', 'before this time')
    .option('--server <id>', 'only this server')
    .option('--tool <name>', 'only this tool, prompt or resource')
    .option('--client <name>', 'only this client (name or token label)')
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(AuditOutcomeSchema.options))
    .addOption(new Option('--decision <decision>', 'only this decision').choices(['allow', 'deny', 'ask']))
    .option('--text <text>', 'text in the target, error, rule or server');
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--limit must be a whole number from 1 to 1000, got "${value}"`);
  return n;
}

export function registerAuditCommands(program: Command, context: AuditCommandContext): Command {
  const out = context.stdout ?? process.stdout;
  const open = (): { queries: AuditQueries; close: () => void } => {
    const path = auditDbPath(context.dataDir);
    if (!existsSync(path)) throw new Error(`no audit records yet: ${path} does not exist (the daemon creates it when it records its first call)`);
    settleAuditFile(path); // calls a running daemon finished in the last moments are indexed in batches
    const db = openAuditDatabase(path, { readonly: true });
    return { queries: new AuditQueries(db), close: () => db.close() };
  };

  const audit = program.command('audit').description('Read the audit log of proxied calls');

  addFilterOptions(audit.command('list'))
    .description('Show recent calls, newest first')
    .option('--json', 'print JSON (one object with records and nextCursor)')
    .option('--limit <n>', 'how many (1-1000)', parseLimit, 50)
    .option('--cursor <id>', 'continue after this record id (from a previous --json page)')
    .action((options: FilterOptions & { json?: boolean; limit: number; cursor?: string }) => {
      const { queries, close } = open();
      try {
        const page = queries.list({ ...toFilter(options), limit: options.limit, ...(options.cursor ? { cursor: options.cursor } : {}) });
        out.write(options.json ? `${jsonText(page)}\n` : table(page.records));
      } finally {
        close();
      }
    });

  addFilterOptions(audit.command('export'))
    .description('Write every matching record to stdout, oldest first (streamed)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .action(async (options: FilterOptions & { format: ExportFormat }) => {
      const { queries, close } = open();
      try {
        await exportRecords(queries.iterate(toFilter(options)), options.format, out);
      } finally {
        close();
      }
    });

  addFilterOptions(audit.command('stats'))
    .description('Counts, errors and latency percentiles per server or tool')
    .addOption(new Option('--by <group>', 'group by').choices(['server', 'tool']).default('tool'))
    .option('--json', 'print JSON')
    .action((options: FilterOptions & { by: 'server' | 'tool'; json?: boolean }) => {
      const { queries, close } = open();
      try {
        const rows = queries.stats({ ...toFilter(options), groupBy: options.by });
        if (options.json) {
          out.write(`${jsonText(rows)}\n`);
          return;
        }
        const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
        out.write(columns([['SERVER', 'TOOL', 'CALLS', 'ERRORS', 'DENIED', 'P50 MS', 'P95 MS', 'P99 MS'],
          ...rows.map((r) => [r.serverId, r.tool ?? '-', String(r.count), String(r.errors), String(r.denied), ms(r.p50Ms), ms(r.p95Ms), ms(r.p99Ms)])]));
      } finally {
        close();
      }
    });

  audit.command('retry')
    .description('Deliver to the gateway now: forget the backoff and queue again the batches the gateway refused (after fixing the network, token or gateway)')
    .action(async () => {
      const daemon = await connectToDaemon(context.dataDir, auditContract);
      if (!daemon) throw new Error(`the daemon is not running (data: ${context.dataDir}); records are delivered when it runs: start it with \`switchboard serve\``);
      const { requeued } = await daemon.api['forwarder.retryFailed']({});
      const status = await daemon.api['forwarder.status']({});
      if (!status.enabled) {
        out.write('audit forwarding is off: no gateway is configured in policy or settings\n');
        return;
      }
      out.write(terminalText(`retrying delivery to ${status.url} now: ${status.backlog} records waiting${requeued > 0 ? ` (${requeued} refused before, queued again)` : ''}\n`));
    });

  return audit;
}

/** Writes records as they are read, waiting for the stream to drain: memory stays bounded. */
export async function exportRecords(records: Iterable<AuditRecord>, format: ExportFormat, out: Writable): Promise<number> {
  let count = 0;
  let buffer = format === 'csv' ? csvHeader() : '';
  for (const record of records) {
    buffer += formatRecord(record, format);
    count++;
    if (buffer.length >= 64 * 1024) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  if (buffer && !out.write(buffer)) await once(out, 'drain');
  return count;
}

function table(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'no matching calls\n';
  return columns([['TIME (UTC)', 'SERVER', 'METHOD', 'TARGET', 'OUTCOME', 'DECISION', 'MS', 'CLIENT'],
    ...records.map((r) => [
      new Date(r.time).toISOString().replace('T', ' ').slice(0, 19), r.serverId, r.method, truncate(r.target ?? '-', 40), r.outcome,
      r.decision ? `${r.decision}${r.rule ? ` (${truncate(r.rule, 30)})` : ''}` : '-', r.durationMs === null ? '-' : r.durationMs.toFixed(1),
      r.clientName ?? r.clientLabel ?? '-',
    ])]);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
