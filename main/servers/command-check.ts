// What is worth a warning when a server is added: a stdio command that cannot be found where the
// server will look for it. Only a warning: the program may be installed afterwards, and the
// daemon that starts the server may see another PATH (the desktop app takes the login shell's).
import type { ServerConfig } from '../../shared/config.ts';
import { commandNotFoundMessage, findCommand } from './command-resolution.ts';
import { serverEnvironment } from './server-environment.ts';

export interface CommandCheckOptions {
  /** The environment of the daemon that will start the server (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
}

export function serverWarnings(server: ServerConfig, options: CommandCheckOptions = {}): string[] {
  if (server.transport !== 'stdio') return [];
  const platform = options.platform ?? process.platform;
  // Keychain references are not resolved for a check; plain values (a PATH set in env) count.
  const configured = Object.fromEntries(Object.entries(server.env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const env = serverEnvironment({ parent: options.env ?? process.env, platform, configured, ...(server.inheritEnv ? { inherit: server.inheritEnv } : {}) });
  const lookup = { platform, env, ...(server.cwd ? { cwd: server.cwd } : {}) };
  if (findCommand(server.command, lookup)) return [];
  const hasPath = platform === 'win32' ? /[\\/]/.test(server.command) : server.command.includes('/');
  const why = hasPath ? `"${server.command}" does not exist or is not an executable file.` : commandNotFoundMessage(server.command, lookup);
  return [`server '${server.id}' will not start until its command is found: ${why}`];
}
