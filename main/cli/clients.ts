// `switchboard client list|import|link|unlink`. The daemon may pass its own config store and link
// endpoint in the context; by default config.json in the data folder is used directly.
import type { Command } from 'commander';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { currentEnvironment, type ClientEnvironment } from '../clients/adapter.ts';
import { ClientService } from '../clients/client-service.ts';
import { JsonConfigFile, type ConfigAccess } from '../clients/config-access.ts';
import { createLinkEndpoint, type LinkEndpoint } from '../clients/link-endpoint.ts';
import { KeyringSecretStore, type SecretStore } from '../secrets/secret-store.ts';

export interface ClientCommandContext {
  dataDir: string;
  config?: ConfigAccess;
  secretStore?: SecretStore;
  /** Where linked entries point; default: this checkout's bin/switchboard.js and settings.httpPort. */
  endpoint?: LinkEndpoint;
  env?: ClientEnvironment;
  stdout?: Writable;
}

export function registerClientCommands(program: Command, context: ClientCommandContext): Command {
  const out = context.stdout ?? process.stdout;
  const service = async (): Promise<ClientService> => {
    const config = context.config ?? new JsonConfigFile(path.join(context.dataDir, 'config.json'));
    const endpoint = context.endpoint ?? createLinkEndpoint({ dataDir: context.dataDir, httpPort: (await config.read()).settings.httpPort });
    return new ClientService({
      config, endpoint,
      secrets: context.secretStore ?? new KeyringSecretStore(),
      env: context.env ?? currentEnvironment([process.cwd()]),
    });
  };

  const client = program.command('client').description('Detect AI clients and link their MCP servers through the app');

  client.command('list')
    .description('Clients, their config files, servers and link status')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const clients = await (await service()).list();
      if (options.json) return void out.write(`${JSON.stringify(clients, null, 2)}\n`);
      for (const c of clients) {
        out.write(`${c.name} (${c.id}): ${c.installed ? 'installed' : 'not found'}, links by ${c.linkMode}\n`);
        for (const f of c.files.filter((file) => file.exists)) {
          out.write(`  ${f.status.padEnd(8)} ${f.path} [${f.scope}]${f.error ? ` — ${f.error}` : ` — ${f.servers.length} server(s): ${f.servers.join(', ')}`}\n`);
        }
      }
    });

  client.command('import <client>')
    .description("Import the client's servers into the app (inline secrets move to the OS keychain)")
    .option('--config <path>', "the client's config file (default: its usual file)")
    .action(async (id: string, options: { config?: string }) => {
      const report = await (await service()).import(id, options.config);
      out.write(`imported from ${report.file}\n`);
      for (const e of report.entries) out.write(`  ${e.name} → ${e.serverId} (${e.outcome}${e.secrets.length ? `; secrets moved to the keychain: ${e.secrets.join(', ')}` : ''})\n`);
      for (const s of report.skipped) out.write(`  skipped ${s.name}: ${s.reason}\n`);
      for (const w of report.warnings) out.write(`  warning: ${w}\n`);
    });

  client.command('link <client>')
    .description("Rewrite the client's entries to go through the app")
    .option('--config <path>', "the client's config file (default: its usual file)")
    .action(async (id: string, options: { config?: string }) => {
      const report = await (await service()).link(id, options.config);
      out.write(`linked ${report.file} (original kept at ${report.backup})\n`);
      for (const l of report.linked) out.write(`  ${l.name} → ${l.serverId}\n`);
      for (const w of report.import.warnings) out.write(`  warning: ${w}\n`);
    });

  client.command('unlink <client>')
    .description("Restore the client's original entries")
    .option('--config <path>', "the client's config file (default: the one that was linked)")
    .action(async (id: string, options: { config?: string }) => {
      const report = await (await service()).unlink(id, options.config);
      out.write(report.restored === 'exact'
        ? `restored ${report.file} exactly as it was before linking\n`
        : `restored the linked entries of ${report.file}; it was edited since linking, other edits kept\n`);
      for (const name of report.keptChanged) out.write(`  kept ${name}: changed after linking, left as it is\n`);
    });

  return client;
}
