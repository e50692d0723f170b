// `switchboard policy import --from claude-code <managed-settings.json>` and
// `switchboard policy export --to claude-code <dir>`: IT keeps one allowlist. Import turns Claude
// Code's allowedMcpServers/deniedMcpServers into the `servers` section of a policy document, meant
// to be installed as the managed policy (IT's list, which users cannot loosen; its `servers` section
// is also valid in settings.userPolicy). Export writes the equivalent lists into
// <dir>/managed-settings.json and a <dir>/managed-mcp.json whose every server is
// `switchboard bridge <id>`, so a managed Claude Code reaches servers only through the proxy.
//
// The bridge command, not the proxy's URL: a URL entry needs the client's bearer token in its
// headers, and a token in a machine-wide managed file is a secret every local account can read.
// The bridge needs none: it reaches the daemon over the user's own socket (mode 0600). It names no
// data folder either, so each user's bridge finds that user's daemon.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { PACKAGED_CLI_FLAG } from '../../shared/packaged-cli.ts';
import { PolicyDocumentSchema, type ServerMatcher } from '../../shared/policy.ts';
import { fieldIssues } from '../base/zod-issues.ts';
import { REPO_BIN } from '../clients/link-endpoint.ts';
import {
  CLAUDE_CODE_MANAGED_DIRS, describeEntry, exportClaudeCodeLists, importClaudeCodeLists, managedMcpJson, parseClaudeCodeSettings,
  type ClaudeCodeEntry,
} from '../policy/claude-code-managed.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';
import { readPolicyFile } from './policy.ts';

function onlyClaudeCode(value: string, flag: string): void {
  if (value !== 'claude-code') throw new Error(`${flag} ${value}: only "claude-code" is supported (Claude Code's and GitHub Copilot's managed-settings.json)`);
}

/** True for argv that runs `switchboard bridge …` (as export writes it, or a linked client entry). */
export function isBridgeCommand(argv: readonly string[]): boolean {
  return argv.includes('bridge') && argv.some((a) => /(^|[\\/])switchboard(\.js|\.ts|\.exe|\.cmd)?$/i.test(a) || a === PACKAGED_CLI_FLAG);
}

export function registerClaudeCodePolicyCommands(policy: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const err = printer(context.stderr);

  policy.command('import <file>')
    .description('Turn Claude Code\'s managed-settings.json allowedMcpServers/deniedMcpServers into a policy document (to install as the managed policy)')
    .requiredOption('--from <client>', 'the client whose settings these are: claude-code')
    .option('--out <file>', 'write the policy document here (default: print it on stdout, the report on stderr)')
    .option('--force', 'overwrite --out if it exists')
    .action(async (file: string, options: { from: string; out?: string; force?: boolean }) => {
      onlyClaudeCode(options.from, '--from');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as Error).message}`);
      }
      const result = importClaudeCodeLists(parseClaudeCodeSettings(text, file), { isBridgeCommand });
      if (result.servers.allow === undefined && result.servers.deny === undefined) throw new Error(`${file} has neither allowedMcpServers nor deniedMcpServers: nothing to import`);
      const document = { version: 1, servers: result.servers };
      const checked = PolicyDocumentSchema.safeParse(document);
      if (!checked.success) throw new Error(`the imported entries do not make a valid policy:\n${fieldIssues(checked.error).map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
      const report = options.out ? out : err;
      if (options.out) {
        if (existsSync(options.out) && !options.force) throw new Error(`${options.out} exists; pass --force to overwrite it, or choose another --out`);
        await writeAtomically(options.out, `${JSON.stringify(document, null, 2)}\n`);
      } else {
        out.json(document);
      }
      for (const entry of result.imported) {
        report(line`imported ${entry.list} ${describeEntry(entry.entry)} → servers.${entry.list === 'allowedMcpServers' ? 'allow' : 'deny'} ${JSON.stringify(withoutId(entry.matcher))}`);
        for (const note of entry.notes) report(line`  note: ${note}`);
      }
      for (const entry of result.skipped) report(line`skipped ${entry.list} ${describeEntry(entry.entry)}: ${entry.why}`);
      for (const note of result.notes) report(line`note: ${note}`);
      report(line`${result.imported.length} imported, ${result.skipped.length} skipped${options.out ? `; wrote ${options.out}` : ''}. Install it as the managed policy (an administrator copies it to ${managedPolicyHint()}), or copy its "servers" section into settings.userPolicy`);
    });

  policy.command('export <dir>')
    .description('Write Claude Code\'s managed-settings.json lists and a managed-mcp.json whose servers all go through Switchboard')
    .requiredOption('--to <client>', 'the client to write for: claude-code')
    .option('--policy <file>', 'export the servers section of this policy document (default: the managed and org policy in force)')
    .option('--switchboard <path>', 'the switchboard command managed-mcp.json runs (default: this installation)')
    .action(async (dir: string, options: { to: string; policy?: string; switchboard?: string }) => {
      onlyClaudeCode(options.to, '--to');
      const { servers, from, configured } = await withApi(context, async ({ api }) => ({
        ...(options.policy ? await serversOfFile(options.policy) : serversInForce(await api['policy.effective']({}))),
        configured: (await api['servers.list']({})).servers,
      }));
      const result = exportClaudeCodeLists(servers);
      const routed = configured.filter((s) => s.config.enabled && !s.status.refused).map((s) => ({ id: s.config.id, ...bridgeCommand(s.config.id, options.switchboard) }));
      const lists = { ...result.lists };
      if (lists.allowedMcpServers) {
        // Claude Code applies the allowlist to managed-mcp.json's servers too: they must be on it.
        lists.allowedMcpServers = [...lists.allowedMcpServers, ...routed.map((s): ClaudeCodeEntry => ({ serverCommand: [s.command, ...s.args] }))];
      }
      await mkdir(dir, { recursive: true });
      const settingsFile = path.join(dir, 'managed-settings.json');
      await writeAtomically(settingsFile, `${JSON.stringify(await mergedSettings(settingsFile, lists), null, 2)}\n`);
      const mcpFile = path.join(dir, 'managed-mcp.json');
      await writeAtomically(mcpFile, `${JSON.stringify(managedMcpJson(routed), null, 2)}\n`);

      out(line`exported the server entries of ${from}`);
      for (const entry of result.exported) out(line`exported ${entry.list} ${describeEntry(entry.entry)} (from ${entry.name})`);
      for (const entry of result.skipped) out(line`skipped ${entry.list} ${entry.name}: ${entry.why}`);
      for (const server of routed) out(line`managed-mcp.json: ${server.id} → ${[server.command, ...server.args].join(' ')}${lists.allowedMcpServers ? ' (also on allowedMcpServers)' : ''}`);
      for (const server of configured.filter((s) => !s.config.enabled || s.status.refused)) out(line`managed-mcp.json: left out ${server.config.id} (${server.config.enabled ? 'refused by policy' : 'disabled'})`);
      if (routed.length === 0) out('warning: managed-mcp.json lists no server: a managed Claude Code then loads no MCP server at all');
      out(line`wrote ${settingsFile} and ${mcpFile}. Install both where Claude Code reads managed files: ${CLAUDE_CODE_MANAGED_DIRS.linux} (Linux), ${CLAUDE_CODE_MANAGED_DIRS.darwin} (macOS), ${CLAUDE_CODE_MANAGED_DIRS.win32} (Windows). Each server is the bridge command (no token in the file: the bridge uses the user's own socket)`);
    });
}

