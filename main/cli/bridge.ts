// `switchboard bridge <id>` / `switchboard bridge --profile <name>`: the stdio command linked clients spawn.
import type { Command } from 'commander';
import { runBridge } from '../endpoints/bridge-client.ts';
import type { CliContext } from './context.ts';

export function registerBridgeCommands(program: Command, context: CliContext): void {
  program.command('bridge [id]')
    .description('Relay stdio to the daemon for server <id>, or for the federated session of a profile (--profile); what a linked client runs')
    .option('--profile <name>', 'relay to the profile\'s federated session (its servers\' tools, namespaced) instead of one server')
    .option('--no-start', 'do not start the daemon when it is not running')
    .option('--wait <ms>', 'how long to wait for a daemon it started', (v) => Number.parseInt(v, 10), 10_000)
    .option('--client <label>', 'name of this client in the audit log', 'bridge')
    .action(async (id: string | undefined, options: { profile?: string; start: boolean; wait: number; client: string }) => {
      if ((id === undefined) === (options.profile === undefined)) {
        context.stderr.write('switchboard bridge: give a server id (`bridge <id>`) or a profile (`bridge --profile <name>`), not both and not neither\n');
        context.stdout.write('', () => process.exit(2));
        return;
      }
      const code = await runBridge({
        dataDir: context.dataDir,
        ...(options.profile !== undefined ? { profile: options.profile } : { serverId: id! }),
        stdin: context.stdin,
        stdout: context.stdout,
        stderr: context.stderr,
        startDaemon: options.start,
        waitMs: options.wait,
        clientLabel: options.client,
      });
      context.stdout.write('', () => process.exit(code));
    });
}
