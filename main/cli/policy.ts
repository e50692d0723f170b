// `switchboard policy show [--json] | check <server> <tool> [--args JSON] | validate <file>`.
// show and check ask the running daemon (it knows the tools' annotations and the fresh org
// policy); without one they compute the policy from the files on this machine.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../../shared/api/define.ts';
import { policyContract } from '../../shared/api/policy.ts';
import type { EffectivePolicy } from '../../shared/policy.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import { signPolicy } from '../orgsync/signature.ts';
import { loadLocalPolicy } from '../policy/local-policy.ts';
import { managedPolicyPath } from '../policy/managed-source.ts';
import { validatePolicyText } from '../policy/validate.ts';
import type { CliContext } from './context.ts';
import { line, printer, terminalText } from './output.ts';

export interface PolicyCommandContext extends CliContext {
  /** Where the managed policy lives (default: the OS path or $SWITCHBOARD_MANAGED_POLICY). */
  managedPath?: string;
  /** The running daemon's policy API, or undefined when none runs (default: via daemon.json). */
  connect?: () => ApiClient<typeof policyContract> | undefined | Promise<ApiClient<typeof policyContract> | undefined>;
}

export function registerPolicyCommands(program: Command, context: PolicyCommandContext): Command {
  const out = printer(context.stdout);
  const connect = context.connect ?? (async () => (await connectToDaemon(context.dataDir, policyContract))?.api);
  const local = () => loadLocalPolicy({ dataDir: context.dataDir, managedPath: context.managedPath ?? managedPolicyPath() });
  const policy = program.command('policy').description('Show, check and validate the policy (managed, org and user sources)');

  policy.command('show')
    .description('The effective policy: sources, every rule with its source, settings and locks')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const daemon = await connect();
      let effective: EffectivePolicy;
      let note = 'from the running daemon';
      if (daemon) effective = await daemon['policy.effective']({});
      else {
        const loaded = await local();
        effective = loaded.engine.effective();
        note = 'daemon not running: computed from the files on this machine (org policy from its cache)';
        for (const warning of loaded.warnings) context.stderr.write(terminalText(`warning: ${warning}\n`));
      }
      if (options.json) return out.json(effective);
      out(formatEffective(effective, note));
    });

  policy.command('check <server> <tool>')
    .description('What policy decides for a call, and why')
    .option('--args <json>', 'call arguments as a JSON object')
    .option('--kind <kind>', 'tool, prompt or resource', 'tool')
    .option('--json', 'print JSON')
    .action(async (serverId: string, tool: string, options: { args?: string; kind: string; json?: boolean }) => {
      let args: Record<string, unknown> = {};
      if (options.args !== undefined) {
        try {
          args = JSON.parse(options.args) as Record<string, unknown>;
        } catch (error) {
          throw new Error(`--args is not valid JSON: ${(error as Error).message}`);
        }
        if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new Error('--args must be a JSON object');
      }
      if (!['tool', 'prompt', 'resource'].includes(options.kind)) throw new Error('--kind must be tool, prompt or resource');
      const kind = options.kind as 'tool' | 'prompt' | 'resource';
      const daemon = await connect();
      let result;
      if (daemon) result = await daemon['policy.check']({ serverId, tool, kind, arguments: args });
      else {
        const { engine, servers } = await local();
        const server = servers.find((s) => s.id === serverId);
        const admission = server ? engine.admitServer(server) : null;
        // As the proxy (and the daemon's check) do: a server that is not configured is refused before any tool rule.
        const decision = !server
          ? { action: 'deny' as const, rule: 'unknown server', source: 'default' as const, label: 'default: unknown server', reason: `server "${serverId}" is not configured` }
          : admission && !admission.ok
            ? { action: 'deny' as const, rule: admission.rule, source: admission.source, label: `${admission.source}: ${admission.rule}`, reason: admission.reason }
            : engine.evaluate({ kind, serverId, name: tool, arguments: args });
        result = { admission, decision };
      }
      if (options.json) return out.json(result);
      out(line`${result.decision.action.toUpperCase()}  ${serverId}/${tool}`);
      out(line`  rule:   ${result.decision.label}`);
      if (result.decision.reason) out(line`  reason: ${result.decision.reason}`);
      if (!daemon) out('  note:   daemon not running; tool annotations unknown (MCP defaults assumed)');
    });

  policy.command('validate <file>')
    .description('Check a policy document; exits non-zero with field-level errors')
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      const result = validatePolicyText(text);
      if (!result.ok) throw new Error(`${file} is not a valid policy:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
      const p = result.policy;
      out(`${file}: valid policy (${p.tools?.length ?? 0} tool rules, ${(p.servers?.allow?.length ?? 0) + (p.servers?.deny?.length ?? 0)} server entries${p.org ? `, org ${p.org.url}` : ''}${p.locks?.length ? `, locks ${p.locks.join(', ')}` : ''})`);
    });

  policy.command('sign <file>')
    .description('For IT: wrap a policy document in the signed envelope an org URL serves (Ed25519)')
    .requiredOption('--key <pem-file>', 'Ed25519 private key (PEM, PKCS#8)')
    .requiredOption('--key-id <id>', 'the key id the managed policy names in org.publicKeys')
    .action(async (file: string, options: { key: string; keyId: string }) => {
      const result = validatePolicyText(await readFile(file, 'utf8'));
      if (!result.ok) throw new Error(`${file} is not a valid policy:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
      const original = JSON.parse(await readFile(file, 'utf8')) as unknown;
      out.json(signPolicy(original, await readFile(options.key, 'utf8'), options.keyId));
    });

  return policy;
}

export function formatEffective(effective: EffectivePolicy, note: string): string {
  const lines: string[] = [`Effective policy (${note})`, '', 'Sources:'];
  for (const s of effective.sources) lines.push(line`  ${s.source.padEnd(8)} ${s.state.padEnd(7)} ${s.location ?? ''}${s.serial !== undefined ? ` serial ${s.serial}` : ''}${s.message ? `  — ${s.message}` : ''}`);
  if (effective.failClosed) lines.push('', line`FAIL CLOSED: ${effective.failClosed}`);
  lines.push('', 'Servers:');
  if (effective.failClosed) lines.push('  (fail closed: every server is refused, whatever the lists below say)');
  else if (effective.servers.length === 0) lines.push('  (no allowlist or denylist: every server may run)');
  for (const s of effective.servers) lines.push(line`  ${s.source.padEnd(8)} ${s.list.padEnd(5)} ${s.name}`);
  lines.push('', 'Tool rules (first match per source; deny > ask > allow across sources):');
  if (effective.failClosed) lines.push('  (fail closed: every call is refused, whatever the rules below say)');
  else if (effective.tools.length === 0) lines.push('  (none: every call is allowed)');
  for (const t of effective.tools) lines.push(line`  ${t.source.padEnd(8)} ${t.name}`);
  lines.push('', 'Settings:');
  for (const [name, s] of Object.entries(effective.settings)) {
    if (name === 'servers' || name === 'tools') continue;
    lines.push(line`  ${name.padEnd(26)} ${JSON.stringify(s.value) ?? '(unset)'}  [${s.source}${s.locked ? ', locked' : ''}]`);
  }
  if (effective.locks.length) lines.push('', line`Locked: ${effective.locks.map((l) => `${l.setting} (${l.source})`).join(', ')}`);
  return lines.join('\n');
}