function withoutId(matcher: ServerMatcher): Omit<ServerMatcher, 'id'> {
  const { id: _id, ...rest } = matcher;
  return rest;
}

function managedPolicyHint(): string {
  return process.platform === 'darwin' ? '/Library/Application Support/MCP Switchboard/policy.json'
    : process.platform === 'win32' ? '%ProgramData%\\MCP Switchboard\\policy.json' : '/etc/mcp-switchboard/policy.json';
}

function bridgeCommand(id: string, switchboard: string | undefined): { command: string; args: string[] } {
  if (switchboard) return { command: switchboard, args: ['bridge', id] };
  const packaged = process.versions.electron !== undefined;
  return { command: process.execPath, args: [packaged ? PACKAGED_CLI_FLAG : REPO_BIN, 'bridge', id] };
}

async function serversOfFile(file: string): Promise<{ servers: { allow?: ServerMatcher[]; deny?: ServerMatcher[] }; from: string }> {
  return { servers: (await readPolicyFile(file)).servers ?? {}, from: file };
}

/**
 * IT's lists in force: the managed and org sources (user entries are the user's own). Claude
 * Code's allowlist is one list, so allowlists of two sources (which intersect) cannot be written.
 */
function serversInForce(effective: { servers: ReadonlyArray<{ source: string; list: 'allow' | 'deny'; matcher: unknown }> }): { servers: { allow?: ServerMatcher[]; deny?: ServerMatcher[] }; from: string } {
  const it = effective.servers.filter((s) => s.source === 'managed' || s.source === 'org');
  const allowSources = [...new Set(it.filter((s) => s.list === 'allow').map((s) => s.source))];
  if (allowSources.length > 1) throw new Error('both the managed and the org policy have an allowlist, and a server must be on both; Claude Code\'s allowedMcpServers is one list. Export one document with --policy <file>');
  const allow = it.filter((s) => s.list === 'allow').map((s) => s.matcher as ServerMatcher);
  const deny = it.filter((s) => s.list === 'deny').map((s) => s.matcher as ServerMatcher);
  return { servers: { ...(allowSources.length > 0 ? { allow } : {}), deny }, from: 'the managed and org policy in force' };
}

/** An existing managed-settings.json keeps its other settings; the two lists are replaced. */
async function mergedSettings(file: string, lists: { allowedMcpServers?: ClaudeCodeEntry[]; deniedMcpServers?: ClaudeCodeEntry[] }): Promise<Record<string, unknown>> {
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} exists and is not valid JSON (${(error as Error).message}); fix or move it, then export again`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${file} exists and is not a JSON object; fix or move it, then export again`);
    existing = data as Record<string, unknown>;
  }
  const { allowedMcpServers: _a, deniedMcpServers: _d, ...rest } = existing;
  return { ...rest, ...lists };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o644 });
  await rename(temp, file);
}
