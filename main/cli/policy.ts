// `switchboard policy show [--json] | check <server> <tool> [--args JSON] | validate <file> | sign`.
// show and check go through the API: the running daemon's (it knows the tools' annotations and
// the fresh org policy), or the CLI's own in-process product (org policy from its cache).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { EffectivePolicy, PolicyDocument } from '../../shared/policy.ts';
import { signPolicy } from '../orgsync/signature.ts';
import { validatePolicyText } from '../policy/validate.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';
import { jsonObject } from './parse-options.ts';

export type PolicyCommandContext = CliContext & ApiSessionOptions;

export function registerPolicyCommands(program: Command, context: PolicyCommandContext): Command {
  const out = printer(context.stdout);
  const policy = program.command('policy').description('Show, check and validate the policy (managed, org and user sources)');

  policy.command('show')
    .description('The effective policy: sources, every rule with its source, settings and locks')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { effective, via } = await withApi(context, async ({ api, via }) => ({ effective: await api['policy.effective']({}), via }));
      if (options.json) return out.json(effective);
      out(formatEffective(effective, via === 'daemon' ? 'from the running daemon' : 'daemon not running: computed from the files on this machine (org policy from its cache)'));
    });

  policy.command('check <server> <tool>')
    .description('What policy decides for a call, and why')
    .option('--args <json>', 'call arguments as a JSON object')
    .option('--kind <kind>', 'tool, prompt or resource', 'tool')
    .option('--json', 'print JSON')
    .action(async (serverId: string, tool: string, options: { args?: string; kind: string; json?: boolean }) => {
      const args = jsonObject(options.args, '--args');
      if (!['tool', 'prompt', 'resource'].includes(options.kind)) throw new Error('--kind must be tool, prompt or resource');
      const kind = options.kind as 'tool' | 'prompt' | 'resource';
      const result = await withApi(context, ({ api }) => api['policy.check']({ serverId, tool, kind, arguments: args }));
      if (options.json) return out.json(result);
      out(line`${result.decision.action.toUpperCase()}  ${serverId}/${tool}`);
      out(line`  rule:   ${result.decision.label}`);
      if (result.decision.reason) out(line`  reason: ${result.decision.reason}`);
    });

  policy.command('validate <file>')
    .description('Check a policy document; exits non-zero with field-level errors')
    .action(async (file: string) => {
      const p = await readPolicyFile(file);
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

/** A policy document from a file; throws naming the file and each invalid field. */
export async function readPolicyFile(file: string): Promise<PolicyDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const result = validatePolicyText(text);
  if (!result.ok) throw new Error(`${file} is not a valid policy:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  return result.policy;
}

export function formatEffective(effective: EffectivePolicy, note: string): string {
  const lines: string[] = [`Effective policy (${note})`, '', 'Sources:'];
  for (const s of effective.sources) lines.push(line`  ${s.source.padEnd(8)} ${s.state.padEnd(7)} ${s.location ?? ''}${s.serial !== undefined ? ` serial ${s.serial}` : ''}${s.message ? `  — ${s.message}` : ''}`);
  if (effective.failClosed) lines.push('', line`FAIL CLOSED: ${effective.failClosed}`);
  lines.push('', 'Servers:');
  if (effective.failClosed) lines.push('  (fail closed: every server is refused, whatever the lists below say)');
  else if (effective.servers.length === 0) lines.push('  (no allowlist or denylist: every server may run)');
  for (const s of effective.servers) lines.push(line`  ${s.source.padEnd(8)} ${s.list.padEnd(5)} ${s.name}${s.warning ? `  — warning: ${s.warning}` : ''}`);
  lines.push('', 'Tool rules (first match per source; deny > ask > allow across sources):');
  if (effective.failClosed) lines.push('  (fail closed: every call is refused, whatever the rules below say)');
  else if (effective.tools.length === 0) lines.push('  (none: every call is allowed)');
  for (const t of effective.tools) lines.push(line`  ${t.source.padEnd(8)} ${t.name}${t.warning ? `  — warning: ${t.warning}` : ''}`);
  lines.push('', 'Settings:');
  for (const [name, s] of Object.entries(effective.settings)) {
    if (name === 'servers' || name === 'tools') continue;
    lines.push(line`  ${name.padEnd(26)} ${JSON.stringify(s.value) ?? '(unset)'}  [${s.source}${s.locked ? ', locked' : ''}]`);
  }
  if (effective.sandbox?.length) {
    lines.push('', 'Sandbox requirements:');
    for (const r of effective.sandbox) lines.push(line`  ${r.source.padEnd(8)} ${r.name}  ${JSON.stringify(r.requirement)}`);
  }
  if (effective.sections?.length) {
    lines.push('', 'Other sections (lifecycle, registries, profiles, SLOs, guardrails; `--json` shows them whole):');
    for (const s of effective.sections) lines.push(line`  ${s.source.padEnd(8)} ${s.section.padEnd(14)} ${s.entries === null ? 'set' : `${s.entries} ${s.entries === 1 ? 'entry' : 'entries'}`}`);
  }
  if (effective.locks.length) lines.push('', line`Locked: ${effective.locks.map((l) => `${l.setting} (${l.source})`).join(', ')}`);
  return lines.join('\n');
}
