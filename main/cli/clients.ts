// `switchboard client list|import|link|unlink`. When the daemon runs, the commands go through its
// API (it owns config.json and knows its HTTP port, which linked URLs need); otherwise config.json
// in the data folder is used directly. Tests may inject the config store and link endpoint.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { clientsContract } from '../../shared/api/clients.ts';
import type { ClientId } from '../../shared/clients.ts';
import { currentEnvironment, type ClientEnvironment } from '../clients/adapter.ts';
import { adapterFor } from '../clients/adapters/index.ts';
import { ClientService, defaultClientFile } from '../clients/client-service.ts';
import { JsonConfigFile, type ConfigAccess } from '../clients/config-access.ts';
import { createLinkEndpoint, type LinkEndpoint } from '../clients/link-endpoint.ts';
import { connectToDaemon } from '../endpoints/daemon-client.ts';
import { loadLocalPolicy } from '../policy/local-policy.ts';
import { managedPolicyPath } from '../policy/managed-source.ts';
import { KeyringSecretStore, type SecretStore } from '../secrets/secret-store.ts';
import { line, printer } from './output.ts';

export interface ClientCommandContext {
  dataDir: string;
  config?: ConfigAccess;
  secretStore?: SecretStore;
  /** Where linked entries point; default: this checkout's bin/switchboard.js and settings.httpPort. */
  endpoint?: LinkEndpoint;
  env?: ClientEnvironment;
  stdout?: Writable;
}

type ClientSummaries = Awaited<ReturnType<ClientService['list']>>;
interface ImportOutput { file: string; entries: Array<{ name: string; serverId: string; outcome: string; secrets: string[] }>; skipped: Array<{ name: string; reason: string }>; warnings: string[] }
interface LinkOutput { file: string; backup: string; linked: Array<{ name: string; serverId: string }>; warnings: string[] }
interface UnlinkOutput { file: string; restored: 'exact' | 'entries'; keptChanged: string[] }

/** The four operations, done by the running daemon or locally on config.json. */
interface ClientOps {
  list(): Promise<ClientSummaries>;
  import(client: ClientId, file?: string): Promise<ImportOutput>;
  link(client: ClientId, file?: string): Promise<LinkOutput>;
  unlink(client: ClientId, file?: string): Promise<UnlinkOutput>;
}

export function registerClientCommands(program: Command, context: ClientCommandContext): Command {
  const out = printer(context.stdout ?? process.stdout);
  const env = (): ClientEnvironment => context.env ?? currentEnvironment([process.cwd()]);

  const local = async (): Promise<ClientOps> => {
    const config = context.config ?? new JsonConfigFile(path.join(context.dataDir, 'config.json'));
    const endpoint = context.endpoint ?? createLinkEndpoint({ dataDir: context.dataDir, httpPort: (await config.read()).settings.httpPort });
    // Policy applies offline too: the managed file, the cached org policy and the user rules.
    const policy = await loadLocalPolicy({ dataDir: context.dataDir, managedPath: managedPolicyPath() });
    const service = new ClientService({
      config, endpoint, secrets: context.secretStore ?? new KeyringSecretStore({ dataDir: context.dataDir }), env: env(),
      admit: (server) => policy.engine.admitServer(server),
    });
    return {
      list: () => service.list(),
      import: (client, file) => service.import(client, file),
      link: async (client, file) => {
        const r = await service.link(client, file);
        return { file: r.file, backup: r.backup, linked: r.linked, warnings: [...r.import.warnings, ...r.refused.map((x) => `'${x.name}' was not linked: ${x.reason}`)] };
      },
      unlink: (client, file) => service.unlink(client, file),
    };
  };

  const viaDaemon = (): ClientOps | undefined => {
    if (context.config || context.endpoint) return undefined;
    const daemon = connectToDaemon(context.dataDir, clientsContract);
    if (!daemon) return undefined;
    // The daemon looks in its own environment; a file named here (or found from this folder, for
    // project files) is passed as an absolute path.
    const fileFor = async (client: ClientId, file?: string): Promise<string> => path.resolve(file ?? await defaultClientFile(adapterFor(client), env()));
    return {
      list: async () => (await daemon.api['clients.list']({})).clients,
      import: async (client, file) => daemon.api['clients.import']({ client, file: await fileFor(client, file) }),
      link: async (client, file) => daemon.api['clients.link']({ client, file: await fileFor(client, file) }),
      unlink: (client, file) => daemon.api['clients.unlink']({ client, ...(file ? { file: path.resolve(file) } : {}) }),
    };
  };

  const ops = async (): Promise<ClientOps> => viaDaemon() ?? local();
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
      const clients = await (await ops()).list();
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
      const report = await (await ops()).import(clientId(id), file);
      out(line`imported from ${report.file}`);
      for (const e of report.entries) out(line`  ${e.name} → ${e.serverId} (${e.outcome}${e.secrets.length ? `; secrets moved to the keychain: ${e.secrets.join(', ')}` : ''})`);
      for (const s of report.skipped) out(line`  skipped ${s.name}: ${s.reason}`);
      for (const w of report.warnings) out(line`  warning: ${w}`);
    });

  client.command('link <client>')
    .description("Rewrite the client's entries to go through the app")
    .option('--config <path>', "the client's config file (default: its usual file)")
    .action(async (id: string, options: { config?: string }) => {
      const file = configFlag(options.config, true);
      const report = await (await ops()).link(clientId(id), file);
      out(line`linked ${report.file} (original kept at ${report.backup})`);
      for (const l of report.linked) out(line`  ${l.name} → ${l.serverId}`);
      for (const w of report.warnings) out(line`  warning: ${w}`);
    });

  client.command('unlink <client>')
    .description("Restore the client's original entries")
    .option('--config <path>', "the client's config file (default: the one that was linked)")
    .action(async (id: string, options: { config?: string }) => {
      const file = configFlag(options.config, false);
      const report = await (await ops()).unlink(clientId(id), file);
      out(report.restored === 'exact'
        ? line`restored ${report.file} exactly as it was before linking`
        : line`restored the linked entries of ${report.file}; it was edited since linking, other edits kept`);
      for (const name of report.keptChanged) out(line`  kept ${name}: changed after linking, left as it is`);
    });

  return client;
}
