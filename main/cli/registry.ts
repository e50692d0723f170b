// `switchboard registry search | show | status` and `switchboard server install | upgrade`: the
// catalog of the configured MCP registries, through the API (the running daemon or the CLI's own
// in-process product). Install asks for the inputs the entry requires: `--env NAME=value`, a
// prompt on a terminal (hidden for secrets), or one line each on stdin; secret values go to the
// keychain only.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { CatalogEntry, NeededInputInfo, RegistrySourceState } from '../../shared/api/registry.ts';
import type { ServerConfig } from '../../shared/config.ts';
import { withApi, type ApiSession, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { columns, line, printer, type Printer } from './output.ts';
import { collect, keyValues } from './parse-options.ts';
import { promptHidden } from './secrets.ts';

export function registerRegistryCommands(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const registry = program.command('registry').description('Search and inspect the MCP registries (the official one and those policy configures)');

  registry.command('search [query]')
    .description('Search the configured registries (latest version of each server; every page is read)')
    .option('--registry <url>', 'search only this configured registry')
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, options: { registry?: string; json?: boolean }) => {
      const result = await withApi(context, ({ api }) => api['registry.search']({ ...(query ? { query } : {}), ...(options.registry ? { registry: options.registry } : {}) }));
      if (options.json) return out.json(result);
      for (const source of result.sources) out(sourceLine(source));
      for (const skipped of result.skipped) context.stderr.write(line`skipped a malformed entry${skipped.name ? ` ${skipped.name}` : ''}${skipped.version ? ` ${skipped.version}` : ''} from ${skipped.registry}: ${skipped.reason}\n`);
      if (result.entries.length === 0) return out(query ? line`no server matches "${query}"` : 'no servers listed');
      out(columns([['NAME', 'VERSION', 'STATUS', 'POLICY', 'DESCRIPTION'], ...result.entries.map((e) => [e.server.name, e.server.version, statusText(e), policyText(e), e.server.description])]));
    });

  registry.command('show <name>')
    .description('One registry entry: packages, remotes, inputs, versions, status and what policy says')
    .option('--version <version>', 'a version (default: the latest)')
    .option('--registry <url>', 'a configured registry (default: the first one)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { version?: string; registry?: string; json?: boolean }) => {
      const shown = await withApi(context, ({ api }) => api['registry.show']({ name, ...(options.version ? { version: options.version } : {}), ...(options.registry ? { registry: options.registry } : {}) }));
      if (options.json) return out.json(shown);
      const { entry } = shown;
      out(sourceLine(shown.source));
      out(line`${entry.server.name} ${entry.server.version} (${statusText(entry)})${entry.statusMessage ? ` — ${entry.statusMessage}` : ''}`);
      out(line`  ${entry.server.description}`);
      if (entry.server.repository?.url) out(line`  repository: ${entry.server.repository.url}`);
      (entry.server.packages ?? []).forEach((pkg, index) => out(line`  package ${index}: ${pkg.registryType} ${pkg.identifier}${pkg.version ? ` ${pkg.version}` : ''} (${pkg.transport.type})`));
      (entry.server.remotes ?? []).forEach((remote, index) => out(line`  remote ${index}: ${remote.type} ${remote.url}`));
      for (const input of shown.inputs) out(line`  input ${input.name} (${input.kind}${input.isRequired ? ', required' : ''}${input.isSecret ? ', secret: kept in the keychain' : ''})${input.description ? `: ${input.description}` : ''}`);
      out(`  policy: ${policyText(entry)}${entry.policy.reason ? line` — ${entry.policy.reason}` : ''}`);
      for (const installed of entry.installed) out(line`  installed as '${installed.id}' (${installed.version}${installed.updateAvailable ? ', update available: `switchboard server upgrade ' + installed.id + '`' : ''})`);
      out(line`  versions: ${shown.versions.map((v) => `${v.version}${v.status !== 'active' ? ` (${v.status})` : ''}${v.isLatest ? ' (latest)' : ''}`).join(', ')}`);
    });

  registry.command('status')
    .description('Registry status (active, deprecated, deleted) of each installed server, and the latest version')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { servers } = await withApi(context, ({ api }) => api['registry.status']({}));
      if (options.json) return out.json(servers);
      if (servers.length === 0) return out('no server installed from a registry');
      out(columns([['ID', 'NAME', 'VERSION', 'STATUS', 'LATEST', 'CHECKED'], ...servers.map((s) => [s.id, s.name, s.version, `${s.status}${s.statusMessage ? `: ${s.statusMessage}` : ''}`, s.latestVersion ?? '?', s.checkedAt])]));
    });

  const server = program.commands.find((command) => command.name() === 'server') ?? program.command('server');

  server.command('install <name>')
    .description('Install a server from a registry: `server install io.github.user/weather[@1.2.0]`')
    .option('--id <id>', 'server id (default: the last part of the name)')
    .option('--env <NAME=VALUE>', 'an input the entry asks for: environment variable, header, argument or variable (repeatable; secrets go to the keychain)', collect, [])
    .option('--registry <url>', 'a configured registry (default: the first one)')
    .option('--package <index>', 'which of the entry\'s packages (default: the first this machine can run)', parseIndex)
    .option('--remote <index>', 'install the entry\'s remote endpoint with this index instead of a package', parseIndex)
    .action(async (spec: string, options: InstallOptions) => {
      const { name, version } = parseSpec(spec);
      const given = keyValues(options.env, '--env');
      const result = await withApi(context, async (session) => {
        const shown = await session.api['registry.show']({ name, ...(version ? { version } : {}), ...(options.registry ? { registry: options.registry } : {}) });
        const values = await askForInputs(shown.inputs, given, context);
        return session.api['registry.install']({
          name, values,
          ...(version ? { version } : {}),
          ...(options.id ? { id: options.id } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
          ...(options.package !== undefined ? { packageIndex: options.package } : {}),
          ...(options.remote !== undefined ? { remoteIndex: options.remote } : {}),
        });
      });
      const s = result.server;
      out(line`installed server '${s.id}' from ${s.installedFrom!.name} ${s.installedFrom!.version} (${s.installedFrom!.registry}): ${target(s)}`);
      if (result.secrets.length > 0) out(line`secrets kept in the OS keychain: ${result.secrets.join(', ')}`);
      for (const warning of result.warnings) context.stderr.write(line`warning: ${warning}\n`);
    });

  server.command('upgrade <id>')
    .description('Move a server installed from a registry to the latest version, showing what changes (launch command, pinned tool definitions)')
    .action(async (id: string) => {
      await withApi(context, async (session) => {
        const result = await session.api['registry.upgrade']({ id });
        if (!result.changed) return out(line`'${id}' is already at the latest version (${result.to})`);
        out(line`upgraded '${id}' from ${result.from} to ${result.to}`);
        for (const text of configDiff(result.before, result.after)) out(text);
        await showPinDiff(session, id, out);
      });
    });
}

