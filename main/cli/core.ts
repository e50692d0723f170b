// `switchboard serve | status | server … | token create`: the daemon and its configuration.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { auditContract } from '../../shared/api/audit.ts';
import { serversContract, type ServerStatus } from '../../shared/api/servers.ts';
import type { ForwarderStatus } from '../../shared/audit.ts';
import { ApiError } from '../../shared/api/define.ts';
import { ServerConfigSchema, type ServerConfig } from '../../shared/config.ts';
import { mustNotBeStoredPlain } from '../clients/secret-detection.ts';
import { ConfigStore } from '../config/config-store.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import { sha256Hex } from '../endpoints/http-guard.ts';
import { createStderrLogger, silentLogger } from '../relay/logger.ts';
import { Supervisor } from '../servers/supervisor.ts';
import type { ResolveSecret } from '../servers/child-process-transport.ts';
import type { CliContext } from './context.ts';
import { sandboxStatusLines } from './sandbox.ts';
import { STOP_DEADLINE_MS, stopWithDeadline } from './stop-deadline.ts';
import { line, printer } from './output.ts';

const BUILT_UI = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export function registerCoreCommands(program: Command, context: CliContext): void {
  const out = printer(context.stdout);
  const store = () => new ConfigStore(context.dataDir);

  program.command('serve')
    .description('Run the daemon in the foreground (headless): local socket, HTTP endpoint, servers, policy, audit')
    .option('--port <port>', 'HTTP port on 127.0.0.1 (overrides settings.httpPort; 0 = any free port)', parsePort)
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--static-root <dir>', 'serve the web UI from this folder')
    .option('--ui', 'serve the built web UI (dist/renderer) and open it in a browser (headless: the address is printed)')
    .action(async (options: { port?: number; logLevel: 'debug' | 'info' | 'warn' | 'error'; staticRoot?: string; ui?: boolean }) => {
      const logger = createStderrLogger(options.logLevel);
      // Nothing may take the daemon down: log and carry on.
      process.on('uncaughtException', (error) => logger.error('uncaught exception', { error: error.stack ?? error.message }));
      process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason instanceof Error ? reason.stack : String(reason) }));
      const staticRoot = options.staticRoot ?? (options.ui ? BUILT_UI : undefined);
      if (options.ui && !existsSync(join(staticRoot!, 'index.html'))) {
        throw new Error(`the web UI is not built in ${staticRoot}; run \`npm run build\` (or \`npm start\`, which builds it) first`);
      }
      const { Switchboard } = await import('../switchboard.ts');
      const switchboard = await Switchboard.start({
        dataDir: context.dataDir,
        mode: 'headless',
        logger,
        ...(options.port !== undefined ? { httpPort: options.port } : {}),
        ...(staticRoot ? { staticRoot } : {}),
      });
      const info = switchboard.info;
      out(`switchboard daemon listening on http://127.0.0.1:${info.httpPort} and ${info.socketPath} (data: ${context.dataDir})`);
      if (options.ui) {
        const { createOpenUrl } = await import('../oauth/open-url.ts');
        const url = new URL(`http://127.0.0.1:${info.httpPort}/#token=${encodeURIComponent(info.apiToken)}`);
        await createOpenUrl((line) => out(line.replace('to authorize MCP Switchboard', 'for the MCP Switchboard UI')))(url);
      }
      await new Promise<void>((resolve) => {
        const shutdown = () => void stopWithDeadline(() => switchboard.stop(), STOP_DEADLINE_MS, () => {
          logger.error(`the daemon did not finish stopping within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`, {});
          process.exit(1);
        }).then(resolve, resolve);
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        process.once('SIGHUP', shutdown);
      });
    });

  program.command('status')
    .description('Is the daemon running, and the state of each server')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const daemon = connectToDaemon(context.dataDir, serversContract);
      if (!daemon) {
        const config = store().load();
        if (options.json) return out.json({ running: false, dataDir: context.dataDir, servers: config.servers.map((s) => s.id) });
        out(`daemon: not running (data: ${context.dataDir}); start it with \`switchboard serve\``);
        out(line`servers configured: ${config.servers.map((s) => s.id).join(', ') || '(none)'}`);
        return;
      }
      const status = await daemon.api['daemon.status']({});
      const audit = connectToDaemon(context.dataDir, auditContract);
      const forwarder = audit ? await audit.api['forwarder.status']({}).catch(() => undefined) : undefined;
      if (options.json) return out.json({ running: true, ...status, ...(forwarder ? { forwarder } : {}) });
      out(line`daemon: running (pid ${status.pid}) since ${status.startedAt}`);
      out(`http: http://127.0.0.1:${status.httpPort}  socket: ${status.socketPath}  sessions: ${status.sessions}`);
      for (const server of status.servers) out(formatStatus(server));
      if (forwarder) out(formatForwarder(forwarder));
    });

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
      const exists = new Error(`a server with id '${entry.id}' already exists; remove it first with \`switchboard server remove ${entry.id}\``);
      const daemon = connectToDaemon(context.dataDir, serversContract);
      if (daemon) {
        // The API's own message names its methods; the CLI names its commands.
        await daemon.api['servers.add']({ server: entry }).catch((error: unknown) => {
          throw error instanceof ApiError && error.code === 'conflict' ? exists : error;
        });
      } else {
        await store().update((config) => {
          if (config.servers.some((s) => s.id === entry.id)) throw exists;
          config.servers.push(entry);
        });
      }
      out(line`added server '${entry.id}' (${entry.transport === 'stdio' ? [entry.command, ...entry.args].join(' ') : entry.url})`);
    });

  server.command('list')
    .description('Configured servers (and their state when the daemon runs)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const daemon = connectToDaemon(context.dataDir, serversContract);
      const config = store().load();
      const states = new Map<string, ServerStatus>();
      if (daemon) for (const status of (await daemon.api['daemon.status']({})).servers) states.set(status.id, status);
      if (options.json) {
        return out.json(config.servers.map((s) => ({ ...s, ...(states.has(s.id) ? { status: states.get(s.id) } : {}) })));
      }
      if (config.servers.length === 0) return out('no servers configured; add one with `switchboard server add <id> -- <command>`');
      for (const s of config.servers) {
        const target = s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : `${s.url} (${s.transport})`;
        const state = states.get(s.id);
        const shown = line`${s.id}\t${s.enabled ? '' : '[disabled] '}${target}`;
        out(state ? `${shown}${line`\t${state.state}${state.reason ? ` (${state.reason})` : ''}`}` : shown);
      }
    });

  server.command('remove <id>')
    .description('Remove a server')
    .action(async (id: string) => {
      const daemon = connectToDaemon(context.dataDir, serversContract);
      if (daemon) await daemon.api['servers.remove']({ id });
      else {
        await store().update((config) => {
          const before = config.servers.length;
          config.servers = config.servers.filter((s) => s.id !== id);
          if (config.servers.length === before) throw new Error(`unknown server '${id}'; see \`switchboard server list\``);
        });
      }
      out(line`removed server '${id}'`);
    });

  server.command('tools <id>')
    .description("List a server's tools (through the running daemon, or a one-off connection)")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const daemon = connectToDaemon(context.dataDir, serversContract);
      let tools: Array<{ name: string; description?: string | undefined }>;
      if (daemon) tools = (await daemon.api['servers.tools']({ id })).tools;
      else {
        const config = store().load();
        const supervisor = new Supervisor({ logger: silentLogger, autoStart: false, resolveSecret: keychainResolver() });
        supervisor.reconcile(config.servers);
        try {
          tools = await supervisor.tools(id);
        } finally {
          await supervisor.shutdown();
        }
      }
      if (options.json) return out.json(tools);
      for (const tool of tools) out(tool.description ? line`${tool.name}\t${tool.description.split('\n')[0]}` : line`${tool.name}`);
    });

  const token = program.command('token').description('Bearer tokens for HTTP clients');
  // Tokens live in config.json (only their SHA-256), read directly whether or not the daemon runs:
  // a running daemon reloads config.json when it changes and checks the current token list on
  // every request, so a new token works, and a revoked one stops, as soon as it has reloaded.
  token.command('create <client-name>')
    .description('Create a token for an HTTP client (printed once; only its SHA-256 is stored)')
    .action(async (name: string) => {
      const label = clientName(name, 'create');
      const value = `sbt_${randomBytes(32).toString('base64url')}`;
      await store().update((config) => {
        const existing = config.tokens.find((t) => t.name === label);
        if (existing) {
          throw new Error(`a token for '${label}' already exists (created ${existing.createdAt}); to replace it, revoke it first with \`switchboard token revoke ${label}\`, or choose another name`);
        }
        config.tokens.push({ name: label, sha256: sha256Hex(value), createdAt: new Date().toISOString() });
      });
      out(value);
      context.stderr.write(line`token for '${label}' created; it is shown only now. Send it as "Authorization: Bearer <token>" to http://127.0.0.1:<port>/mcp/<server-id>\n`);
    });

  token.command('list')
    .description('Client names that have a token, and when it was created (never the tokens)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const tokens = store().load().tokens.map((t) => ({ name: t.name, createdAt: t.createdAt }));
      if (options.json) return out.json(tokens);
      if (tokens.length === 0) return out('no tokens; create one with `switchboard token create <client-name>`');
      for (const t of tokens) out(line`${t.name}\t${t.createdAt}`);
    });

  token.command('revoke <client-name>')
    .description("Revoke a client's token: the daemon refuses it from then on")
    .action(async (name: string) => {
      const label = clientName(name, 'revoke');
      let revoked = 0;
      await store().update((config) => {
        const before = config.tokens.length;
        config.tokens = config.tokens.filter((t) => t.name !== label);
        revoked = before - config.tokens.length;
        if (revoked === 0) throw new Error(`no token for '${label}'; see \`switchboard token list\``);
      });
      out(line`revoked ${revoked === 1 ? 'the token' : `${revoked} tokens`} of '${label}'`);
    });
}

