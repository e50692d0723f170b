// `switchboard server add | list | remove | tools | call`: the servers API, through the running
// daemon or the CLI's own in-process product (main/cli/api-session.ts). `tools` and `call` are
// calls to the server, made as the client `switchboard-cli` through the same admission, policy,
// approvals, pinning and audit as any client's.
import type { Command } from 'commander';
import { ApiError } from '../../shared/api/define.ts';
import type { ServerStatus } from '../../shared/api/servers.ts';
import { ServerConfigSchema, type ServerConfig } from '../../shared/config.ts';
import { formatZodIssues } from '../base/zod-issues.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import type { CliContext } from './context.ts';
import { line, printer } from './output.ts';
import { collect, jsonObject, keyValues, parseTimeout } from './parse-options.ts';
import { sandboxStatusLines } from './sandbox.ts';
import { lifecycleStatusLines } from './lifecycle-output.ts';

export function registerServerCommands(program: Command, context: CliContext & ApiSessionOptions): void {
  const out = printer(context.stdout);
  const server = program.command('server').description('Configure MCP servers');

  server.command('add <id> [command...]')
    .description('Add a stdio server (`server add <id> -- <command> [args…]`) or a remote one (`--url`)')
    .option('--env <KEY=VALUE>', 'environment variable for a stdio server (repeatable)', collect, [])
    .option('--env-secret <KEY=NAME>', 'environment variable taken from keychain secret NAME at launch (repeatable; set it with `switchboard secret set NAME`)', collect, [])
    .option('--cwd <dir>', 'working directory of a stdio server')
    .option('--url <url>', 'URL of a remote server (Streamable HTTP)')
    .option('--header <KEY=VALUE>', 'HTTP header for a remote server (repeatable)', collect, [])
    .option('--header-secret <KEY=NAME>', 'HTTP header whose whole value is keychain secret NAME, e.g. Authorization=github-auth (repeatable)', collect, [])
    .option('--sse', 'the remote server speaks the legacy SSE transport')
    .option('--oauth', 'sign in to the remote server with OAuth 2.1 (browser consent; tokens kept in the keychain)')
    .option('--oauth-client-id <id>', 'a pre-registered OAuth client id (default: dynamic registration)')
    .option('--oauth-scope <scope>', 'OAuth scope to request (repeatable)', collect, [])
    .option('--timeout <ms>', 'request timeout for this server, in milliseconds', parseTimeout)
    .action(async (id: string, command: string[], options: ServerAddOptions) => {
      const entry = buildServerConfig(id, command, options);
      const added = await withApi(context, ({ api }) => api['servers.add']({ server: entry })).catch((error: unknown) => {
        throw inCliTerms(error, entry);
      });
      out(line`added server '${entry.id}' (${entry.transport === 'stdio' ? [entry.command, ...entry.args].join(' ') : entry.url})`);
      // Checked where the server will run: the daemon's PATH when one runs.
      for (const warning of added.warnings ?? []) context.stderr.write(line`warning: ${warning}
`);
    });

  server.command('list')
    .description('Configured servers and their state')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { servers, running } = await withApi(context, async ({ api, via }) => ({ servers: (await api['servers.list']({})).servers, running: via === 'daemon' }));
      if (options.json) return out.json(servers.map((s) => ({ ...s.config, ...(running ? { status: s.status } : {}) })));
      if (servers.length === 0) return out('no servers configured; add one with `switchboard server add <id> -- <command>`');
      for (const { config: s, status } of servers) {
        const target = s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : `${s.url} (${s.transport})`;
        const shown = line`${s.id}\t${s.enabled ? '' : '[disabled] '}${target}`;
        out(running ? `${shown}${line`\t${status.state}${status.reason ? ` (${status.reason})` : ''}`}` : shown);
      }
    });

  server.command('remove <id>')
    .description('Remove a server')
    .action(async (id: string) => {
      await withApi(context, ({ api }) => api['servers.remove']({ id })).catch((error: unknown) => {
        // An id that is not even valid names no configured server either.
        throw error instanceof ApiError && (error.code === 'not_found' || error.code === 'invalid_input') ? new Error(`unknown server '${id}'; see \`switchboard server list\``) : error;
      });
      out(line`removed server '${id}'`);
    });

  server.command('tools <id>')
    .description("List a server's tools as a client sees them (through policy, as the client switchboard-cli)")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const { tools } = await withApi(context, ({ api }) => api['servers.tools']({ id }));
      if (options.json) return out.json(tools);
      for (const tool of tools) out(tool.description ? line`${tool.name}\t${tool.description.split('\n')[0]}` : line`${tool.name}`);
    });

  server.command('call <id> <tool>')
    .description('Call one tool as the client switchboard-cli, under the same policy, approvals and audit as any client')
    .option('--args <json>', 'the arguments, as a JSON object')
    .option('--json', 'print the whole result as JSON')
    .action(async (id: string, tool: string, options: { args?: string; json?: boolean }) => {
      const args = jsonObject(options.args, '--args');
      const result = await withApi(context, ({ api }) => api['servers.callTool']({ id, name: tool, arguments: args }));
      if (options.json) return out.json(result);
      for (const item of result.content) out(item.type === 'text' && typeof item.text === 'string' ? line`${item.text}` : line`[${item.type} content]`);
      if (result.isError) throw new Error(`the tool '${tool}' answered with an error`);
    });
}