interface InstallOptions {
  id?: string;
  env: string[];
  registry?: string;
  package?: number;
  remote?: number;
}

/** `name@version`: registry names contain no "@". */
function parseSpec(spec: string): { name: string; version?: string } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { name: spec };
  const version = spec.slice(at + 1);
  if (version === '') throw new Error(`"${spec}" ends with "@": give a version after it, or none for the latest`);
  return { name: spec.slice(0, at), version };
}

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`expected an index (0, 1, …), got "${value}"`);
  return Number(value);
}

/** The values for the required inputs not given with --env: a prompt on a terminal, else one line each from stdin. */
async function askForInputs(inputs: readonly NeededInputInfo[], given: Record<string, string>, context: CliContext): Promise<Record<string, string>> {
  const values = { ...given };
  const unknown = Object.keys(given).filter((name) => !inputs.some((input) => input.name === name));
  if (unknown.length > 0) throw new Error(`the entry asks for no input named ${unknown.join(', ')}; it asks for: ${inputs.map((input) => input.name).join(', ') || 'nothing'}`);
  for (const input of inputs) {
    if (input.isSecret && given[input.name] !== undefined) context.stderr.write(`warning: the value of ${input.name} given with --env is visible to other processes and kept in shell history; leave it out to be asked for it\n`);
  }
  const wanted = inputs.filter((input) => input.isRequired && values[input.name] === undefined && input.default === undefined);
  if (wanted.length === 0) return values;
  const stdin = context.stdin as Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  if (stdin.isTTY) {
    for (const input of wanted) {
      const question = `${input.name}${input.description ? ` (${input.description})` : ''}${input.isSecret ? ' [secret, kept in the keychain]' : ''}: `;
      values[input.name] = input.isSecret ? await promptHidden(stdin, context.stderr, question) : await promptLine(stdin, context.stderr, question);
    }
    return values;
  }
  const lines = await readLines(stdin);
  wanted.forEach((input, index) => {
    const value = lines[index];
    if (value === undefined || value === '') throw new Error(`${input.name}${input.isSecret ? ' (secret)' : ''} is required${input.description ? `: ${input.description}` : ''}; give it with --env ${input.name}=…, on a terminal prompt, or as line ${index + 1} on stdin`);
    values[input.name] = value;
  });
  return values;
}

