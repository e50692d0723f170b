// `switchboard approvals list | answer <id> <answer> | history`: talks to the running daemon.
import type { Command } from 'commander';
import type { ApiClient } from '../../shared/api/define.ts';
import { ApprovalAnswerSchema, approvalsContract, type PendingApprovalView } from '../../shared/api/approvals.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';

export interface ApprovalsCommandContext extends CliContext {
  /** The running daemon's approvals API, or undefined when none runs (default: via daemon.json). */
  connect?: () => ApiClient<typeof approvalsContract> | undefined | Promise<ApiClient<typeof approvalsContract> | undefined>;
}

export function registerApprovalsCommands(program: Command, context: ApprovalsCommandContext): Command {
  const out = printer(context.stdout);
  const daemon = async () => {
    const api = await (context.connect ?? (async () => (await connectToDaemon(context.dataDir, approvalsContract))?.api))();
    if (!api) throw new Error(`the daemon is not running (data: ${context.dataDir}); approvals exist only while it runs — start it with \`switchboard serve\``);
    return api;
  };
  const approvals = program.command('approvals').description('Calls waiting for your answer');

  approvals.command('list')
    .description('Pending approvals')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { pending } = await (await daemon())['approvals.list']({});
      if (options.json) return out.json(pending);
      if (pending.length === 0) return out('no pending approvals');
      for (const p of pending) out(formatPending(p));
    });

  approvals.command('answer <id> <answer>')
    .description(`Answer a pending approval: ${ApprovalAnswerSchema.options.join(' | ')}`)
    .action(async (id: string, answer: string) => {
      const parsed = ApprovalAnswerSchema.safeParse(answer);
      if (!parsed.success) throw new Error(`answer must be one of ${ApprovalAnswerSchema.options.join(', ')}`);
      const { approval } = await (await daemon())['approvals.answer']({ id, answer: parsed.data });
      out(line`${approval.answer}: ${approval.serverId}/${approval.tool} (${approval.id})`);
    });

  approvals.command('history')
    .description('Recently answered, timed-out or withdrawn approvals')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      const { history } = await (await daemon())['approvals.history']({ limit: options.limit });
      if (options.json) return out.json(history);
      if (history.length === 0) return out('no approvals yet');
      for (const h of history) out(line`${h.resolvedAt}  ${h.answer.padEnd(13)} ${h.serverId}/${h.tool}  by ${h.by}  (${h.rule})`);
    });

  return approvals;
}

function formatPending(p: PendingApprovalView): string {
  const who = p.client ? `${p.client.name} ${p.client.version}` : p.clientLabel;
  const lines = [
    line`${p.id}`,
    line`  ${p.kind === 'pinning' ? 'changed tool' : 'call'}: ${p.serverId}/${p.tool}  from ${who}`,
    line`  rule: ${p.rule}${p.reason ? ` — ${p.reason}` : ''}`,
    line`  arguments: ${JSON.stringify(p.arguments)}`,
    line`  expires: ${p.expiresAt}`,
    line`  answer with: switchboard approvals answer ${p.id} ${p.choices.join('|')}`,
  ];
  if (p.change) lines.splice(3, 0, line`  description was: ${JSON.stringify((p.change.old as { description?: string }).description ?? '')}`, line`  description now: ${JSON.stringify((p.change.new as { description?: string }).description ?? '')}`);
  return lines.join('\n');
}
