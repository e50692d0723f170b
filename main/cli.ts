// The `switchboard` command. Each area registers its commands from main/cli/<area>.ts.
import { Command, CommanderError } from 'commander';
import { resolveDataDir } from './config/data-dir.ts';
import { useDataDirForKeychain } from './secrets/keychain-namespace.ts';
import { registerBridgeCommands } from './cli/bridge.ts';
import { dataDirFlag, type CliContext } from './cli/context.ts';
import { registerApprovalsCommands } from './cli/approvals.ts';
import { registerAuditCommands } from './cli/audit.ts';
import { registerClientCommands } from './cli/clients.ts';
import { registerServeCommand } from './cli/serve.ts';
import { registerServerCommands } from './cli/servers.ts';
import { registerStatusCommand } from './cli/status.ts';
import { registerHealthCommands } from './cli/health.ts';
import { registerTokenCommands } from './cli/tokens.ts';
import { registerPolicyCommands } from './cli/policy.ts';
import { registerClaudeCodePolicyCommands } from './cli/policy-claude-code.ts';
import { registerRegistryCommands } from './cli/registry.ts';
import { registerSandboxCommands } from './cli/sandbox.ts';
import { registerSecretCommands } from './cli/secrets.ts';
import { registerServiceCommands } from './cli/service.ts';
import { registerProfileCommands } from './cli/profiles.ts';
import { terminalText } from './cli/output.ts';

export function buildProgram(context: CliContext): Command {
  const program = new Command('switchboard')
    .description('MCP Switchboard: local manager and policy proxy for MCP servers')
    .option('--data-dir <path>', 'data folder (default: $SWITCHBOARD_DATA_DIR or the OS profile folder)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => context.stdout.write(terminalText(s)), writeErr: (s) => context.stderr.write(terminalText(s)) });
  registerServeCommand(program, context);
  registerStatusCommand(program, context);
  registerServerCommands(program, context);
  registerRegistryCommands(program, context);
  registerTokenCommands(program, context);
  registerSandboxCommands(program, context);
  registerBridgeCommands(program, context);
  registerClientCommands(program, context);
  registerSecretCommands(program, context);
  registerClaudeCodePolicyCommands(registerPolicyCommands(program, context), context);
  registerApprovalsCommands(program, context);
  registerAuditCommands(program, context);
  registerHealthCommands(program, context);
  registerServiceCommands(program, context);
  registerProfileCommands(program, context);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const dataDir = dataDirFlag(argv.slice(2));
  if (dataDir === '') {
    process.stderr.write('switchboard: --data-dir needs a value: the data folder, e.g. `--data-dir ~/.config/mcp-switchboard`\n');
    return 1;
  }
  const context: CliContext = {
    dataDir: resolveDataDir(dataDir),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  // Every keychain store of this run (the bridge's, `server tools`', OAuth's) uses this folder's service.
  useDataDirForKeychain(context.dataDir);
  const program = buildProgram(context);
  program.hook('preAction', (_program, action) => {
    runningCommand = action.name();
  });
  // --data-dir is accepted on every command.
  for (const command of allCommands(program)) {
    if (command !== program && !command.options.some((o) => o.long === '--data-dir')) command.option('--data-dir <path>', 'data folder');
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    context.stderr.write(`switchboard: ${terminalText(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}

/**
 * `switchboard … | head` closes the pipe early: that is not an error. The command ends at once,
 * quietly, with the code it has so far (0 unless it already failed); the daemon (`serve`) keeps
 * running, as its stdout only carries its start line. main() installs this so that every entry
 * point (bin/switchboard.js, `node main/cli.ts`) gets it.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (pipeGuarded.has(stream)) return;
  pipeGuarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (runningCommand === 'serve') return;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
const pipeGuarded = new WeakSet<NodeJS.WriteStream>();
let runningCommand = '';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((child) => allCommands(child))];
}

if (import.meta.main) {
  const code = await main();
  // `serve` and `bridge` end the process themselves; the others just set the code.
  process.exitCode = code;
}