async function promptLine(stdin: Readable, err: Writable, question: string): Promise<string> {
  const rl = createInterface({ input: stdin, output: err, terminal: false });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

async function readLines(stdin: Readable): Promise<string[]> {
  if (stdin.readableEnded || stdin.destroyed) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
}

function target(server: ServerConfig): string {
  return server.transport === 'stdio' ? [server.command, ...server.args].join(' ') : `${server.url} (${server.transport})`;
}

function sourceLine(source: RegistrySourceState): string {
  const label = source.name ? `${source.name} (${source.url})` : source.url;
  if (source.error) return line`registry ${label}: unavailable, nothing cached — ${source.error}`;
  const age = source.ageSeconds !== undefined ? formatAge(source.ageSeconds) : 'unknown age';
  return source.offline
    ? line`registry ${label}: offline, showing the catalog cached ${age} ago (${source.fetchedAt}) — ${source.offline}`
    : line`registry ${label}: fetched ${age} ago${source.pages ? `, ${source.pages} page${source.pages === 1 ? '' : 's'}` : ''}`;
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function statusText(entry: CatalogEntry): string {
  return entry.status;
}

function policyText(entry: CatalogEntry): string {
  return entry.policy.allowed ? 'allowed' : `blocked by ${entry.policy.source ? `${entry.policy.source} ` : ''}${entry.policy.rule ?? 'policy'}`;
}

function configDiff(before: ServerConfig, after: ServerConfig): string[] {
  const lines: string[] = [];
  const show = (label: string, a: string, b: string) => {
    if (a !== b) lines.push(line`  - ${label}: ${a}`, line`  + ${label}: ${b}`);
  };
  show('runs', target(before), target(after));
  show('env/headers', JSON.stringify(before.transport === 'stdio' ? before.env : before.headers), JSON.stringify(after.transport === 'stdio' ? after.env : after.headers));
  return lines;
}

/** Lists the tools through policy (which compares them with their pins), then shows each pending change. */
async function showPinDiff(session: ApiSession, id: string, out: Printer): Promise<void> {
  try {
    await session.api['servers.tools']({ id });
  } catch (error) {
    out(line`tool definitions not compared: the upgraded server did not answer (${(error as Error).message})`);
    return;
  }
  const { changes } = await session.api['policy.pins']({ serverId: id });
  if (changes.length === 0) return out('pinned tool definitions: unchanged');
  out(`pinned tool definitions that changed (accept each with the Policy page, or they are treated as pinning.onChange says):`);
  for (const change of changes) {
    out(line`  ${change.tool}:`);
    for (const text of lineDiff(JSON.stringify(change.old, null, 2), JSON.stringify(change.new, null, 2))) out(`    ${text}`);
  }
}

/** A plain line diff (longest common subsequence) of two texts. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push(line`- ${a[i++]}`);
    else out.push(line`+ ${b[j++]}`);
  }
  while (i < a.length) out.push(line`- ${a[i++]}`);
  while (j < b.length) out.push(line`+ ${b[j++]}`);
  return out;
}
