// The environment a stdio server starts with. Not the daemon's: the shell that started the daemon
// may hold AWS keys, tokens and the like, and a server gets only what it needs. That is the MCP
// SDK's default set (getDefaultEnvironment in @modelcontextprotocol/sdk/client/stdio: what sudo
// keeps, and the Windows variables programs need to run), the names the server's `inheritEnv`
// lists, then the server's configured `env` (with its keychain secrets resolved).

/** The SDK's DEFAULT_INHERITED_ENV_VARS, per platform (the SDK decides by the running platform only). */
export const POSIX_INHERITED_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'] as const;
export const WINDOWS_INHERITED_ENV = [
  'APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PATH', 'PROCESSOR_ARCHITECTURE', 'SYSTEMDRIVE', 'SYSTEMROOT',
  'TEMP', 'USERNAME', 'USERPROFILE', 'PROGRAMFILES',
  // Not in the SDK's list: how cmd.exe runs a .cmd shim such as npx.cmd and finds what it calls.
  'PATHEXT', 'COMSPEC',
] as const;

export interface ServerEnvironmentOptions {
  /** The daemon's environment. */
  parent: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** Names the user chose to pass on from the daemon's environment (the server's `inheritEnv`). */
  inherit?: readonly string[];
  /** The server's configured variables, already resolved; they win over inherited ones. */
  configured?: Readonly<Record<string, string>>;
}

export function serverEnvironment(options: ServerEnvironmentOptions): Record<string, string> {
  const win = options.platform === 'win32';
  const names = [...(win ? WINDOWS_INHERITED_ENV : POSIX_INHERITED_ENV), ...(options.inherit ?? [])];
  const env: Record<string, string> = {};
  for (const name of names) {
    for (const [key, value] of Object.entries(options.parent)) {
      if (value === undefined || (win ? key.toUpperCase() !== name.toUpperCase() : key !== name)) continue;
      // Exported shell functions (`() { …`) are how Shellshock travelled: never passed on.
      if (value.startsWith('()')) continue;
      env[key] = value;
    }
  }
  return { ...env, ...options.configured };
}
