// `switchboard client list|import|link|unlink`, through the API: the running daemon's (it owns
// config.json and knows its HTTP port, which linked URLs need) or the CLI's own in-process
// product. The client's file is resolved here, where the command runs (a project's files).
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { ClientId } from '../../shared/clients.ts';
import { currentEnvironment, type ClientEnvironment } from '../clients/adapter.ts';
import { adapterFor } from '../clients/adapters/index.ts';
import { defaultClientFile } from '../clients/client-service.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { withApi, type ApiSessionOptions } from './api-session.ts';
import { line, printer } from './output.ts';

export interface ClientCommandContext extends ApiSessionOptions {
  dataDir: string;
  /** Where client config files are looked for (default: this user's home and the current folder). */
  env?: ClientEnvironment;
  /** The keychain the CLI's in-process product uses (default: the OS keychain). */
  secretStore?: SecretStore;
  stdout?: Writable;
  stderr?: Writable;
}

export function registerClientCommands(program: Command, context: ClientCommandContext): Command {
  const out = printer(context.stdout ?? process.stdout);
  const env = (): ClientEnvironment => context.env ?? currentEnvironment([process.cwd()]);
  const api = <T>(use: Parameters<typeof withApi<T>>[1]) => withApi({
    dataDir: context.dataDir,
    stdin: process.stdin,
    stdout: context.stdout ?? process.stdout,
    stderr: context.stderr ?? process.stderr,
    ...(context.managedPath ? { managedPath: context.managedPath } : {}),
    product: { clientEnvironment: env(), ...(context.secretStore ? { secretStore: context.secretStore } : {}) },
  }, use);
  // The CLI resolves the file where it runs (a project file in the current folder), then hands the path over.
  const fileFor = async (client: ClientId, file?: string): Promise<string> => path.resolve(file ?? await defaultClientFile(adapterFor(client), env()));
  const ops = {
    list: () => api(async ({ api }) => (await api['clients.list']({})).clients),
    import: async (client: ClientId, file?: string) => { const target = await fileFor(client, file); return api(({ api }) => api['clients.import']({ client, file: target })); },
    link: async (client: ClientId, file?: string, profile?: string) => { const target = await fileFor(client, file); return api(({ api }) => api['clients.link']({ client, file: target, ...(profile !== undefined ? { profile } : {}) })); },
    unlink: (client: ClientId, file?: string) => api(({ api }) => api['clients.unlink']({ client, ...(file ? { file: path.resolve(file) } : {}) })),
  };

  /** --config names the client's config file: say so, with the path, when it is missing or a folder. */
  const configFlag = (file: string | undefined, mustExist: boolean): string | undefined => {
    if (file === undefined) return undefined;
    const expected = "expected the client's MCP config file (JSON; `switchboard client list` shows where it is)";
    const absolute = path.resolve(file);
    let isFolder = false;
    try {
      isFolder = statSync(absolute).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (mustExist) throw new Error(`--config ${absolute}: no such file; ${expected}`);
        return file;
      }
      throw new Error(`--config ${absolute}: cannot read it (${(error as Error).message}); ${expected}`);
    }
    if (isFolder) throw new Error(`--config ${absolute} is a folder; ${expected}`);
    return file;
  };
  /** Unknown client names fail here with the list of known ones. */
  const clientId = (id: string): ClientId => adapterFor(id).id;

  const client = program.command('client').description('Detect AI clients and link their MCP servers through the app');

  client.command('list')
    .description('Clients, their config files, servers and link status')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const clients = await ops.list();
      if (options.json) return out.json(clients);
      for (const c of clients) {
        out(line`${c.name} (${c.id}): ${c.installed ? 'installed' : 'not found'}, links by ${c.linkMode}`);
        for (const f of c.files.filter((file) => file.exists)) {
          out(line`  ${f.status.padEnd(8)} ${f.path} [${f.scope}] — ${f.error ?? `${f.servers.length} server(s): ${f.servers.join(', ')}`}`);
        }
      }
    });

  client.command('import <client>')
    .description("Import the client's servers into the app (inline secrets move to the OS keychain)")
    .option('--config <path>', "the client's config file (default: its usual file)")
    .action(async (id: string, options: { config?: string }) => {
      const file = configFlag(options.config, true);
      const report = await ops.import(clientId(id), file);
      out(line`imported from ${report.file}`);
      for (const e of report.entries) out(line`  ${e.name} → ${e.serverId} (${e.outcome}${e.secrets.length ? `; secrets moved to the keychain: ${e.secrets.join(', ')}` : ''})`);
      for (const s of report.skipped) out(line`  skipped ${s.name}: ${s.reason}`);
      for (const w of report.warnings) out(line`  warning: ${w}`);
    });

  client.command('link <client>')
    .description("Rewrite the client's entries to go through the app")
    .option('--config <path>', "the client's config file (default: its usual file)")
    .option('--profile <name>', "write one entry for the whole profile (its /mcp URL, or `switchboard bridge --profile`) instead of one per server")
    .action(async (id: string, options: { config?: string; profile?: string }) => {
      const file = configFlag(options.config, true);
      const report = await ops.link(clientId(id), file, options.profile);
      out(line`linked ${report.file} (original kept at ${report.backup})`);
      for (const l of report.linked) out(line`  ${l.name} → ${l.serverId}`);
      for (const w of report.warnings) out(line`  warning: ${w}`);
    });

  client.command('unlink <client>')
    .description("Restore the client's original entries")
    .option('--config <path>', "the client's config file (default: the one that was linked)")
    .action(async (id: string, options: { config?: string }) => {
      const file = configFlag(options.config, false);
      const report = await ops.unlink(clientId(id), file);
      out(report.restored === 'exact'
        ? line`restored ${report.file} exactly as it was before linking`
        : line`restored the linked entries of ${report.file}; it was edited since linking, other edits kept`);
      for (const name of report.keptChanged) out(line`  kept ${name}: changed after linking, left as it is`);
    });

  return client;
}