function clientName(name: string, command: 'create' | 'revoke'): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new Error(`the client name must not be empty: \`switchboard token ${command} <client-name>\`, e.g. \`switchboard token ${command} cursor\``);
  return trimmed;
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

/** Resolves `{secret}` references from the OS keychain, loading the keyring only when needed. */
export function keychainResolver(): ResolveSecret {
  return async (name) => {
    const { KeyringSecretStore } = await import('../secrets/secret-store.ts');
    const { createSecretResolver } = await import('../secrets/resolve-secrets.ts');
    return createSecretResolver(new KeyringSecretStore())(name);
  };
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
    raw = { id, transport: options.sse ? 'sse' : 'streamable-http', url: options.url, headers: { ...plainValues(options.header, '--header', id), ...secretRefs(options.headerSecret, '--header-secret') } };
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
    raw = { id, transport: 'stdio', command: command[0], args: command.slice(1), env: { ...plainValues(options.env, '--env', id), ...secretRefs(options.envSecret, '--env-secret') }, ...(options.cwd ? { cwd: options.cwd } : {}) };
  }
  if (options.timeout !== undefined) raw.requestTimeoutMs = options.timeout;
  const parsed = ServerConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'server'}: ${issue.message}`).join('; '));
  return parsed.data;
}

function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${flag} expects KEY=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * --env and --header values go into config.json as they are, so a value that is (or is named
 * like) a credential is refused: secrets live in the OS keychain, and config.json only names them.
 * Uses the client importer's detector, so both paths agree on what a secret is.
 */
function plainValues(pairs: string[], flag: '--env' | '--header', id: string): Record<string, string> {
  const values = keyValues(pairs, flag);
  for (const [key, value] of Object.entries(values)) {
    if (!mustNotBeStoredPlain(key, value)) continue;
    // The name the client importer would give it.
    const name = `${id}.${flag.slice(2)}.${key.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 128);
    throw new Error(`${flag} ${key}=… looks like a secret, and ${flag} values are written to config.json in plain text. `
      + `Keep it in the OS keychain instead: \`switchboard secret set ${name}\` (it reads the value from stdin or a hidden prompt), `
      + `then use \`${flag}-secret ${key}=${name}\``
      + (flag === '--header' ? ' (the secret holds the whole header value, e.g. "Bearer …")' : ''));
  }
  return values;
}

/** KEY=NAME pairs as `{ secret: NAME }` references: config.json names the secret, never holds it. */
function secretRefs(pairs: string[], flag: string): Record<string, { secret: string }> {
  return Object.fromEntries(Object.entries(keyValues(pairs, flag)).map(([key, name]) => [key, { secret: name }]));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms <= 0) throw new Error(`--timeout expects the request timeout in milliseconds, a whole number greater than 0 (e.g. --timeout 30000), got "${value}"`);
  return ms;
}

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects 0-65535, got "${value}"`);
  return port;
}

function formatStatus(status: ServerStatus): string {
  const extra = status.reason ? ` — ${status.reason}` : '';
  return line`  ${status.id}\t${status.state}${extra}` + sandboxStatusLines(status);
}
