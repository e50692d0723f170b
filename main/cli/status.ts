// `switchboard status`: is the daemon running, the state of each server, and audit delivery.
import type { Command } from 'commander';
import type { ForwarderStatus } from '../../shared/audit.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';
import { formatAuthFailures } from './auth-failures-output.ts';
import { formatStatus } from './servers.ts';

export function registerStatusCommand(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  program.command('status')
    .description('Is the daemon running, and the state of each server')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withApi(context, async ({ api, via }) => {
        if (via === 'in-process') {
          const ids = (await api['servers.list']({})).servers.map((s) => s.config.id);
          if (options.json) return out.json({ running: false, dataDir: context.dataDir, servers: ids });
          out(`daemon: not running (data: ${context.dataDir}); start it with \`switchboard serve\``);
          out(line`servers configured: ${ids.join(', ') || '(none)'}`);
          return;
        }
        const status = await api['daemon.status']({});
        const forwarder = await api['forwarder.status']({}).catch(() => undefined);
        if (options.json) return out.json({ running: true, ...status, ...(forwarder ? { forwarder } : {}) });
        out(line`daemon: running (pid ${status.pid}) since ${status.startedAt}`);
        out(`http: http://127.0.0.1:${status.httpPort}  socket: ${status.socketPath}  sessions: ${status.sessions}`);
        for (const server of status.servers) out(formatStatus(server));
        for (const text of formatAuthFailures(status.authFailures)) out(text);
        if (forwarder) out(formatForwarder(forwarder));
      });
    });
}

function formatForwarder(status: ForwarderStatus): string {
  if (!status.enabled) return 'audit forwarding: off (no gateway configured in policy or settings)';
  const parts = [line`audit forwarding: ${status.state} to ${status.url}`, `backlog ${status.backlog}`];
  if (status.failed > 0) parts.push(`refused by the gateway ${status.failed}`);
  if (status.droppedTotal > 0) parts.push(`dropped ${status.droppedTotal}`);
  parts.push(`last delivery ${status.lastSuccessAt ? new Date(status.lastSuccessAt).toISOString() : 'never'}`);
  const lines = [parts.join(', ')];
  if (status.lastError) lines.push(line`  last error (${new Date(status.lastError.at).toISOString()}${status.lastError.status ? `, HTTP ${status.lastError.status}` : ''}): ${status.lastError.message}`);
  return lines.join('\n');
}
