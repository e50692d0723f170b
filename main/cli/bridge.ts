// `switchboard bridge <id>`: the stdio command linked clients spawn.
import type { Command } from 'commander';
import { runBridge } from '../endpoints/bridge-client.ts';
import type { CliContext } from './context.ts';

export function registerBridgeCommands(program: Command, context: CliContext): void {
  program.command('bridge <id>')
    .description('Relay stdio to the daemon for server <id> (what a linked client runs)')
    .option('--no-start', 'do not start the daemon when it is not running')
    .option('--wait <ms>', 'how long to wait for a daemon it started', (v) => Number.parseInt(v, 10), 10_000)
    .option('--client <label>', 'name of this client in the audit log', 'bridge')
    .action(async (id: string, options: { start: boolean; wait: number; client: string }) => {
      const code = await runBridge({
        dataDir: context.dataDir,
        serverId: id,
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