export function formatStatus(status: ServerStatus): string {
  const extra = status.reason ? ` — ${status.reason}` : '';
  const breaker = status.breaker && status.breaker.state !== 'closed' ? line`\n    circuit breaker ${status.breaker.state} since ${status.breaker.since} (${status.breaker.failures} consecutive failures)` : '';
  return line`  ${status.id}\t${status.state}${extra}` + breaker + sandboxStatusLines(status) + lifecycleStatusLines(status);
}

interface ServerAddOptions {
  env: string[];
  envSecret: string[];
  headerSecret: string[];
  cwd?: string;
  url?: string;
  header: string[];
  sse?: boolean;
  oauth?: boolean;
  oauthClientId?: string;
  oauthScope: string[];
  timeout?: number;
}

function buildServerConfig(id: string, command: string[], options: ServerAddOptions): ServerConfig {
  let raw: Record<string, unknown>;
  if (options.url) {
    if (command.length > 0) throw new Error('give either --url or a command after --, not both');
    if (options.env.length > 0 || options.cwd) throw new Error('--env and --cwd apply to stdio servers only');
    if (options.envSecret.length > 0) throw new Error('--env-secret applies to stdio servers only');
    raw = { id, transport: options.sse ? 'sse' : 'streamable-http', url: options.url, headers: { ...keyValues(options.header, '--header'), ...secretRefs(options.headerSecret, '--header-secret') } };
    if (options.oauth || options.oauthClientId || options.oauthScope.length > 0) {
      raw.oauth = {
        enabled: true,
        ...(options.oauthClientId ? { clientId: options.oauthClientId } : {}),
        ...(options.oauthScope.length > 0 ? { scopes: options.oauthScope } : {}),
      };
    }
  } else {
    if (command.length === 0) throw new Error('give the server command after --, e.g. `switchboard server add files -- npx -y @modelcontextprotocol/server-filesystem ~/src`, or --url for a remote server');
    if (options.header.length > 0 || options.headerSecret.length > 0 || options.sse || options.oauth || options.oauthClientId) throw new Error('--header, --header-secret, --sse and --oauth apply to remote servers (--url) only');
    raw = { id, transport: 'stdio', command: command[0], args: command.slice(1), env: { ...keyValues(options.env, '--env'), ...secretRefs(options.envSecret, '--env-secret') }, ...(options.cwd ? { cwd: options.cwd } : {}) };
  }
  if (options.timeout !== undefined) raw.requestTimeoutMs = options.timeout;
  const parsed = ServerConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatZodIssues(parsed.error, { root: 'server' }));
  return parsed.data;
}

/** KEY=NAME pairs as `{ secret: NAME }` references: config.json names the secret, never holds it. */
function secretRefs(pairs: string[], flag: string): Record<string, { secret: string }> {
  return Object.fromEntries(Object.entries(keyValues(pairs, flag)).map(([key, name]) => [key, { secret: name }]));
}

/**
 * The API refuses a duplicate id, and values that look like secrets (config.json holds them in
 * plain text); the CLI says the same in terms of its flags: which command to run instead.
 */
function inCliTerms(error: unknown, entry: ServerConfig): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'conflict') return new Error(`a server with id '${entry.id}' already exists; remove it first with \`switchboard server remove ${entry.id}\``);
  const plain = (error.issues ?? []).map((issue) => /^server\.(env|headers)\.(.+)$/.exec(issue.path)).find((match) => match !== null);
  if (error.code !== 'invalid_input' || !plain) return error;
  const flag = plain[1] === 'env' ? '--env' : '--header';
  const key = plain[2]!;
  // The name the client importer would give it.
  const name = `${entry.id}.${flag.slice(2)}.${key.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128);
  return new Error(`${flag} ${key}=… looks like a secret, and ${flag} values are written to config.json in plain text. `
    + `Keep it in the OS keychain instead: \`switchboard secret set ${name}\` (it reads the value from stdin or a hidden prompt), `
    + `then use \`${flag}-secret ${key}=${name}\``
    + (flag === '--header' ? ' (the secret holds the whole header value, e.g. "Bearer …")' : ''));
}
